"""Render an Answer for a front end: plain text for the console, Telegram HTML for the bot.

Every string from the knowledge base is escaped in HTML; nothing here decides content.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from bot.types import Answer

TELEGRAM_LIMIT = 4096


def _by_document(answer: Answer) -> list[tuple[list[str], str]]:
    """The answer's sources grouped by document, each group with the document's reviewed date:
    the date is said once per document, not after every source."""
    groups: list[tuple[str, list[str], str]] = []
    for s in answer.sources:
        if groups and groups[-1][0] == s.doc_id:
            groups[-1][1].append(s.source)
        else:
            groups.append((s.doc_id, [s.source], s.reviewed_on))
    return [(sources, reviewed) for _, sources, reviewed in groups]


def _source_line(answer: Answer, label: str, escape: Callable[[str], str]) -> str:
    return label + "; ".join("; ".join(escape(s) for s in sources) + (f" · reviewed {escape(on)}" if on else "")
                             for sources, on in _by_document(answer))


def source_line(answer: Answer) -> str | None:
    """"Source: AAMA ...; AMT ... · reviewed 2026-11-26": what the shown sentences cite."""
    return _source_line(answer, "Source: ", str) if answer.sources else None


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
        parts.append(_source_line(answer, "<b>Source:</b> ", e))
    text = "\n\n".join(parts)
    if len(text) > limit:  # bodies are trimmed long before this; a last guard for odd sources
        text = e(to_text(answer))[: limit - 1] + "…"
    return text
