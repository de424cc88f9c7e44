"""What figure a question asks for ("how much does it cost" wants "$125", not "every 2 years"):
the reranker prefers passages holding it and the answer opens with the sentence that does."""

from __future__ import annotations

import re

# How people shorten what they count ("how many hrs", "how long in yrs"), spelled out for matching.
_SHORT = {"hrs": "hours", "hr": "hour", "yrs": "years", "yr": "year", "mos": "months", "mins": "minutes",
          "min": "minutes", "wks": "weeks", "wk": "week", "qs": "questions", "q's": "questions", "ce": "ceu",
          "ces": "ceus", "tries": "times", "attempts": "times", "chances": "times"}
_SHORT_WORD = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in sorted(_SHORT, key=len, reverse=True)) + r")\b",
                         re.IGNORECASE)
_NUMBER = r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)"
# What a counted noun is also called in the guidance ("how many times can I retake": "four attempts").
_COUNTED_AS = {"time": r"(?:times?|attempts?|tries)", "ceu": r"(?:ceus?|ce (?:hours|credits|units)|"
               r"continuing education (?:units|hours|credits|points)|recertification points|points|hours)",
               "question": r"(?:questions?|items?)", "credit": r"(?:credits?|credit hours?|semester hours?)"}

_FIGURE_QUESTION = re.compile(
    r"\b(?:how (?:much|many|long|often|old)|what(?:'?s| is| are)? (?:the |an? )?"
    r"(?:(?:starting|average|avg|median|typical|usual|normal|entry[- ]level|hourly|yearly|annual|base|exam|renewal) ){0,2}"
    r"(?:cost|fee|fees|price|pay|salary|wage|score|"
    r"passing score|percent|percentage|number|pass rate|passing rate)|cost|fee|fees|price|salary|wage|per hour|hourly|"
    r"an hour|passing score|pass rate|passing rate|how soon|how quickly|how fast|what score|"
    # "what do you need to pass the rma": the passing score
    r"need(?:ed)? to (?:get to )?pass (?:the |my |your )?(?:nha |aama |amt |ncct |amca )?(?:cma|rma|ccma|ncma|cmac|exam|test)|"
    r"(?:quicker|faster|shorter|longer) to (?:finish|complete|get|become|train|do)|"
    r"when (?:do|will|would|should) (?:i|you|we) (?:get|hear|find out|receive|know))\b", re.IGNORECASE)
DOLLARS = re.compile(r"\$\s?\d")
_DURATION = re.compile(
    rf"{_NUMBER}\s*(?:to\s*{_NUMBER}\s*)?(?:-\s*)?(?:weeks?|months?|years?|days?|hours?|minutes?)\b|"
    r"\b(?:every|each) (?:\w+ )?(?:years?|months?|weeks?)\b|\bannual(?:ly)?\b|\byearly\b", re.IGNORECASE)
# (what the question asks for, what a sentence holding that figure contains); the first match wins.
_FIGURE_KINDS = (
    (re.compile(r"\bhow much\b|\b(?:cost|costs|fee|fees|price|tuition|pay|paid|salary|wages?|make|earn\w*|per hour|"
                r"hourly|an hour)\b", re.IGNORECASE), DOLLARS),
    (re.compile(r"\bhow many (\w+)", re.IGNORECASE), None),  # the unit is the counted noun itself
    # "how long is it good for", "how long does the cma last": how long a credential stays valid
    (re.compile(r"\bhow long (?:is|are|does|do|will) (?:it|they|that|my|the|your|a|an) ?(?:\w+ )?(?:good|valid|last)\b|"
                r"\bhow long (?:until|before) (?:it|they|my \w+|the \w+) expires?\b", re.IGNORECASE),
     re.compile(r"\b(?:every|each) (?:\w+ )?(?:years?|months?)\b|\b(?:valid|good) for (?:\w+ )?\d|\brenew\w* (?:\w+ ){0,4}\d+ years?\b",
                re.IGNORECASE)),
    # "how soon can i be working", "when do i get my score": a wait, told as a duration
    # ... and "which one is quicker to finish school for": a comparison of two durations
    (re.compile(r"\bhow long|how old|how often|how soon|how quickly|how fast|"
                r"\b(?:quicker|faster|shorter|longer) to (?:finish|complete|get|become|train|do)\b|"
                r"\bwhen (?:do|will|would|should) (?:i|you|we) "
                r"(?:get|hear|find out|receive|know)\b|\bweeks?\b|\bmonths?\b|\byears?\b", re.IGNORECASE), _DURATION),
    (re.compile(r"\bscore|percent|pass(?:ing)? rate|need(?:ed)? to (?:get to )?pass\b", re.IGNORECASE),
     # the score itself ("a scaled score of 70"), not any number: "210 multiple-choice questions"
     # had led the RMA's passing score
     re.compile(r"\d+\s*%|\bpercent\b|\bscore of \d|\d{2,3} (?:or (?:higher|above|better)|to pass|out of)\b")),
)
ANY = re.compile(r"\d")


def _spelled_out(question: str) -> str:
    return _SHORT_WORD.sub(lambda m: _SHORT[m.group().lower()], question)


def is_figure_question(question: str) -> bool:
    return bool(_FIGURE_QUESTION.search(_spelled_out(question)))


def pattern(question: str) -> re.Pattern[str] | None:
    """What a text holding the asked-for figure looks like; None when no figure was asked for."""
    question = _spelled_out(question)
    if not _FIGURE_QUESTION.search(question):
        return None
    for asks, holds in _FIGURE_KINDS:
        m = asks.search(question)
        if m is None:
            continue
        if holds is None:  # "how many questions": a number followed, within a few words, by "questions"
            noun = m.group(1).lower().rstrip("s")
            counted = _COUNTED_AS.get(noun, re.escape(noun[:6]))
            return re.compile(rf"{_NUMBER}\s+(?:\w+[- ]){{0,2}}{counted}", re.IGNORECASE)
        return holds
    return ANY
