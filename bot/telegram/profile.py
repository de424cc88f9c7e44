"""The bot's description and short description, set at start-up only when they changed.

Telegram shows the description in an empty chat (before Start) and the short one on the bot's
profile. A hash of what was last set, per bot, is kept in the data directory, so an ordinary
restart makes no call.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from telegram import Bot

from . import texts

log = logging.getLogger("careerbot.telegram")
STATE_FILE = "telegram_profile.json"


def profile_hash(bot_id: int) -> str:
    payload = json.dumps([bot_id, texts.DESCRIPTION, texts.SHORT_DESCRIPTION])
    return hashlib.sha256(payload.encode()).hexdigest()


async def register(bot: Bot, data_dir: Path) -> bool:
    """Set both descriptions if this bot's differ from what was last set; True when it called."""
    path = data_dir / STATE_FILE
    wanted = profile_hash(bot.id)
    try:
        if json.loads(path.read_text()).get("hash") == wanted:
            return False
    except (OSError, ValueError):
        pass  # never set, or unreadable: set it
    await bot.set_my_description(texts.DESCRIPTION)
    await bot.set_my_short_description(texts.SHORT_DESCRIPTION)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"hash": wanted}))
    os.replace(tmp, path)
    log.info("set the bot's description and short description")
    return True
