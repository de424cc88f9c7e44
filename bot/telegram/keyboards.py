"""Inline keyboards and their callback data (Telegram allows at most 64 bytes of it)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.answer.compose import STATE_VARIES_NOTE
from bot.knowledge.load import TOPICS
from bot.types import Answer, Related

MAX_CALLBACK_BYTES = 64


def button(label: str, data: str) -> InlineKeyboardButton | None:
    """A button, or None when its data would not fit Telegram's 64-byte limit."""
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        return None
    return InlineKeyboardButton(label[:60], callback_data=data)


def _rows(buttons: list[InlineKeyboardButton | None]) -> list[list[InlineKeyboardButton]]:
    return [[b] for b in buttons if b is not None]


def related_rows(related: list[Related]) -> list[list[InlineKeyboardButton]]:
    return _rows([button(r.title, f"doc:{r.doc_id}") for r in related])


def feedback_row(question_id: int, chosen: bool | None = None) -> list[InlineKeyboardButton]:
    return [button(("✓ " if chosen is True else "") + "Helpful", f"fb:{question_id}:1"),
            button(("✓ " if chosen is False else "") + "Not helpful", f"fb:{question_id}:0")]


def for_answer(answer: Answer, question_id: int | None, chosen: bool | None = None) -> InlineKeyboardMarkup | None:
    rows = []
    if question_id is not None and answer.status in ("answered", "no_answer"):
        rows.append(feedback_row(question_id, chosen))
    if answer.more_ref and (more := button("More on this", f"more:{answer.more_ref}")) is not None:
        rows.append([more])
    rows += related_rows(answer.related)
    if STATE_VARIES_NOTE in answer.notes:
        rows.append([button("Set my state", "state:ask")])
    return InlineKeyboardMarkup(rows) if rows else None


def topics() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(_rows([button(label, f"topic:{key}") for key, label in TOPICS.items()]))


def forget_confirm() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button("Yes, erase my history", "forget:yes"), button("Cancel", "forget:no")]])
