"""Split documents into self-contained passages: one per heading, short ones merged, long ones split.

Under each heading (and at the top of the body, for the intro) a document may carry an HTML
comment with YAML: `asks`, the questions people type that this section answers; `gaps`, the
questions people ask near it that the guidance does not answer, under the name of what is missing;
and `sources`, the 1-based positions in the front matter's sources that the section relies on.
Readers never see it; retrieval indexes the asks as extra vectors for their passage, a question
closer to a gap than to any answer gets an honest "no guidance on <name> yet", and answers cite
the section's own sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from bot.knowledge import citations
from bot.types import Document, Gap, Passage
from bot.states import named as named_states

_META = re.compile(r"\A\s*<!--\s*\n(?P<yaml>(?:asks|gaps|sources)\s*:.*?)-->\s*", re.DOTALL)


# What a sentence of a section marked `sources: editorial` cites when it cites nothing itself:
# general advice the editors stand behind that no one source gives ("ask which tasks you will do").
# Before, such sentences were credited to the section's first source: the FAFSA advice to a page
# comparing program costs.
EDITORIAL = "careerbot editorial team: general guidance, not from one cited source"


@dataclass(frozen=True)
class SectionMeta:
    asks: tuple[str, ...] = ()
    sources: tuple[int, ...] = ()   # 1-based positions in the document's sources
    gaps: tuple[Gap, ...] = ()
    editorial: bool = False         # `sources: editorial`: uncited sentences are the editors' own

    def __add__(self, other: SectionMeta) -> SectionMeta:
        """The meta of two sections merged into one passage."""
        return SectionMeta(self.asks + other.asks, self.sources + other.sources, self.gaps + other.gaps,
                           self.editorial or other.editorial)


_GAPS_HELP = ("gaps: must map what is missing to the questions people ask about it: a line such as "
              "'  working from home as an MA:' with its questions under it, one per line starting with '- '")


def read_meta(text: str) -> tuple[SectionMeta, str, str | None]:
    """(meta, the text without it, a problem) for the start of one section's text."""
    m = _META.match(text)
    if not m:
        return SectionMeta(), text, None
    rest = text[m.end():]
    try:
        data = yaml.safe_load(m.group("yaml")) or {}
    except yaml.YAMLError as exc:
        return SectionMeta(), rest, f"the section comment is not valid YAML ({str(exc).splitlines()[0]})"
    asks, sources, gaps = data.get("asks") or [], data.get("sources") or [], data.get("gaps") or {}
    editorial = sources == "editorial"
    if editorial:
        sources = []
    if not _questions(asks):
        return SectionMeta(), rest, "asks: must be a list of questions, one per line starting with '- '"
    if not (isinstance(sources, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in sources)):
        return SectionMeta(), rest, ("sources: must be a list of numbers, such as [1, 3], or the word editorial "
                                     "for general advice that no one source gives")
    if not (isinstance(gaps, dict) and all(isinstance(k, str) and k.strip() and _questions(v) and v
                                           for k, v in gaps.items())):
        return SectionMeta(), rest, _GAPS_HELP
    return (SectionMeta(tuple(a.strip() for a in asks), tuple(sources),
                        tuple(Gap(name.strip(), q.strip()) for name, qs in gaps.items() for q in qs), editorial),
            rest, None)


def _questions(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(a, str) and a.strip() for a in value)


def meta_problems(doc: Document) -> list[tuple[int, str]]:
    """(line in the body, message) for every section comment that cannot be used."""
    out = []
    for line, heading, raw in _raw_sections(doc):
        meta, _, problem = read_meta(raw)
        if problem:
            out.append((line, f"under '{heading}': {problem}"))
        bad = [i for i in meta.sources if not 1 <= i <= len(doc.sources)]
        if bad:
            out.append((line, f"under '{heading}': sources {bad} are not positions in the front matter's "
                              f"sources (1 to {len(doc.sources)})"))
    return out


def citation_warnings(doc: Document) -> list[tuple[int, str]]:
    """(line in the body, message) for every citation naming no source in the front matter: the
    answer then falls back to the section's sources, so it is a warning, not a stop."""
    out = []
    for line, heading, raw in _raw_sections(doc):
        meta, rest, _ = read_meta(raw)
        # Editors' comments blanked, not removed, so offsets keep their lines.
        text = re.sub(r"<!--.*?-->", lambda m: re.sub(r"[^\n]", " ", m.group()), rest, flags=re.DOTALL)
        # The line `rest` starts on: after the heading (the intro has none) and the section comment.
        first = line + raw[:len(raw) - len(rest)].count("\n") + (heading != doc.title or line > 1)
        for offset, what in citations.unmatched(text, doc.sources, meta.sources):
            out.append((first + text.count("\n", 0, offset),
                        f"under '{heading}': the citation '{what}' names none of the front matter's sources: "
                        "add the source to sources (and its position to the section's sources), or fix the "
                        "citation to name one"))
    return out


MIN_WORDS = 40
MAX_WORDS = 200

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def _raw_sections(doc: Document) -> list[tuple[int, str, str]]:
    """(line, heading, raw text) for the intro and every heading, in order."""
    sections: list[tuple[int, str, list[str]]] = [(1, doc.title, [])]
    for n, line in enumerate(doc.body.splitlines(), 1):
        m = _HEADING.match(line)
        if m:
            heading = m.group(2).strip()
            if len(m.group(1)) == 1 and heading == doc.title:
                continue  # a top-level heading repeating the title is not a section
            sections.append((n, heading, []))
        else:
            sections[-1][2].append(line)
    return [(n, heading, "\n".join(lines)) for n, heading, lines in sections]


def _sections(doc: Document) -> list[tuple[str, str, SectionMeta]]:
    """(heading, reading text, meta); text before the first heading belongs to the title."""
    out = []
    for _, heading, raw in _raw_sections(doc):
        meta, rest, _ = read_meta(raw)
        text = _clean(rest)
        if text:
            out.append((heading, text, meta))
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
    pieces: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        if current and words(" ".join(current + [sentence])) > target * 1.15:
            pieces.append(" ".join(current))
            current = []
        current.append(sentence)
    if current:
        pieces.append(" ".join(current))
    return pieces


# A full stop ends a sentence, except after an abbreviation that goes on ("Cal. Business and
# Professions Code", "Mt. Hood", "U.S. Bureau"): splitting there had cut 8 of its 1,917 sentences in two.
_SENTENCE_OR_LINE = re.compile(r"(?<=[.!?])(?<!\bCal\.)(?<!\bMt\.)(?<!\bSt\.)(?<!\bDr\.)(?<!\bU\.S\.)"
                               r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)\s+(?=[A-Z0-9\"'(•$])|\n+")


def sentences(text: str) -> list[str]:
    """A passage's sentences and list items, in order: what an answer is assembled from."""
    return [s.strip() for s in _SENTENCE_OR_LINE.split(text) if len(s.split()) >= 3]


def _paragraphs(text: str) -> list[list[str]]:
    """A passage's sentences by paragraph: a list's items belong with the line before them."""
    out: list[list[str]] = []
    for line in text.split("\n"):
        if line.startswith("•") and out:
            out[-1].extend(sentences(line))
        else:
            out.append(sentences(line))
    return out


def _cited(sources: tuple[str, ...], text: str,
           section: tuple[int, ...]) -> tuple[tuple[str, ...], tuple[tuple[int, ...], ...]]:
    """A passage's sources (the section's, with any its sentences cite beyond them, in front-matter
    order) and, for each of its sentences, the positions in them of the ones it cites."""
    per_sentence = citations.sentence_sources(_paragraphs(text), sources, section)
    used = sorted({i - 1 for i in section} | {i for cited in per_sentence for i in cited})
    where = {i: n for n, i in enumerate(used)}
    return (tuple(sources[i] for i in used),
            tuple(tuple(where[i] for i in cited) for cited in per_sentence))


def _states(doc: Document, text: str) -> tuple[str, ...]:
    """The states a passage is about: in a document on several states, the ones it names (a
    section on North Dakota's rules must not answer for South Dakota); else the document's."""
    if len(doc.states) <= 1:
        return doc.states
    return tuple(s for s in doc.states if s in named_states(text)) or doc.states


def split_document(doc: Document) -> list[Passage]:
    merged: list[tuple[str, str, SectionMeta]] = []
    for heading, text, meta in _sections(doc):
        if merged and (words(merged[-1][1]) < MIN_WORDS or
                       (words(text) < MIN_WORDS and words(merged[-1][1]) + words(text) <= MAX_WORDS)):
            prev_heading, prev_text, prev_meta = merged.pop()
            merged.append((prev_heading, f"{prev_text}\n{heading}: {text}", prev_meta + meta))
        else:
            merged.append((heading, text, meta))
    passages = []
    for heading, text, meta in merged:
        parts = _split_long(text) if words(text) > MAX_WORDS else [text]
        # The section's own sources (the editors', after the document's, for `sources: editorial`); a
        # section that names none falls back to the document's first (most authoritative) source.
        known = doc.sources + ((EDITORIAL,) if meta.editorial else ())
        own = tuple(sorted(i for i in set(meta.sources) if 1 <= i <= len(doc.sources))) or (1,)
        if meta.editorial:
            own = tuple(i for i in own if i in meta.sources) + (len(known),)
        for i, part in enumerate(parts):
            section = heading if len(parts) == 1 else f"{heading} ({i + 1}/{len(parts)})"
            sources, cites = _cited(known, part, own)
            passages.append(Passage(
                doc_id=doc.id, title=doc.title, section=section, text=part, topic=doc.topic,
                states=_states(doc, f"{heading}\n{part}"), sources=sources, cites=cites, asks=meta.asks,
                gaps=meta.gaps if i == 0 else (),
                reviewed_on=doc.reviewed_on.isoformat() if doc.reviewed_on else "",
            ))
    return passages
