"""`careerbot serve`: run the bot by long polling or behind PTB's webhook server.

Configuration errors end with one clear line, never a traceback, and the bot token never
appears in a log line or an error.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sys
from urllib.parse import urlparse

from bot.errors import CareerbotError
from bot.settings import Settings

from . import config

# Less free space than this under the data directory at start is reported (the log may fill it).
LOW_DISK_BYTES = 16 * 1024 * 1024


class RedactToken(logging.Filter):
    """Replace the bot token wherever it would be written, tracebacks included."""

    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        if self.token and self.token in message:
            message = message.replace(self.token, "[token]")
        record.msg, record.args = message, ()
        return True


def setup_logging(token: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactToken(token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # it logs every request URL, token included


def _fail(message: str) -> int:
    print(f"careerbot: {message}", file=sys.stderr)
    return 2


async def _check_token(token: str, base_url: str | None) -> None:
    from telegram import Bot

    from .app import DEFAULT_BASE_URL

    async with Bot(token, base_url=base_url or DEFAULT_BASE_URL):  # initialize() calls getMe
        pass


def serve(webhook: bool = False) -> int:
    settings = Settings.from_env()
    cfg, problems = config.read(os.environ, webhook, settings.data_dir)
    if problems:
        print("\n".join(f"careerbot: {p}" for p in problems), file=sys.stderr)
        return 2
    token, url = cfg.token, cfg.webhook_url
    setup_logging(token)

    from telegram.error import InvalidToken, NetworkError

    base_url = os.environ.get("TELEGRAM_API_BASE_URL") or None
    # Ask Telegram about the token before loading the model: a bad token is a one-line answer in
    # a second, not a traceback after ten.
    try:
        asyncio.run(_check_token(token, base_url))
    except InvalidToken:
        return _fail("Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN (from @BotFather)")
    except NetworkError as exc:
        return _fail(f"cannot reach the Telegram Bot API: {str(exc).replace(token, '[token]')}")

    from bot.assistant import Assistant
    from bot.review.log import QuestionLog
    from bot.review.digest import digest_now, to_telegram
    from .app import build_application
    from .digest import Digests
    from .handlers import Services
    from .inbox import Inbox
    from .reindex import Reindexer

    try:
        assistant = Assistant.create(settings)
        question_log = QuestionLog(settings.data_dir)
    except CareerbotError as exc:
        return _fail(str(exc))
    if (free := shutil.disk_usage(settings.data_dir).free) < LOW_DISK_BYTES:
        logging.getLogger("careerbot").warning(
            "the disk under %s is full (%d KB free): answering anyway; log writes wait in memory until "
            "space returns", settings.data_dir, free // 1024)
    inbox = Inbox(question_log.path, question_log.secret("inbox"))
    digests = Digests(settings.counselor_ids, settings.timezone,
                      lambda: to_telegram(digest_now(settings, question_log, assistant.store)))
    services = Services(assistant=assistant, log=question_log, admins=cfg.admins,
                        reindex=Reindexer(settings, question_log), late_after=settings.late_reply_after,
                        digests=digests)
    app = build_application(services, token, base_url, overall_max_rate=cfg.max_rate, inbox=inbox)
    try:
        if webhook:
            app.run_webhook(listen="0.0.0.0", port=cfg.port, url_path=urlparse(url).path.lstrip("/"),
                            webhook_url=url, secret_token=cfg.webhook_secret)
        else:
            app.run_polling()
    except InvalidToken:
        return _fail("Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN (from @BotFather)")
    except NetworkError as exc:
        return _fail(f"cannot reach the Telegram Bot API: {str(exc).replace(token, '[token]')}")
    finally:
        inbox.close()
        question_log.close()
    return 0
