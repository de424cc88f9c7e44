"""The Telegram front end: thin python-telegram-bot handlers around the Assistant."""
