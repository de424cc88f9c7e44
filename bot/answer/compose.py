"""Compose an Answer from ranked passages, or the fixed replies for the gate's verdicts."""

from __future__ import annotations

import re

from bot.knowledge.load import TOPICS
from bot.answer.retrieve import Hit, by_document
from bot.states import name as state_name
from bot.types import Answer, PassageHit, Related, Source, Status

MAX_BODY_CHARS = 900
MAX_RELATED = 3
RELATED_MIN_SCORE = 0.35  # dense similarity a suggestion needs to be worth showing
LOCAL_MIN_SCORE = 0.45    # ... and a passage about the asker's state to be added to the answer
LOCAL_WITHIN = 10         # how far down the ranking to look for it
LOCAL_CHARS = 600

MEDICAL_REPLY = (
    "I can't give medical advice about your own health, symptoms, test results or medicines. "
    "Please ask a doctor, nurse or pharmacist, who can look at your situation. "
    "If this could be an emergency, call 911 now (or your local emergency number)."
)
CRISIS_REPLY = (
    "I'm really sorry you're going through this, and I'm glad you told me. You don't have to face it "
    "alone: call or text 988, or chat at 988lifeline.org, to reach the 988 Suicide & Crisis Lifeline, "
    "free and confidential, any time. If you are in immediate danger, call 911 now."
)
CRISIS_CAREER_LINE = "When you feel ready, I'm here to help with your career question too."
WORKPLACE_REPLY = (
    "That sounds like something happening at work right now, so I won't answer it from career "
    "guidance. Tell the provider or your supervisor now, and follow your employer's protocol (for a "
    "needlestick or blood exposure, its exposure-control plan). If anyone is in danger, call 911."
)
NON_ENGLISH_REPLY = (
    "Sorry, I can only answer in English for now. Please ask your question in English, for "
    "example: \"How do I become a medical assistant?\""
)
OUT_OF_SCOPE_REPLY = (
    "I can only help with careers in health care, starting with medical assisting: training and "
    "schools, certification (CMA, RMA, CCMA and others), what medical assistants may do in your "
    "state, pay and job outlook, and career paths. Try asking, for example, \"CMA or RMA?\""
)
NO_ANSWER_REPLY = (
    "I don't have vetted guidance on that yet, so I won't guess. I can help with: "
    + "; ".join(t.lower() for t in TOPICS.values()) + "."
)
STATE_VARIES_NOTE = ("Rules differ by state; this is the general rule. Tell me your state "
                     "(for example /state CA) for state-specific guidance.")


def trim(text: str, limit: int = MAX_BODY_CHARS) -> str:
    """Cut at the last sentence (or list item) boundary before `limit` characters."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s)|\n", cut)]
    if ends and ends[-1] > limit // 3:
        return cut[:ends[-1]].rstrip()
    return cut[:cut.rfind(" ")].rstrip() + "…"


def _passage_hits(hits: list[Hit], n: int = 5) -> list[PassageHit]:
    return [PassageHit(h.passage.doc_id, h.passage.section, h.passage.text, round(h.dense, 4)) for h in hits[:n]]


def _related(hits: list[Hit], exclude: set[str], titles: dict[str, str]) -> list[Related]:
    out = []
    for h in by_document(hits):
        if h.passage.doc_id not in exclude and h.dense >= RELATED_MIN_SCORE:
            out.append(Related(h.passage.doc_id, titles.get(h.passage.doc_id, h.passage.title)))
        if len(out) == MAX_RELATED:
            break
    return out


def answered(hits: list[Hit], state: str | None, state_named: bool, titles: dict[str, str]) -> Answer:
    top = hits[0]
    p = top.passage
    notes = []
    if p.states:
        where = ", ".join(state_name(s) for s in p.states)
        if state and state not in p.states:
            notes.append(f"This guidance is specific to {where}, not {state_name(state)}; "
                         f"check your own state's rules.")
        else:
            notes.append(f"This guidance is specific to {where}.")
    elif p.topic == "scope" and state is None:
        notes.append(STATE_VARIES_NOTE)
    elif p.topic == "scope" and state is not None and state_named:
        notes.append(f"I have no guidance specific to {state_name(state)}; this is the general rule. "
                     f"Check with the {state_name(state)} medical and nursing boards.")
    body = trim(p.text if p.section == p.title else f"{p.section}\n{p.text}")
    sources = [Source(p.doc_id, titles.get(p.doc_id, p.title), p.source, p.reviewed_on)]
    local = _local(hits, state) if not p.states else None
    if local is not None:
        # General guidance first, then what the asker's own state adds to it.
        lp = local.passage
        body += f"\n\nIn {state_name(state)}: {trim(lp.text, LOCAL_CHARS)}"
        sources.append(Source(lp.doc_id, titles.get(lp.doc_id, lp.title), lp.source, lp.reviewed_on))
        notes = []
    exclude = {s.doc_id for s in sources}
    return Answer(
        status="answered", answer="", body=body, notes=notes, sources=sources,
        passages=_passage_hits(hits), related=_related(hits, exclude, titles), state=state,
    )


def _local(hits: list[Hit], state: str | None) -> Hit | None:
    """The best passage specific to the asker's state, when it is relevant to the question."""
    if state is None:
        return None
    for h in hits[:LOCAL_WITHIN]:
        if state in h.passage.states and h.dense >= LOCAL_MIN_SCORE:
            return h
    return None


def crisis(career_question: bool, state: str | None = None) -> Answer:
    """The 988 reply; one more line when the message also held a career question."""
    body = CRISIS_REPLY + (f"\n\n{CRISIS_CAREER_LINE}" if career_question else "")
    return Answer(status="crisis", answer="", body=body, state=state)


def fixed(status: Status, hits: list[Hit] | None = None, titles: dict[str, str] | None = None,
          state: str | None = None, workplace: bool = False, non_english: bool = False) -> Answer:
    """The gate's referral, the polite decline, or the honest no-answer with nearby topics."""
    body = {"medical": WORKPLACE_REPLY if workplace else MEDICAL_REPLY,
            "out_of_scope": NON_ENGLISH_REPLY if non_english else OUT_OF_SCOPE_REPLY,
            "no_answer": NO_ANSWER_REPLY}[status]
    related = _related(hits or [], set(), titles or {}) if status == "no_answer" else []
    return Answer(status=status, answer="", body=body, passages=_passage_hits(hits or []) if status == "no_answer" else [],
                  related=related, state=state)
