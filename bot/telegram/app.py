"""Build the python-telegram-bot Application: handlers, rate limiter, per-chat ordering."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import BotCommand, Update
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder, BaseUpdateProcessor,
                          CallbackQueryHandler, CommandHandler, MessageHandler, TypeHandler, filters)

from . import digest, handlers, profile, texts
from .activity import CareerbotApplication
from .handlers import SERVICES, Services
from .inbox import DurableQueue, Inbox

_log = logging.getLogger("careerbot.telegram")
# Updates handled at once: four times the ask threads (handlers.ASK_THREADS); more only
# holds memory while waiting for the encoder.
MAX_CONCURRENT_UPDATES = 64
DEFAULT_BASE_URL = "https://api.telegram.org/bot"
TELEGRAM_MESSAGES_PER_SECOND = 30
# httpcore checks every pooled connection on each request (44% of the server's time at full load
# with PTB's default of 256, py-spy); 16 measured best against 4, 8 and 32 (README, Performance).
CONNECTIONS = 16
ApiResult = bool | dict[str, Any] | list[dict[str, Any]]  # what a Bot API call returns, as PTB's limiter types it


class MessageRateLimiter(AIORateLimiter):
    """PTB's limiter for messages (it waits out 429s itself), plus retries with backoff when the
    Bot API answers 5xx or times out, so a reply is delivered rather than lost. Chat actions
    ("typing…") are not messages and don't wait in the limiter."""

    UNLIMITED = frozenset({"sendChatAction"})
    BACKOFF_S = (0.5, 1.0, 2.0, 4.0, 8.0)

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, ApiResult]], args: Any,
                              kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> ApiResult:
        try:
            return await self._retried(callback, args, kwargs, endpoint, data, rate_limit_args)
        except ChatMigrated as exc:
            if not isinstance(data, dict) or "chat_id" not in data:
                raise
            # The group became a supergroup: send once more, to its new id (the message replied to
            # stayed in the old group).
            _log.info("%s: the group moved to a supergroup; sending to its new chat id", endpoint)
            data["chat_id"] = exc.new_chat_id
            data.pop("reply_parameters", None)
            return await self._retried(callback, args, kwargs, endpoint, data, rate_limit_args)

    async def _retried(self, callback: Callable[..., Coroutine[Any, Any, ApiResult]], args: Any,
                       kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                       rate_limit_args: int | None) -> ApiResult:
        if endpoint in self.UNLIMITED:
            return await callback(*args, **kwargs)
        for attempt, pause in enumerate(self.BACKOFF_S):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except (BadRequest, Forbidden, InvalidToken, Conflict, ChatMigrated, RetryAfter):
                raise  # Telegram's answer, not a transient failure
            except NetworkError as exc:  # 5xx, timeouts, refused connections
                _log.warning("%s failed (%s); retry %d in %.1f s", endpoint, type(exc).__name__, attempt + 1, pause)
                await asyncio.sleep(pause)
        # The last try: whatever it raises goes to the caller.
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)


class PerChatOrder(BaseUpdateProcessor):
    """Answer many chats at once, but one chat's messages in the order they were sent,
    so a follow-up is read after the question it follows; then mark the update done in the inbox."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
                 on_done: Callable[[object], Awaitable[None]] | None = None):
        super().__init__(max_concurrent_updates)
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._on_done = on_done

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
        else:
            lock = self._locks[chat.id]
            try:
                async with lock:
                    await coroutine
            finally:
                if not lock.locked() and not lock._waiters:
                    self._locks.pop(chat.id, None)
        # Handled (the reply sent, or an apology): an update cancelled at shutdown never gets here
        # and is answered after the restart.
        if self._on_done is not None:
            await self._on_done(update)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


async def _post_init(app: Application) -> None:
    await app.bot.set_my_commands([BotCommand(c, d) for c, d in texts.COMMANDS])
    await profile.register(app.bot, app.bot_data[SERVICES].log.path.parent)
    if isinstance(app.update_queue, DurableQueue):
        await app.update_queue.replay(app.bot)  # queued before polling starts: answered first


def build_application(services: Services, token: str, base_url: str | None = None,
                      overall_max_rate: float = TELEGRAM_MESSAGES_PER_SECOND,
                      inbox: Inbox | None = None) -> CareerbotApplication:
    """`overall_max_rate` is Telegram's own ceiling by default; 0 lifts it (a self-hosted Bot API).
    With an `inbox`, every update is kept until answered (bot/telegram/inbox.py)."""
    message = filters.UpdateType.MESSAGE  # edited messages and channel posts are ignored
    builder = (ApplicationBuilder()
               .application_class(CareerbotApplication)
               .token(token)
               .base_url(base_url or DEFAULT_BASE_URL)
               .base_file_url((base_url or DEFAULT_BASE_URL).replace("/bot", "/file/bot"))
               .rate_limiter(MessageRateLimiter(overall_max_rate=overall_max_rate, max_retries=3))
               .connection_pool_size(CONNECTIONS)
               .post_init(_post_init))
    if inbox is not None:
        queue = DurableQueue(inbox)
        builder = builder.update_queue(queue).concurrent_updates(PerChatOrder(on_done=queue.done))
    else:
        builder = builder.concurrent_updates(PerChatOrder())
    app = builder.build()
    assert isinstance(app, CareerbotApplication)  # application_class() above; PTB types build() as its base
    app.bot_data[SERVICES] = services
    # Before every handler: updates from people who blocked the bot (and wrote nothing since).
    app.add_handler(TypeHandler(Update, handlers.skip_blocked), group=-1)
    commands = {"start": handlers.start, "help": handlers.help_, "topics": handlers.topics,
                "about": handlers.about, "state": handlers.state, "forget": handlers.forget,
                "stats": handlers.stats, "reindex": handlers.reindex, "digest": digest.command}
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback, filters=message))
    app.add_handler(MessageHandler(message & filters.TEXT & ~filters.COMMAND, handlers.question))
    app.add_handler(MessageHandler(message & filters.COMMAND, handlers.unknown_command))
    app.add_handler(MessageHandler(message & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.not_text))
    app.add_handler(CallbackQueryHandler(handlers.button))
    app.add_error_handler(handlers.error)
    if services.digests is not None:
        digest.schedule_all(app, services.digests, services.log)  # PTB's JobQueue, from the saved days
    return app
