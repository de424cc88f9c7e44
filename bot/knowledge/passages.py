"""Split documents into self-contained passages: one per heading, short ones merged, long ones split."""

from __future__ import annotations

import re

from bot.types import Document, Passage

MIN_WORDS = 40
MAX_WORDS = 200

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def _sections(doc: Document) -> list[tuple[str, str]]:
    """(heading, text) pairs; text before the first heading belongs to the title."""
    sections: list[tuple[str, list[str]]] = [(doc.title, [])]
    for line in doc.body.splitlines():
        m = _HEADING.match(line)
        if m:
            heading = m.group(2).strip()
            if len(m.group(1)) == 1 and heading == doc.title:
                continue  # a top-level heading repeating the title is not a section
            sections.append((heading, []))
        else:
            sections[-1][1].append(line)
    out = []
    for heading, lines in sections:
        text = _clean("\n".join(lines))
        if text:
            out.append((heading, text))
    return out


def _clean(text: str) -> str:
    """Markdown to plain reading text: keep list items as lines, drop emphasis markers."""
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)  # notes for editors, not for readers
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    lines = []
    for para in paragraphs:
        para = re.sub(r"(\*\*|__)(.+?)\1", r"\2", para)
        para = re.sub(r"(?<!\w)[*_](\S(?:.*?\S)?)[*_](?!\w)", r"\1", para)
        para = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", para)
        para = re.sub(r"^\s*[-*+]\s+", "• ", para, flags=re.MULTILINE)
        para = re.sub(r"[ \t]*\n[ \t]*(?!•)", " ", para)
        lines.append(para.strip())
    return "\n".join(lines)


def words(text: str) -> int:
    return len(text.split())


def _split_long(text: str) -> list[str]:
    """Split at sentence boundaries into pieces of at most MAX_WORDS, sized evenly."""
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    total = words(text)
    pieces_needed = -(-total // MAX_WORDS)
    target = total / pieces_needed
    pieces, current = [], []
    for sentence in sentences:
        if current and words(" ".join(current + [sentence])) > target * 1.15:
            pieces.append(" ".join(current))
            current = []
        current.append(sentence)
    if current:
        pieces.append(" ".join(current))
    return pieces


def split_document(doc: Document) -> list[Passage]:
    sections = _sections(doc)
    merged: list[tuple[str, str]] = []
    for heading, text in sections:
        if merged and words(merged[-1][1]) < MIN_WORDS:
            prev_heading, prev_text = merged.pop()
            merged.append((prev_heading, f"{prev_text}\n{heading}: {text}"))
        elif merged and words(text) < MIN_WORDS and words(merged[-1][1]) + words(text) <= MAX_WORDS:
            prev_heading, prev_text = merged.pop()
            merged.append((prev_heading, f"{prev_text}\n{heading}: {text}"))
        else:
            merged.append((heading, text))
    passages = []
    for heading, text in merged:
        parts = _split_long(text) if words(text) > MAX_WORDS else [text]
        for i, part in enumerate(parts):
            section = heading if len(parts) == 1 else f"{heading} ({i + 1}/{len(parts)})"
            passages.append(Passage(
                doc_id=doc.id, title=doc.title, section=section, text=part, topic=doc.topic,
                states=doc.states, source=doc.sources[0] if doc.sources else "",
                reviewed_on=doc.reviewed_on.isoformat() if doc.reviewed_on else "",
            ))
    return passages
