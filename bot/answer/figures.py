"""What figure a question asks for ("how much does it cost" wants "$125", not "every 2 years"):
the reranker prefers passages holding it and the answer opens with the sentence that does."""

from __future__ import annotations

import re

_FIGURE_QUESTION = re.compile(
    r"\b(?:how (?:much|many|long|often|old)|what(?:'?s| is| are)? (?:the )?(?:cost|fee|fees|price|pay|salary|wage|score|"
    r"passing score|percent|percentage|number)|cost|fee|fees|price|salary|wage|per hour|hourly|passing score|"
    r"how many (?:hours|questions|weeks|months|years|credits|ceus?|points))\b", re.IGNORECASE)
# (what the question asks for, what a sentence holding that figure contains); the first match wins.
_FIGURE_KINDS = (
    (re.compile(r"\bhow much\b|\b(?:cost|costs|fee|fees|price|tuition|pay|paid|salary|wages?|make|earn\w*|per hour|hourly)\b",
                re.IGNORECASE), re.compile(r"\$\s?\d")),
    (re.compile(r"\bhow many (\w+)", re.IGNORECASE), None),  # the unit is the counted noun itself
    (re.compile(r"\bhow long|how old|how often|\bweeks?\b|\bmonths?\b|\byears?\b", re.IGNORECASE),
     re.compile(r"\d+\s*(?:to\s*\d+\s*)?(?:-\s*)?(?:weeks?|months?|years?|days?|hours?)\b|\b(?:one|two|three|four|five|six|nine|twelve) (?:weeks?|months?|years?)\b",
                re.IGNORECASE)),
    (re.compile(r"\bscore|percent", re.IGNORECASE), re.compile(r"\d+\s*%|\bpercent\b|\bscore of \d|\d{2,3}\b")),
)
ANY = re.compile(r"\d")


def is_figure_question(question: str) -> bool:
    return bool(_FIGURE_QUESTION.search(question))


def pattern(question: str) -> re.Pattern[str] | None:
    """What a text holding the asked-for figure looks like; None when no figure was asked for."""
    if not is_figure_question(question):
        return None
    for asks, holds in _FIGURE_KINDS:
        m = asks.search(question)
        if m is None:
            continue
        if holds is None:  # "how many questions": a number followed, within a few words, by "questions"
            noun = re.escape(m.group(1).rstrip("s")[:6])
            return re.compile(rf"\d[\d,]*\s+(?:\w+[- ]){{0,2}}{noun}", re.IGNORECASE)
        return holds
    return ANY
