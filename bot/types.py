"""Typed records that cross module boundaries: documents, passages, context and answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

Status = Literal["answered", "no_answer", "out_of_scope", "medical", "crisis"]


@dataclass(frozen=True)
class Document:
    """One knowledge-base document: validated front matter plus its Markdown body."""

    id: str
    title: str
    topic: str
    sources: tuple[str, ...]
    reviewed_on: dt.date | None
    reviewed_by: str
    status: str
    states: tuple[str, ...]
    body: str
    path: Path
    short_title: str = ""      # the button label; the title when empty
    order: int | None = None   # place in its topic's list (reading order); unordered ones follow

    @property
    def publishable(self) -> bool:
        return self.status == "published" and bool(self.reviewed_by) and self.reviewed_on is not None


@dataclass(frozen=True)
class Gap:
    """A question people ask near a section that the guidance does not answer, under the name of
    what is missing ("working from home as an MA"): asked, the bot says it has no guidance on it."""

    name: str
    question: str


@dataclass(frozen=True)
class Passage:
    """A self-contained piece of a document, the unit that is embedded, searched and shown."""

    doc_id: str
    title: str
    section: str
    text: str
    topic: str
    states: tuple[str, ...]
    sources: tuple[str, ...]   # what this passage's section cites, in the front matter's order
    reviewed_on: str
    # For each of the passage's sentences (`passages.sentences(text)`), the positions in `sources`
    # of the ones it cites: an answer shows only what its sentences cite.
    cites: tuple[tuple[int, ...], ...] = ()
    asks: tuple[str, ...] = ()  # questions people type that this passage answers
    gaps: tuple[Gap, ...] = ()  # questions asked near it that the guidance does not answer

    @property
    def embed_text(self) -> str:
        """What the encoder sees: the title and heading keep a passage meaningful on its own."""
        if self.section == self.title:
            return f"{self.title}. {self.text}"
        return f"{self.title}: {self.section}. {self.text}"


@dataclass
class Context:
    """What a front end knows about the conversation: the asker's state, the previous question and
    the answer it got (so a follow-up never repeats it word for word)."""

    state: str | None = None
    previous_question: str | None = None
    previous_answer: str | None = None
    referred: bool = False  # the last reply referred the asker to a clinician
    declined: bool = False  # the last reply declined the previous question (out of scope, or an occupation it lacks)


@dataclass(frozen=True)
class Source:
    doc_id: str
    title: str
    source: str
    reviewed_on: str


@dataclass(frozen=True)
class PassageHit:
    doc_id: str
    section: str
    text: str
    score: float


@dataclass(frozen=True)
class Related:
    """A suggestion shown under an answer; `doc_id` is what a front end asks for next."""

    doc_id: str
    title: str
    label: str = ""  # short, for a button (the document's short_title)


@dataclass
class Answer:
    status: Status
    answer: str
    body: str = ""          # what the reply opens with: the sentences that answer, about 60 words
    body_full: str = ""     # the whole section, one press away ("More")
    more_ref: str = ""      # "doc_id:n", the n-th passage of the document, when body_full says more
    notes: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    passages: list[PassageHit] = field(default_factory=list)
    related: list[Related] = field(default_factory=list)
    state: str | None = None
    query: str = ""
    index_version: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def top_doc(self) -> str | None:
        return self.sources[0].doc_id if self.sources else None

    @property
    def score(self) -> float | None:
        return self.passages[0].score if self.passages else None

    def to_dict(self) -> dict:
        return asdict(self)
