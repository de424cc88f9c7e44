"""Read a question in its conversation: follow-ups lean on the previous question, states are noticed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answer.query import expand
from bot.states import find_state
from bot.types import Context

FOLLOW_UP_MAX_WORDS = 8
_LEADS = re.compile(r"^\s*(and|also|plus|but|so|then|what about|how about|what if|same for|ok(ay)?|and what about)\b",
                    re.IGNORECASE)
_ANAPHORA = re.compile(r"\b(it|its|it's|that|this|they|them|those|these|there|one|ones)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Reading:
    query: str          # the text to search with
    state: str | None   # the asker's state for this question
    state_named: bool   # the question itself named the state
    follow_up: bool


def is_follow_up(question: str) -> bool:
    words = question.split()
    if not words or len(words) > FOLLOW_UP_MAX_WORDS:
        return False
    if _LEADS.match(question):
        return True
    return len(words) <= 6 and bool(_ANAPHORA.search(question))


def read(question: str, context: Context | None) -> Reading:
    context = context or Context()
    named = find_state(question)
    follow = bool(context.previous_question) and is_follow_up(question)
    query = expand(f"{context.previous_question} {question}" if follow else question)
    if named is None and follow:
        named = find_state(context.previous_question or "")
    return Reading(query=query, state=named or context.state, state_named=named is not None, follow_up=follow)


def remember(answer, previous: str | None) -> str | None:
    """What the next follow-up leans on: the last question that got an answer (bounded)."""
    return answer.query[-300:] if answer.status == "answered" else previous
