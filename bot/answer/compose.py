"""Compose an Answer from ranked passages, or the fixed replies for the gate's verdicts."""

from __future__ import annotations

import re

from bot.knowledge.load import TOPICS
from bot.knowledge.passages import sentences as sentences_of
from bot.answer import figures
from bot.answer.coverage import PAY
from bot.answer.crisis import Reply
from bot.answer.retrieve import Hit, by_document
from bot.states import name as state_name, named
from bot.types import Answer, Passage, PassageHit, Related, Source, Status

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
EMERGENCY_REPLY = (
    "This could be an emergency: call 911 now (or your local emergency number). If something was "
    "swallowed or someone was poisoned, Poison Control is at 1-800-222-1222, any time. I can't give "
    "medical advice: for anything that is not an emergency, ask a doctor, nurse or pharmacist."
)
CRISIS_REPLY = (
    "I'm really sorry you're going through this, and I'm glad you told me. You don't have to face it "
    "alone: call or text 988, or chat at 988lifeline.org, to reach the 988 Suicide & Crisis Lifeline, "
    "free and confidential, any time. If you are in immediate danger, call 911 now."
)
# When only an unsure classifier heard a crisis: ask directly (as the 988 Lifeline advises), give the
# same lines, and leave room for what the person meant.
CRISIS_CHECK_IN_REPLY = (
    "I want to be sure I understood you. Are you having thoughts of ending your life or hurting "
    "yourself? If you are, please call or text 988, or chat at 988lifeline.org, to reach the 988 "
    "Suicide & Crisis Lifeline, free and confidential, any time. If you are in immediate danger, "
    "call 911 now. If I misread you, tell me a little more and I'll help with your career question."
)
CRISIS_SOMEONE_ELSE_REPLY = (
    "I'm sorry, that is a lot to carry. Take it seriously and don't leave them alone if they may be in "
    "danger: call 911 now if they are. You can call or text 988, or chat at 988lifeline.org, the 988 "
    "Suicide & Crisis Lifeline, for advice on how to help them or to call together; it is free and "
    "confidential, any time. If you are struggling too, 988 is there for you as well."
)
ABUSE_REPLY = (
    "I'm so sorry this is happening to you; you don't deserve it. If you are in danger now, call 911. "
    "The National Domestic Violence Hotline is free and confidential, any time: call 1-800-799-7233, "
    "text START to 88788, or chat at thehotline.org. They can help you plan how to stay safe."
)
ASSAULT_REPLY = (
    "I'm so sorry this happened to you. It is not your fault. If you are in danger now or hurt, call "
    "911. The National Sexual Assault Hotline (RAINN) is free and confidential, any time: call "
    "800-656-4673 or chat at online.rainn.org. They can help you find care nearby and think through "
    "what to do next, at your own pace."
)
# 988 answers in Spanish when the caller presses 2.
CRISIS_SPANISH_REPLY = (
    "Siento mucho que estés pasando por esto, y me alegra que me lo hayas dicho. No tienes que "
    "enfrentarlo a solas: llama al 988 y marca el 2 para hablar en español con la Línea 988 de "
    "Prevención del Suicidio y Crisis, gratis y confidencial, a cualquier hora. Si estás en peligro "
    "inmediato, llama al 911 ahora."
)
ATTEMPT_REPLY = (
    "Please call 911 now, or get someone to take you to the emergency room: what you took or breathed "
    "in can harm you even if you feel okay. Poison Control is at 1-800-222-1222, any time. You matter, "
    "and you don't have to face this alone: the 988 Suicide & Crisis Lifeline (call or text 988) is "
    "there for you too."
)
DANGER_REPLY = (
    "This sounds like an emergency: call 911 now if you can do it safely. If you can't talk, many "
    "areas take a text to 911. Stay where you are safest until help arrives. When you are safe, the "
    "988 Lifeline (call or text 988) is there if you need to talk it through, any time."
)
# Under any reply to a message the classifier finds somewhat worrying (gate.CRISIS_WATCH).
SUPPORT_LINE = "If things feel heavy right now, you can call or text 988 any time, free and confidential."
# After a referral, "should i still go to externship tomorrow": who decides, and who to tell.
FIT_TO_GO_LINE = ("A doctor or nurse can also tell you whether you are well enough to go in; if you can't "
                  "go, tell your supervisor, instructor or externship site as early as you can.")
CRISIS_CAREER_LINE = "When you feel ready, I'm here to help with your career question too."
CRISIS_CAREER_LINE_ES = "Cuando te sientas listo o lista, también te ayudo con tu pregunta sobre tu carrera."
WORKPLACE_REPLY = (
    "That sounds like something happening at work right now, so I won't answer it from career "
    "guidance. Tell the provider or your supervisor now, and follow your employer's protocol (for a "
    "needlestick or blood exposure, its exposure-control plan). If anyone is in danger, call 911."
)
# A message the bot cannot read may still come from someone in crisis that neither the patterns nor
# the classifier (both trained on English, with some Spanish) heard: the reply says where help is.
NON_ENGLISH_REPLY = (
    "Sorry, I can only answer in English for now. Please ask your question in English, for "
    "example: \"How do I become a medical assistant?\"\n\n"
    "If you are in danger, call 911. If you are struggling or thinking of hurting yourself, call or "
    "text 988; the 988 Lifeline can connect you with an interpreter. "
    "Si estás en crisis, llama o envía un mensaje de texto al 988 (marca 2 para español), o llama al 911."
)
OUT_OF_SCOPE_REPLY = (
    "I can only help with careers in health care, starting with medical assisting: training and "
    "schools, certification (CMA, RMA, CCMA and others), what medical assistants may do in your "
    "state, pay and job outlook, and career paths. Try asking, for example, \"CMA or RMA?\""
)
NO_ANSWER_REPLY = (
    "I don't have vetted guidance on that yet, so I won't guess. I can help with: "
    + "; ".join(t[0].lower() + t[1:] for t in TOPICS.values()) + "."
)
NO_ANSWER_ON = ("I don't have vetted guidance on {missing} yet, so I won't guess. I can help with medical "
                "assisting: training, certification, what MAs may do in your state, pay and career paths.")
STATE_GAP_REPLY = ("I don't have vetted guidance on {what} in {state} yet, and the "
                   "rules differ from state to state, so I won't guess. The {state} medical board can tell you "
                   "what applies there. The topics below have the general rules.")
STATE_PAY_GAP_REPLY = ("I don't have a vetted pay figure for medical assistants in {state} yet, so I won't "
                       "guess. The Bureau of Labor Statistics publishes MA wages for every state and metro area "
                       "(occupation code 31-9092); the topics below have the national figures and how to look "
                       "up yours.")
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


_NEEDS_CONTEXT = re.compile(r"^(?:it|this|that|they|these|those|he|she|both|either|neither)\b", re.IGNORECASE)
ANSWER_WORDS = 60
MIN_ANSWER_WORDS = 25  # a lead shorter than this goes on with the sentences after it
LIST_SLACK = 20        # extra words a list may take after the line that introduces it
MAX_SENTENCES = 3
_CAVEAT = re.compile(r"^(?:one|some|other|older|a few|several)\b[^.;:]*\b(?:sites?|sources?|pages?|reports?|says?|said)\b",
                     re.IGNORECASE)
FIGURE_NEAR = 0.03  # figure sentences this close to the best one are ties: the earliest leads


def _lead(scored: list[tuple[float, int, str]], figure: re.Pattern[str] | None) -> tuple[float, int, str]:
    """The sentence the reply opens with: the best match, or when a figure was asked for, the best
    match among the sentences holding that kind of figure (any number when none does). Measured on
    the dev split: choosing the earliest figure sentence within 0.15 instead lost 0.10 of figure_first."""
    best = max(scored)
    if figure is None:
        return best
    holding = [c for c in scored if figure.search(c[2])] or [c for c in scored if figures.ANY.search(c[2])]
    if not holding:
        return best
    # A caveat ("One exam-prep site reports higher fees of $250") holds a figure too, but the
    # figure the guidance stands behind leads.
    holding = [c for c in holding if not _CAVEAT.match(c[2])] or holding
    top = max(c[0] for c in holding)
    return min((c for c in holding if c[0] >= top - FIGURE_NEAR), key=lambda c: c[1])


def _list_intro(sentences: list[tuple[str, float]], pos: int) -> int | None:
    """Where the line introducing a list item stands ("...an MA may not:"), for an item chosen to lead."""
    if not sentences[pos][0].startswith("•"):
        return None
    for i in range(pos - 1, -1, -1):
        if not sentences[i][0].startswith("•"):
            return i if sentences[i][0].endswith(":") else None
    return None


# A word linking a sentence to the one before it, dropped when the sentence opens the answer.
_LINK = re.compile(r"^(?:So|And|But|Also|Still|Then),?\s+(\w)")


def answer_first(sentences: list[tuple[str, float]], figure: re.Pattern[str] | None = None,
                 budget: int = ANSWER_WORDS) -> str:
    """The one to three sentences that answer the question, about `budget` words: the figure asked
    for first (`figures.pattern`), otherwise the best matches in the passage's own order."""
    return opening(choose(sentences, figure, budget))


def opening(chosen: list[str]) -> str:
    """The chosen sentences as the reply opens: read out of its place, "So in May 2024 roughly
    half..." opens with a link to nothing."""
    if not chosen:
        return ""
    first = _LINK.sub(lambda m: m.group(1).upper(), chosen[0], count=1)
    return "\n".join([first, *chosen[1:]])


def choose(sentences: list[tuple[str, float]], figure: re.Pattern[str] | None = None,
           budget: int = ANSWER_WORDS) -> list[str]:
    """The sentences `answer_first` shows, in the order it shows them, as the passage words them."""
    if not sentences:
        return []
    scored = [(score, pos, text) for pos, (text, score) in enumerate(sentences)]
    lead = _lead(scored, figure)
    chosen = [lead]
    if figure is None and (intro := _list_intro(sentences, lead[1])) is not None:
        chosen.append((0.0, intro, sentences[intro][0]))  # "• interpret test results": "an MA may not:"
    elif _NEEDS_CONTEXT.match(lead[2]) and lead[1] > 0 and figure is None:
        chosen.append((0.0, lead[1] - 1, sentences[lead[1] - 1][0]))  # "It costs $125": say what "it" is
    words = sum(len(c[2].split()) for c in chosen)
    # A lead too short to say anything alone ("Medical assistants have two kinds of duties.") does
    # not count against the budget: the sentence it leads into may be a long one (blind8, read: the
    # 60-word list of clinical duties lost to the administrative one for "do mas take vitals").
    room = budget + (words if words < MIN_ANSWER_WORDS else 0)
    for cand in sorted(scored, reverse=True):
        if len(chosen) >= MAX_SENTENCES or cand[1] in {c[1] for c in chosen} or _CAVEAT.match(cand[2]):
            continue  # a caveat about another site's figure is for "More", not the short answer
        n = len(cand[2].split())
        if words + n > room or cand[0] < lead[0] - 0.15:
            continue
        chosen.append(cand)
        words += n
    if len(chosen) == 1 and words >= MIN_ANSWER_WORDS:
        # One sentence rarely answers alone: "Many new graduates hit the same wall: ads ask for a year
        # of experience..." (0.72) restates the question, and the advice after it scores 0.50. The
        # best other sentence that fits comes too (blind8, read). A shorter lead goes on with the
        # sentence after it instead (below), which says what it leads into.
        # Only one after the lead: shown in the passage's order, an earlier one would push the lead,
        # the best match, out of the first line (blind lost a figure from its first sentence).
        second = [c for c in sorted(scored, reverse=True) if c[1] > lead[1] and not _CAVEAT.match(c[2])
                  and words + len(c[2].split()) <= budget]
        if second:
            chosen.append(second[0])
            words += len(second[0][2].split())
    taken = {c[1] for c in chosen}
    # Too short to stand alone ("You can take much of it online, but not all of it."): go on with
    # what follows it in the passage; a line introducing a list ("...certain tasks:") takes its items.
    intro = lead[2].endswith(":")
    for pos in range(lead[1] + 1, len(sentences)):
        text = sentences[pos][0]
        in_list = intro and text.startswith("•")
        if pos in taken:
            continue
        n = len(text.split())
        if not (words < MIN_ANSWER_WORDS or in_list) or words + n > budget + (LIST_SLACK if in_list else 0):
            break
        chosen.append((0.0, pos, text))
        taken.add(pos)
        words += n
    rest = sorted(chosen[1:], key=lambda c: c[1])
    ordered = [lead, *rest] if figure is not None else sorted(chosen, key=lambda c: c[1])
    return [c[2] for c in ordered]


def _about_another_state(sentence: str, state: str | None, passage_states: tuple[str, ...]) -> bool:
    """A sentence on one state's rules that the asker did not ask about and the passage is not
    specific to ("...no Pennsylvania-specific rule on phone triage"): it never leads while another
    sentence can (its score drops by 1). A source in brackets ("Illinois workNet") is no subject."""
    states = named(re.sub(r"\([^)]*\)", "", sentence))
    return len(states) == 1 and not states & {state, *passage_states}


def cited(p: Passage, shown: list[str]) -> tuple[str, ...]:
    """The sources the shown sentences of a passage cite, in the front matter's order; all of the
    passage's when it is shown whole (`shown` empty) or a sentence is not one of its own."""
    cites = dict(zip(sentences_of(p.text), p.cites))
    if not shown or any(s not in cites for s in shown):
        return p.sources
    return tuple(p.sources[i] for i in sorted({i for s in shown for i in cites[s]}))


def _sources(shown: list[tuple[Passage, tuple[str, ...]]], titles: dict[str, str]) -> list[Source]:
    """The sources of the shown passages, once each, with the reviewed date."""
    out, seen = [], set()
    for p, sources in shown:
        for src in sources:
            if src not in seen:
                seen.add(src)
                out.append(Source(p.doc_id, titles.get(p.doc_id, p.title), src, p.reviewed_on))
    return out


def answered(hits: list[Hit], state: str | None, state_named: bool, titles: dict[str, str],
             sentences: list[tuple[str, float]] | None = None, figure: re.Pattern[str] | None = None,
             already_said: str | None = None) -> Answer:
    """The best passage: its answering sentences first (`body`), the whole section one press away
    (`body_full`), its own sources, state notes that never contradict it, and related topics."""
    top = hits[0]
    p = top.passage
    notes = []
    full = trim(p.text if p.section == p.title else f"{p.section}\n{p.text}")
    mentions_state = state is not None and state_name(state).lower() in p.text.lower()
    if p.states:
        where = ", ".join(state_name(s) for s in p.states)
        if state and state not in p.states:
            notes.append(f"This guidance is specific to {where}, not {state_name(state)}; "
                         f"check your own state's rules.")
        else:
            notes.append(f"This guidance is specific to {where}.")
    elif p.topic == "scope" and state is None:
        notes.append(STATE_VARIES_NOTE)
    elif p.topic == "scope" and state is not None and state_named and not mentions_state:
        notes.append(f"I have no guidance specific to {state_name(state)}; this is the general rule. "
                     f"Check with the {state_name(state)} medical and nursing boards.")
    if sentences:
        sentences = [(t, sc - 1.0 if _about_another_state(t, state, p.states) else sc) for t, sc in sentences]
    chosen = choose(sentences or [], figure)
    body = opening(chosen) or full
    if already_said and body == already_said:
        # A follow-up that lands on the same sentences gets the passage's next-best ones instead,
        # after the one holding the figure it asks for, if the previous answer held it too ("how
        # many questions" then "and how long do i get": one sentence gives both).
        keep = chosen[:1] if figure is not None and chosen and figure.search(chosen[0]) else []
        fresh = [s for s in sentences or [] if s[0] not in already_said or s[0] in keep]
        chosen = choose(fresh, figure)
        body = opening(chosen) or full
    shown = [(p, cited(p, chosen))]
    local = _local(hits, state, p.topic) if not p.states else None
    if local is not None:
        # General guidance first, then what the asker's own state adds to it.
        lp = local.passage
        text = trim(lp.text, LOCAL_CHARS)
        prefix = "" if text.lower().startswith(f"in {state_name(state).lower()}") else f"In {state_name(state)}: "
        body += f"\n\n{prefix}{text}"
        full += f"\n\n{prefix}{text}"
        shown.append((lp, cited(lp, sentences_of(text) if text != lp.text else [])))
        notes = []
    sources = _sources(shown, titles)
    exclude = {s.doc_id for s in sources}
    return Answer(
        status="answered", answer="", body=body, body_full=full, notes=notes, sources=sources,
        passages=_passage_hits(hits), related=_related(hits, exclude, titles), state=state,
    )


def _local(hits: list[Hit], state: str | None, topic: str) -> Hit | None:
    """The best passage specific to the asker's state, when it is relevant to the question: on the
    answer's topic ("ma pay in california" must not gain California's scope rules)."""
    if state is None:
        return None
    for h in hits[:LOCAL_WITHIN]:
        if state in h.passage.states and h.passage.topic == topic and h.dense >= LOCAL_MIN_SCORE:
            return h
    return None


def crisis(career_question: bool, state: str | None = None, reply: Reply = "self") -> Answer:
    """The 988 reply (or a check-in asking directly), how to help someone the asker knows, the
    domestic violence or sexual assault hotline, or 911 for danger now; one more line when the message also held a
    career question."""
    opening = {"self": CRISIS_REPLY, "spanish": CRISIS_SPANISH_REPLY, "attempt": ATTEMPT_REPLY,
               "check_in": CRISIS_CHECK_IN_REPLY, "someone_else": CRISIS_SOMEONE_ELSE_REPLY,
               "abuse": ABUSE_REPLY, "assault": ASSAULT_REPLY,
               "danger": DANGER_REPLY}[reply]
    offer = career_question and reply in ("self", "attempt", "abuse", "assault", "someone_else", "spanish")
    line = CRISIS_CAREER_LINE_ES if reply == "spanish" else CRISIS_CAREER_LINE
    body = opening + (f"\n\n{line}" if offer else "")
    return Answer(status="crisis", answer="", body=body, state=state)


def fixed(status: Status, hits: list[Hit] | None = None, titles: dict[str, str] | None = None,
          state: str | None = None, workplace: bool = False, non_english: bool = False,
          missing: str | None = None, state_gap: str | None = None, emergency: bool = False,
          fit_to_go: bool = False) -> Answer:
    """The gate's referral, the polite decline, or the honest no-answer with nearby topics;
    `missing` names what the guidance lacks ("medical scribes"), `state_gap` which of the asker's
    state's rules it lacks ("what medical assistants may do", "EKGs by medical assistants")."""
    no_answer = (STATE_PAY_GAP_REPLY.format(state=state_name(state)) if state_gap == PAY and state
                 else STATE_GAP_REPLY.format(what=state_gap, state=state_name(state)) if state_gap and state
                 else NO_ANSWER_ON.format(missing=missing) if missing else NO_ANSWER_REPLY)
    medical = (WORKPLACE_REPLY if workplace else EMERGENCY_REPLY if emergency
               else f"{MEDICAL_REPLY} {FIT_TO_GO_LINE}" if fit_to_go else MEDICAL_REPLY)
    body = {"medical": medical,
            "out_of_scope": NON_ENGLISH_REPLY if non_english else OUT_OF_SCOPE_REPLY,
            "no_answer": no_answer}[status]
    related = _related(hits or [], set(), titles or {}) if status == "no_answer" else []
    return Answer(status=status, answer="", body=body, passages=_passage_hits(hits or []) if status == "no_answer" else [],
                  related=related, state=state)
