"""`careerbot serve`: run the bot by long polling or behind PTB's webhook server.

Configuration errors end with one clear line, never a traceback, and the bot token never
appears in a log line or an error.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
from urllib.parse import urlparse

from bot.settings import Settings
from . import logs

_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


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


def setup_logging(token: str, log_format: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logs.formatter(log_format))
    handler.addFilter(RedactToken(token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logs.quiet_libraries()


def _fail(message: str) -> int:
    print(f"careerbot: {message}", file=sys.stderr)
    return 2


def admin_ids(raw: str) -> frozenset[int] | None:
    try:
        return frozenset(int(x) for x in raw.replace(" ", "").split(",") if x)
    except ValueError:
        return None


async def _check_token(token: str, base_url: str | None) -> None:
    from telegram import Bot

    from .app import DEFAULT_BASE_URL

    async with Bot(token, base_url=base_url or DEFAULT_BASE_URL):  # initialize() calls getMe
        pass


def _say(text: str, done: bool = True) -> None:
    logging.getLogger("careerbot.index").info(text)


def serve(settings: Settings, webhook: bool = False, build: bool = True, health_port: int | str | None = None) -> int:
    """Answer Telegram by polling or webhook until SIGTERM; building an index first if none is
    published (unless `build` is off). Returns the exit code."""
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        return _fail("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and export it "
                     "(or use 'careerbot chat' to talk to the bot in this terminal)")
    admins = admin_ids(os.environ.get("ADMIN_USER_IDS", ""))
    if admins is None:
        return _fail("ADMIN_USER_IDS must be comma-separated numeric Telegram user ids")
    rate = os.environ.get("TELEGRAM_MAX_MESSAGES_PER_SECOND", "30").strip()
    try:
        max_rate = float(rate)
    except ValueError:
        return _fail(f"TELEGRAM_MAX_MESSAGES_PER_SECOND must be a number (30 is Telegram's limit), not {rate!r}")
    if webhook:
        url = os.environ.get("WEBHOOK_URL", "").strip()
        secret = os.environ.get("WEBHOOK_SECRET", "").strip()
        port = os.environ.get("PORT", "8443").strip()
        if not url.startswith(("https://", "http://")):
            return _fail("WEBHOOK_URL must be the public https:// URL Telegram should call")
        if not _SECRET_RE.match(secret):
            return _fail("WEBHOOK_SECRET must be set: 1-256 characters of A-Z, a-z, 0-9, _ and -")
        if not port.isdigit():
            return _fail(f"PORT must be a number, not {port!r}")
    if health_port is not None:
        if not (str(health_port).isdigit() and 0 < int(health_port) < 65536):
            return _fail(f"--health-port (CAREERBOT_HEALTH_PORT) must be a port number, 1-65535, not {health_port!r}")
        health_port = int(health_port)
    setup_logging(token, settings.log_format)

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
    from bot.knowledge.admin import ensure_index
    from bot.review.log import QuestionLog
    from . import webserver
    from .app import build_application
    from .handlers import Services
    from .reindex import Reindexer

    if build and (error := ensure_index(settings, _say)):
        return _fail(error)
    assistant = Assistant.create(settings)
    question_log = QuestionLog(settings.data_dir)
    services = Services(assistant=assistant, log=question_log, admins=admins,
                        reindex=Reindexer(settings, question_log))
    app = build_application(services, token, base_url, overall_max_rate=max_rate)
    about = assistant.about()
    where = {"port": int(port), "path": urlparse(url).path} if webhook else {"health_port": health_port or "-"}
    logging.getLogger("careerbot").info("careerbot %s starting", webserver.package_version(), extra={"fields": {
        "mode": "webhook" if webhook else "polling", **where, "index": about["version"],
        "documents": about["documents"], "passages": about["passages"]}})
    try:
        if webhook:
            hook = webserver.Webhook(url=url, path=urlparse(url).path, secret=secret)
            asyncio.run(webserver.run(app, port=int(port), webhook=hook))
        elif health_port:
            asyncio.run(webserver.run(app, port=health_port, webhook=None))
        else:
            app.run_polling()
    except InvalidToken:
        return _fail("Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN (from @BotFather)")
    except NetworkError as exc:
        return _fail(f"cannot reach the Telegram Bot API: {str(exc).replace(token, '[token]')}")
    finally:
        question_log.close()
    return 0
