"""Inline keyboards and their callback data (Telegram allows at most 64 bytes of it)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.answer.compose import STATE_VARIES_NOTE
from bot.knowledge.load import TOPICS
from bot.types import Answer, Related

MAX_CALLBACK_BYTES = 64
# About what a full-width button shows on a phone before Telegram cuts it off itself.
MAX_LABEL_CHARS = 40
MAX_TOPIC_BUTTONS = 8


def short(label: str, limit: int = MAX_LABEL_CHARS) -> str:
    """The label, or its first words that fit with "…": never cut mid-word."""
    label = " ".join(label.split())
    if len(label) <= limit:
        return label
    room = limit - 1  # one for the "…"
    head = label[:room]
    if label[room].isalnum() and " " in head:  # the cut falls inside a word: drop that word
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:-–(") + "…"


def button(label: str, data: str) -> InlineKeyboardButton | None:
    """A button, or None when its data would not fit Telegram's 64-byte limit."""
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        return None
    return _fixed(label, data)


def _fixed(label: str, data: str) -> InlineKeyboardButton:
    """A button whose data fits by construction: a fixed word, or a question id (at most 24 bytes)."""
    return InlineKeyboardButton(short(label), callback_data=data)


def _rows(buttons: list[InlineKeyboardButton | None]) -> list[list[InlineKeyboardButton]]:
    return [[b] for b in buttons if b is not None]


def related_rows(related: list[Related]) -> list[list[InlineKeyboardButton]]:
    return _rows([button(r.label or r.title, f"doc:{r.doc_id}") for r in related])


def topic(docs: list[Related]) -> InlineKeyboardMarkup:
    """A topic's documents, in reading order, at most eight: more is a list to scroll, not a choice."""
    return InlineKeyboardMarkup(related_rows(docs[:MAX_TOPIC_BUTTONS]))


def feedback_row(question_id: int, chosen: bool | None = None) -> list[InlineKeyboardButton]:
    return [_fixed(("✓ " if chosen is True else "") + "Helpful", f"fb:{question_id}:1"),
            _fixed(("✓ " if chosen is False else "") + "Not helpful", f"fb:{question_id}:0")]


def for_answer(answer: Answer, question_id: int | None, chosen: bool | None = None) -> InlineKeyboardMarkup | None:
    rows = []
    if question_id is not None and answer.status in ("answered", "no_answer"):
        rows.append(feedback_row(question_id, chosen))
    if answer.more_ref and (more := button("More on this", f"more:{answer.more_ref}")) is not None:
        rows.append([more])
    rows += related_rows(answer.related)
    if STATE_VARIES_NOTE in answer.notes:
        rows.append([_fixed("Set my state", "state:ask")])
    return InlineKeyboardMarkup(rows) if rows else None


def topics() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(_rows([button(label, f"topic:{key}") for key, label in TOPICS.items()]))


def forget_confirm() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_fixed("Yes, erase my history", "forget:yes"), _fixed("Cancel", "forget:no")]])
