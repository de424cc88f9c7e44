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
from . import logs

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


async def _check_token(token: str, base_url: str | None) -> None:
    from telegram import Bot

    from .app import DEFAULT_BASE_URL

    async with Bot(token, base_url=base_url or DEFAULT_BASE_URL):  # initialize() calls getMe
        pass


def _say(text: str, done: bool = True) -> None:
    logging.getLogger("careerbot.index").info(text)


def _one_thread_per_native_call() -> None:
    """The server answers many questions at once, each on its own thread, so OpenMP (FAISS) and
    OpenBLAS (numpy, FAISS) get one thread per call instead of a team per small search.

    Teams of helper threads spin while they wait: with 2,000 questions queued through the stand-in
    Bot API, the server used 39.0 ms of CPU per answer with the libraries' defaults and 25.8 ms
    with one thread each, and answered 30.8 against 44.7 a second (medians of six interleaved runs,
    load 3-15, 2026-11-27; README, Performance). threadpoolctl limits the libraries already loaded
    (Assistant.create loads them), whatever the import order.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def serve(settings: Settings, webhook: bool = False, build: bool = True, health_port: int | str | None = None) -> int:
    """Answer Telegram by polling or webhook until SIGTERM; building an index first if none is
    published (unless `build` is off). Returns the exit code: 2 for a configuration problem, each
    problem in one line."""
    cfg, problems = config.read(os.environ, webhook, settings.data_dir)
    if health_port is not None and not (str(health_port).isdigit() and 0 < int(health_port) < 65536):
        problems.append(f"--health-port (CAREERBOT_HEALTH_PORT) must be a port number, 1-65535, not {health_port!r}")
    if problems or cfg is None:
        print("\n".join(f"careerbot: {p}" for p in problems), file=sys.stderr)
        return 2
    health = int(health_port) if health_port is not None else None
    token, url = cfg.token, cfg.webhook_url
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
    from bot.review.digest import digest_now, to_telegram
    from . import webserver
    from .app import build_application
    from .digest import Digests
    from .handlers import Services
    from .inbox import Inbox
    from .reindex import Reindexer

    if build and (error := ensure_index(settings, _say)):
        return _fail(error)
    try:
        assistant = Assistant.create(settings)
        question_log = QuestionLog(settings.data_dir)
    except CareerbotError as exc:
        return _fail(str(exc))
    _one_thread_per_native_call()
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
    about = assistant.about()
    where = {"port": cfg.port, "path": urlparse(url).path} if webhook else {"health_port": health or "-"}
    logging.getLogger("careerbot").info("careerbot %s starting", webserver.package_version(), extra={"fields": {
        "mode": "webhook" if webhook else "polling", **where, "index": about["version"],
        "documents": about["documents"], "passages": about["passages"]}})
    try:
        if webhook:
            hook = webserver.Webhook(url=url, path=urlparse(url).path, secret=cfg.webhook_secret)
            asyncio.run(webserver.run(app, port=cfg.port, webhook=hook))
        elif health:
            asyncio.run(webserver.run(app, port=health, webhook=None))
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
