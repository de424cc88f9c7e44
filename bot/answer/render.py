"""Render an Answer for a front end: plain text for the console, Telegram HTML for the bot.

Every string from the knowledge base is escaped in HTML; nothing here decides content.
"""

from __future__ import annotations

import html
import re

from bot.types import Answer

TELEGRAM_LIMIT = 4096


def source_line(answer: Answer) -> str | None:
    if not answer.sources:
        return None
    return "Source: " + "; ".join(
        s.source + (f" (reviewed {s.reviewed_on})" if s.reviewed_on else "") for s in answer.sources)


def to_text(answer: Answer) -> str:
    parts = [answer.body, *answer.notes]
    line = source_line(answer)
    if line:
        parts.append(line)
    if answer.related:
        parts.append("Related: " + " · ".join(r.title for r in answer.related))
    return "\n\n".join(parts)


def to_html(answer: Answer, limit: int = TELEGRAM_LIMIT) -> str:
    e = html.escape
    body = e(answer.body)
    if answer.sources and "\n" in answer.body:
        heading, rest = answer.body.split("\n", 1)
        body = f"<b>{e(heading)}</b>\n{e(rest)}"
    if answer.status in ("crisis", "medical"):  # the numbers to call stand out
        body = re.sub(r"\b(988|911|1-800-222-1222)\b", r"<b>\1</b>", body)
    parts = [body, *(f"<i>{e(n)}</i>" for n in answer.notes)]
    if answer.sources:
        parts.append("<b>Source:</b> " + "; ".join(
            e(s.source) + (f" · reviewed {e(s.reviewed_on)}" if s.reviewed_on else "") for s in answer.sources))
    text = "\n\n".join(parts)
    if len(text) > limit:  # bodies are trimmed long before this; a last guard for odd sources
        text = e(to_text(answer))[: limit - 1] + "…"
    return text
