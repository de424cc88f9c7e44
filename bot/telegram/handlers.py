"""Telegram handlers: each one reads the update, calls the Assistant or the log, and replies.

PTB types what an update may lack as Optional (`update.message`, `effective_user`,
`context.user_data`, a button's message): a handler given an update without what it needs returns
early. A button under a message Telegram no longer shows the bot (dated 0: the Bot API's
InaccessibleMessage) is still answered, in its chat, and that message is not edited."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import html
import logging
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.answer import render
from bot.answer.followup import remember
from bot.knowledge.load import TOPICS
from bot.states import name as state_name
from bot.states import normalise
from bot.types import Context
from . import keyboards, texts
from .activity import note
from .flood import QuestionLimit

if TYPE_CHECKING:
    from bot.assistant import Assistant
    from bot.review.log import QuestionLog
    from .digest import Digests

log = logging.getLogger("careerbot.telegram")

SERVICES = "careerbot"
MAX_QUESTION_CHARS = 1000
TYPING_AFTER_S = 0.3
TYPING_SHOWN_S = 5.0
ASK_THREADS = 16  # each encodes its own question (batching did not pay: bot/answer/encoder.py)
# An answer takes tens of milliseconds; one still running after this is abandoned and the person
# asked to try again (the encoder runs in process, so a hung call cannot be killed, only left).
ANSWER_TIMEOUT_S = 10.0
LATE_AFTER = dt.timedelta(hours=24)
# What Telegram says when a button press is answered too late or twice (answerCallbackQuery, 400).
_STALE_QUERY = ("query is too old", "query id is invalid")


@dataclass
class Services:
    assistant: Assistant
    log: QuestionLog
    admins: frozenset[int] = frozenset()
    limit: QuestionLimit = field(default_factory=QuestionLimit)
    reindex: Callable[[str], str] | None = None  # the admin's user key -> summary text, run off the event loop
    late_after: dt.timedelta = LATE_AFTER  # older updates (from the inbox) get a word of apology
    blocked: dict[str, dt.datetime] | None = None  # user key -> when Telegram said they blocked the bot
    digests: Digests | None = None  # counselors, time zone, the digest
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(ASK_THREADS, thread_name_prefix="careerbot-ask"))


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.bot_data[SERVICES]


async def _reply(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str,
                 reply_markup: InlineKeyboardMarkup | None = None) -> None:
    message = update.message
    if message is not None and dt.datetime.now(dt.timezone.utc) - message.date > services(context).late_after:
        text = texts.LATE + text  # answered from the inbox long after it was sent
    target, chat = update.effective_message, update.effective_chat
    if target is not None:
        await target.reply_text(text, parse_mode=ParseMode.HTML, disable_web_page_preview=True,
                                reply_markup=reply_markup)
    elif chat is not None:
        # A button whose message PTB gives as an InaccessibleMessage (effective_message leaves
        # those out): nothing to reply to, but the chat is known.
        await context.bot.send_message(chat.id, text, parse_mode=ParseMode.HTML, disable_web_page_preview=True,
                                       reply_markup=reply_markup)


def _user_key(context: ContextTypes.DEFAULT_TYPE, user: User) -> str:
    return services(context).log.user_key(user.id)


async def _user_state(context: ContextTypes.DEFAULT_TYPE, user: User, user_data: dict[Any, Any]) -> str | None:
    if "state" not in user_data:
        key = _user_key(context, user)
        try:
            user_data["state"] = await asyncio.to_thread(services(context).log.get_state, key)
        except sqlite3.OperationalError:  # the log unreadable for now: answer without the state
            return None
    return user_data["state"]


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply(update, context, texts.WELCOME, reply_markup=keyboards.topics())


async def help_(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply(update, context, texts.HELP)


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply(update, context, "Pick a topic:", reply_markup=keyboards.topics())


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    info = services(context).assistant.about()
    await _reply(update, context, (
        f"My answers come from {info['documents']} guidance documents written from public primary "
        "sources (the Bureau of Labor Statistics, the certifying bodies AAMA, AMT, NHA, NCCT and AMCA, "
        "and state boards and statutes) and checked by a person. Each answer names its source and "
        f"the date it was last reviewed; the newest review is from {html.escape(info['reviewed_latest'])}.\n\n"
        "I'm a guide, not an authority: rules and fees change, so confirm with the body named in "
        "the source before you act."))


async def state(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user, user_data = update.effective_user, context.user_data
    if user is None or user_data is None:
        return  # no sender: only channel posts lack one, and the handler's filter leaves those out
    s = services(context)
    key = _user_key(context, user)
    if context.args:
        code = normalise(" ".join(context.args))
        if code is None:
            await _reply(update, context, "I don't know that state. Use its two-letter code, for example /state CA.")
            return
        await asyncio.to_thread(s.log.set_state, key, code)
        user_data["state"] = code
        await _reply(update, context, f"Got it: I'll answer for {state_name(code)}. Send /state to see or clear it.")
        return
    current = await _user_state(context, user, user_data)
    if current:
        await asyncio.to_thread(s.log.set_state, key, None)
        user_data["state"] = None
        await _reply(update, context, f"Your state was {state_name(current)}; I've cleared it. "
                             "Send /state XX to set it again.")
    else:
        await _reply(update, context, "You haven't set a state. " + texts.STATE_ASK)


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply(update, context, texts.FORGET_CONFIRM, reply_markup=keyboards.forget_confirm())


def _mentioned_text(msg: Message, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """In groups, only messages that mention the bot or reply to it are for the bot."""
    text = msg.text
    if text is None:
        return None
    if msg.chat.type == ChatType.PRIVATE:
        return text
    username = f"@{context.bot.username}".lower()
    if username in text.lower():
        start = text.lower().index(username)
        return (text[:start] + text[start + len(username):]).strip()
    reply = msg.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == context.bot.id:
        return text
    return None


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user, user_data, chat_data = update.message, update.effective_user, context.user_data, context.chat_data
    if message is None or user is None or user_data is None or chat_data is None:
        return  # not a new message with a sender: the handler's filter passes no other
    s = services(context)
    text = _mentioned_text(message, context)
    if text is None:
        note(status="not_for_bot")
        return
    if len(text) > MAX_QUESTION_CHARS:
        note(status="too_long")
        await _reply(update, context, texts.TOO_LONG)
        return
    verdict = s.limit.check(user.id)
    if verdict != "ok":
        note(status="rate_limited")
        if verdict == "warn":
            await _reply(update, context, texts.SLOW_DOWN)
        return
    ctx = Context(state=await _user_state(context, user, user_data), previous_question=chat_data.get("previous"),
                  previous_answer=chat_data.get("previous_answer"), referred=chat_data.get("referred", False),
                  declined=chat_data.get("declined", False))
    loop = asyncio.get_running_loop()
    work = loop.run_in_executor(s.executor, s.assistant.ask, text, ctx)
    try:
        # Most answers take a few tens of milliseconds: "typing…" is shown only when one takes longer.
        answer = await asyncio.wait_for(asyncio.shield(work), TYPING_AFTER_S)
    except asyncio.TimeoutError:
        # Telegram shows "typing…" for five seconds: one action covers every answer in that time.
        now = loop.time()
        if now - chat_data.get("typing_at", -TYPING_SHOWN_S) >= TYPING_SHOWN_S:
            chat_data["typing_at"] = now
            await context.bot.send_chat_action(message.chat_id, ChatAction.TYPING)
        try:
            answer = await asyncio.wait_for(work, ANSWER_TIMEOUT_S - TYPING_AFTER_S)
        except asyncio.TimeoutError:
            log.warning("an answer took over %.0f s and was abandoned; asked the person to retry", ANSWER_TIMEOUT_S)
            await _reply(update, context, texts.TOO_SLOW)
            return
    key = _user_key(context, user)
    question_id = await loop.run_in_executor(
        s.executor, functools.partial(s.log.record, key, "telegram", text, answer, update_id=update.update_id))
    after = remember(answer, ctx)
    chat_data["previous"], chat_data["previous_answer"] = after.previous_question, after.previous_answer
    chat_data["referred"], chat_data["declined"] = after.referred, after.declined
    await _reply(update, context, render.to_html(answer), reply_markup=keyboards.for_answer(answer, question_id))
    note(status=answer.status, top_doc=answer.top_doc, index=answer.index_version, replied=True)


def _private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if _private(update):
        await _reply(update, context, texts.NON_TEXT)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if _private(update):
        await _reply(update, context, texts.UNKNOWN_COMMAND)


async def _admin(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str) -> User | None:
    """The admin who sent the command, or None (refused, and the refusal recorded)."""
    s = services(context)
    user = update.effective_user
    if user is None:
        return None  # no sender: only channel posts lack one, and the handlers' filter leaves those out
    if user.id in s.admins:
        return user
    await asyncio.to_thread(s.log.admin_event, _user_key(context, user), "refused", f"/{command} from a non-admin")
    await _reply(update, context, texts.NOT_ADMIN)
    return None


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await _admin(update, context, "stats") is None:
        return
    s = services(context)
    st = await asyncio.to_thread(s.log.stats)
    info = s.assistant.about()

    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.0%}"

    await _reply(update, context, (
        f"<b>Questions</b>: {st['today']} today, {st['week']} in the last 7 days\n"
        f"<b>Answer rate</b> (7 days): {pct(st['answer_rate'])}\n"
        f"<b>Helpful rate</b> (7 days): {pct(st['helpful_rate'])}\n"
        f"<b>Index</b>: {html.escape(info['version'])}, built {html.escape(info['built_at'])} "
        f"({html.escape(info['age'])} ago)\n"
        f"<b>Log</b>: {st['log_waiting']} writes waiting for the disk, {st['log_dropped']} dropped"))


async def reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    admin = await _admin(update, context, "reindex")
    if admin is None:
        return
    s = services(context)
    if s.reindex is None:  # an Application built without a refresher (serve.py always gives one)
        await _reply(update, context, texts.NO_REINDEX)
        return
    await _reply(update, context, "Refreshing the index…")
    summary = await asyncio.to_thread(s.reindex, _user_key(context, admin))
    await _reply(update, context, html.escape(summary))


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    query, user_data, chat_data = update.callback_query, context.user_data, context.chat_data
    if query is None or user_data is None:
        return  # CallbackQueryHandler passes only button presses, and a press always has a sender
    kind, _, arg = (query.data or "").partition(":")
    if query.message is None or chat_data is None:  # PTB keeps chat data for the message's chat
        # A button under an inline message (sent via the bot in another chat): there is no chat
        # to reply in, so the press is only acknowledged.
        await _answer_query(query, texts.INLINE_BUTTON)
        return
    if kind == "fb":
        qid, _, value = arg.partition(":")
        if not (qid.isdigit() and value in ("0", "1")):
            await _answer_query(query, texts.STALE_BUTTON)
            return
        helpful = value == "1"
        ok = await asyncio.to_thread(s.log.feedback, int(qid), _user_key(context, query.from_user), helpful)
        await _answer_query(query, texts.THANKS if ok else texts.NOT_YOURS)
        # The rating is shown on the message's own buttons; a message Telegram no longer shows the
        # bot (dated 0: PTB reads it as a Message with is_accessible False, or an InaccessibleMessage)
        # has none to read, and Telegram refuses to edit it (400: message to edit not found).
        message = query.message
        if ok and isinstance(message, Message) and message.is_accessible:
            markup = message.reply_markup
            rows: list[Sequence[InlineKeyboardButton]] = [keyboards.feedback_row(int(qid), helpful)]
            rows += markup.inline_keyboard[1:] if markup else ()
            await query.edit_message_reply_markup(reply_markup=InlineKeyboardMarkup(rows))
        return
    if kind in ("doc", "more"):
        answer = s.assistant.document(arg) if kind == "doc" else s.assistant.more(arg)
        if answer is None:
            await _answer_query(query, texts.STALE_BUTTON)
            return
        await _answer_query(query)
        await _reply(update, context, render.to_html(answer), reply_markup=keyboards.for_answer(answer, None))
        return
    if kind == "topic" and arg in TOPICS:
        docs = s.assistant.topics().get(arg, [])
        await _answer_query(query)
        more = " or ask me: I know more about it" if len(docs) > keyboards.MAX_TOPIC_BUTTONS else ""
        await _reply(update, context, f"<b>{html.escape(TOPICS[arg])}</b>: pick one{more}.",
                     reply_markup=keyboards.topic(docs))
        return
    if kind == "state" and arg == "ask":
        await _answer_query(query)
        await _reply(update, context, texts.STATE_ASK)
        return
    if kind == "forget" and arg in ("yes", "no"):
        await _answer_query(query)
        if arg == "yes":
            n = await asyncio.to_thread(s.log.forget, _user_key(context, query.from_user))
            user_data.clear()
            chat_data.pop("previous", None)
            chat_data.pop("previous_answer", None)
            await query.edit_message_text(texts.FORGET_LATER if n is None else texts.FORGET_DONE.format(n=n))
        else:
            await query.edit_message_text(texts.FORGET_CANCELLED)
        return
    await _answer_query(query, texts.STALE_BUTTON)


async def _answer_query(query: CallbackQuery, text: str | None = None) -> None:
    """Acknowledge a button press; one Telegram no longer accepts (too old, answered already) is
    left quietly: the press itself has been handled."""
    try:
        await query.answer(text)
    except BadRequest as exc:
        if not any(words in str(exc).lower() for words in _STALE_QUERY):
            raise
        log.debug("button press acknowledged too late: %s", exc)


async def skip_blocked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler: nothing is sent to someone who blocked the bot, until they write
    again (a message sent after the block, or any button press)."""
    user = update.effective_user
    s = services(context)
    if user is None:
        return
    if s.blocked is None:
        s.blocked = await asyncio.to_thread(s.log.blocked_keys)
    if not s.blocked:
        return
    key = _user_key(context, user)
    at = s.blocked.get(key)
    if at is None:
        return
    if update.message is not None and update.message.date <= at:
        raise ApplicationHandlerStop  # written before the block: stays unanswered
    del s.blocked[key]
    await asyncio.to_thread(s.log.unblock, key)


async def _blocked_by(update: object, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Telegram answered 403: the person blocked the bot (or left the group). Not a failure."""
    if not isinstance(context.error, Forbidden) or not isinstance(update, Update) or update.effective_user is None:
        return False
    s = services(context)
    key = _user_key(context, update.effective_user)
    if s.blocked is None:
        s.blocked = await asyncio.to_thread(s.log.blocked_keys)
    if key not in s.blocked:
        s.blocked[key] = dt.datetime.now(dt.timezone.utc)
        await asyncio.to_thread(s.log.block, key)
        log.info("a person blocked the bot (%s); nothing more is sent to them until they write", context.error)
    return True


async def error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure without the token or the message text, apologise, keep running."""
    exc = context.error
    note(status="error")
    if await _blocked_by(update, context):
        return
    text = ""
    if isinstance(update, Update) and update.effective_message is not None:
        text = (update.effective_message.text or "")[:80]
    log.error("update failed: %s: %s (message starts %r)", type(exc).__name__, exc, text)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, texts.APOLOGY)
        except Exception as send_exc:  # the apology itself may fail when Telegram is down
            log.error("could not send the apology: %s", type(send_exc).__name__)
