"""Tie each sentence of a section to the front-matter sources it cites.

Guidance cites in parentheses, usually once at the end of a paragraph for its sentences:
"... every 3 years (AAMA; AMT; certilyst.com; mometrix.com; open-exam-prep.com, 2026)". A
parenthetical is read as a citation only when one of its parts (split at ";") names a source of
the document: by a domain (mometrix.com), an organisation's acronym (AAMA, BLS; "NC DPI" for the
North Carolina Department of Public Instruction), the organisation's name ("AAMA legal counsel"),
or else two of its telling words ("an older textbook listed $120"). A credential's name
("CMA (AAMA)") or an acronym spelled out ("American Medical Technologists (AMT)") is no citation.

A sentence cites the citations inside it, else the next one later in its paragraph. A sentence
with no citation, or whose citation has a part naming no source, cites the section's sources: an
answer never shows fewer sources than it relies on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.answer.entities import CREDENTIALS

_PAREN = re.compile(r"\(([^()]*)\)")
_DOMAIN = re.compile(r"\b(?:[a-z0-9-]+\.)+(?:com|org|edu|gov|net|is|us|io|info)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9$*&][\w$*&.,'-]*[\w$]|[A-Za-z0-9]")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# What a part may say besides naming a source: when, that careerbot worked the figure out, or a
# remark on what sources say ("survey not named", "older pages said 5 of 7").
_REMARK = re.compile(r"\b(?:not named|gives? no|say|says|said|gave|list|lists|listed|reports?)\b", re.IGNORECASE)
_QUALIFIER = re.compile(r"^(?:(?:no date given|undated|current|no year given|year not stated|about|around|"
                        r"reported|updated|accessed|edition|in|as of|and|,|\s|(?:19|20)\d\d(?:-\d\d(?:\d\d)?)?)+|"
                        r".*\bour (?:own )?calculation\b.*|.*\bown calculation\b.*)$", re.IGNORECASE)
_CREDENTIALS = {c.replace("-", "") for c in CREDENTIALS} | {"MA", "CNA", "LPN", "RN", "PA"}
_CITING = re.compile(r"\b(?:citing|quoting)\b", re.IGNORECASE)
_SMALL = {"of", "for", "and", "the", "on", "in", "to", "a", "an"}
# Words too common among sources to tell one from another.
_COMMON = {"medical", "assistant", "assistants", "assisting", "exam", "exams", "guide", "guides", "page",
           "pages", "site", "sites", "current", "accessed", "date", "given", "year", "years", "the", "and",
           "for", "with", "from", "via", "reported", "noted", "stated", "not", "our", "its", "this", "that",
           "was", "are", "about", "around", "older", "earlier", "version", "data", "figures", "certification",
           "certifications", "program", "programs", "undated", "http", "https", "www", "say", "says", "said",
           "reports", "listed", "lists", "list", "other", "one", "some", "per"}


@dataclass(frozen=True)
class Keys:
    """What names one source in a citation."""

    strong: frozenset[str]   # domains, acronyms (upper case), organisation names (lower case)
    own: frozenset[str]      # those of the strong keys its name holds: who wrote it, not whom it quotes
    words: frozenset[str]    # its other telling words, lower case


@dataclass(frozen=True)
class Citation:
    """One parenthetical read as a citation: where it stands in the text, the sources it names
    (0-based positions in the front matter) and the parts that name none."""

    start: int
    end: int
    text: str
    sources: frozenset[int]
    unmatched: tuple[str, ...]


def _acronym(token: str) -> bool:
    letters = token.strip("\"'.,:;")
    return (len(letters) >= 2 and letters[0].isupper() and sum(c.isupper() for c in letters) >= 2
            and sum(c.isupper() for c in letters) * 2 >= sum(c.isalpha() for c in letters))


def _acronyms(text: str) -> set[str]:
    """Acronyms a text uses, upper case, with runs joined ("NC DPI" -> NCDPI, "DoD COOL")."""
    out: set[str] = set()
    run: list[str] = []
    for token in [*re.split(r"[\s,;:()/]+", text), ""]:  # "" ends the last run
        if _acronym(token):
            word = re.sub(r"['’]S$", "", token.strip("\"'.,:;").upper())
            out.add(word)
            run.append(word)
        else:
            if len(run) > 1:
                out.add("".join(run))
            run = []
    return out


def _initials(name: str) -> set[str]:
    """Acronyms an organisation's name could go by: the initials of each run of its capitalised
    words, with and without the small words ("Department of Health": DOH and DH)."""
    words = re.findall(r"[A-Za-z][\w'-]*", name)
    out: set[str] = set()
    for i in range(len(words)):
        if not words[i][0].isupper():
            continue
        with_small, without = "", ""
        for w in words[i:]:
            if w[0].isupper():
                with_small += w[0]
                without += w[0]
            elif w.lower() in _SMALL:
                with_small += w[0].upper()
            else:
                break
        out.update(a for a in (with_small, without) if len(a) >= 3)
    return out


def _domains(text: str) -> set[str]:
    return {d.lower().removeprefix("www.") for d in _DOMAIN.findall(text)}


def _words(text: str) -> set[str]:
    out = set()
    for w in _WORD.findall(_DOMAIN.sub(" ", text)):
        w = w.lower().strip(".,'")
        if w and w not in _COMMON and w not in _SMALL and (len(w) >= 3 or any(c.isdigit() for c in w)):
            out.add(w)
    return out


@lru_cache(maxsize=4096)
def keys(source: str) -> Keys:
    """A front-matter source's keys: its domains, and unless it is named by a domain, its name
    (what comes before the first comma or colon: "AAMA legal counsel", "Medical Board of
    California"), the acronyms in it and its initials."""
    name = re.split(r"[,:]", source, maxsplit=1)[0].strip()
    own: set[str] = _domains(name)
    if not own:
        bare = " ".join(re.sub(r"\([^)]*\)", " ", name).split())
        # "CMA" in a source's name is the credential it is about, not who wrote it.
        own.update((_acronyms(name) | _initials(bare)) - _CREDENTIALS)
        if len(bare.split()) >= 2:
            own.add(bare.lower())
    return Keys(frozenset(own | _domains(source)), frozenset(own), frozenset(_words(source)))


def _strong_in(part: str, key: str, domains: set[str], acronyms: set[str]) -> bool:
    if "." in key and " " not in key:  # a domain: catalog.hccc.edu cites hccc.edu
        return any(d == key or d.endswith("." + key) or key.endswith("." + d) for d in domains)
    if key.isupper() or "*" in key:
        return key in acronyms
    return key in part.lower()


def match(part: str, sources: Sequence[str], section: Sequence[int] = ()) -> set[int]:
    """The sources (0-based positions) one part of a citation names; empty when none. Among
    sources sharing a key ("AAMA", a domain), the section's own list chooses, then the part's
    other words and whether the key is in the source's name (its author, not whom it quotes)."""
    if (citing := _CITING.search(part)) and (head := match(part[:citing.start()], sources, section)):
        return head  # "healthcare-schools-online.com, citing the AAMA": the site is the source
    domains, acronyms, words = _domains(part), _acronyms(part), _words(part)
    all_keys = [keys(s) for s in sources]
    score = [len(k.words & words) for k in all_keys]
    by_key: dict[str, set[int]] = {}
    for i, k in enumerate(all_keys):
        for key in k.strong:
            if _strong_in(part, key, domains, acronyms):
                by_key.setdefault(key, set()).add(i)
                score[i] += 3 if key in k.own else 2
    # A key inside a longer one names no one else: "AAMA" in "AAMA legal counsel".
    groups = [g for key, g in by_key.items()
              if not any(key != other and re.search(rf"\b{re.escape(key.lower())}\b", other.lower())
                         for other in by_key)]
    out: set[int] = set()
    for group in groups or [{i for i, s in enumerate(score) if s >= 2}]:
        own = {i for i in group if i + 1 in section} or group
        top = max((score[i] for i in own), default=0)
        out |= {i for i in own if score[i] == top}
    return out


def _aside(part: str) -> bool:
    """A part that names no one: when, or a remark ("survey not named", "older pages said 5 of 7")."""
    return bool(_QUALIFIER.match(part) or (_REMARK.search(part) and not _DOMAIN.search(part)
                                           and not _acronyms(part)))


def _plain(part: str) -> bool:
    """Lower-case words only ("program pages, current"): a description, naming no one."""
    return part == part.lower() and not re.search(r"\d", part) and not _DOMAIN.search(part)


def _clause_before(text: str, end: int, most: int = 12) -> str:
    """The words before a parenthetical, back to the start of its clause (at most `most`):
    "AAMA legal counsel says that violates ... (2019)", "per open-exam-prep.com (2026)"."""
    before = " ".join(text[:end].split())
    start = max(before.rfind(". "), before.rfind("; "), before.rfind("? "), before.rfind("! "))
    return " ".join(before[start + 1:].split()[-most:])


def _parts(text: str) -> list[str]:
    return [p.strip() for p in text.split(";") if p.strip()]


def _is_name(text: str, inner: str, start: int) -> bool:
    """A credential's full name or an acronym spelled out, not a citation: "CMA (AAMA)",
    "CCMA (Certified Clinical Medical Assistant)", "American Medical Technologists (AMT)"."""
    before = text[:start].rstrip()
    previous = before.split()[-1] if before.split() else ""
    if _acronym(previous) and not _DOMAIN.search(previous):
        return True
    word = inner.strip()
    if _acronym(word) and " " not in word:
        capitals = "".join(w[0] for w in re.findall(r"[A-Za-z][\w'-]*", before)[-8:]
                           if w[0].isupper()).upper()
        return capitals.endswith(word.upper().replace("*", ""))
    return False


def read(text: str, sources: Sequence[str], section: Sequence[int] = ()) -> Iterator[Citation]:
    """Every parenthetical of `text` that cites a source. A parenthetical saying only when
    ("open-exam-prep.com (2026)", "AAMA legal counsel (2017)") cites the words before it."""
    for m in _PAREN.finditer(text):
        inner = " ".join(m.group(1).split())
        if not inner or _is_name(text, inner, m.start()) or text[max(m.start() - 1, 0)] == "]":
            continue
        parts = _parts(inner)
        matched = [match(p, sources, section) for p in parts]
        if not any(matched) and all(_aside(p) or _plain(p) for p in parts):
            lead = _clause_before(text, m.start())
            found = match(lead, sources, section)
            if found:
                yield Citation(m.start(), m.end(), f"{lead} ({inner})", frozenset(found), ())
            continue
        if not any(matched):
            continue
        unmatched = tuple(p for p, found in zip(parts, matched) if not found and not _aside(p))
        yield Citation(m.start(), m.end(), f"({inner})", frozenset().union(*matched), unmatched)


def looks_cited(inner: str) -> bool:
    """A parenthetical that reads like a citation though it names no source ("(vendor blog,
    2024)"): worth an admin's look, not a reader's."""
    return bool(_DOMAIN.search(inner) or (_YEAR.search(inner) and not re.search(r"\$\d", inner)))


def unmatched(text: str, sources: Sequence[str], section: Sequence[int] = ()) -> Iterator[tuple[int, str]]:
    """(offset, what) for every citation part naming no source, and every parenthetical that reads
    like a citation but names none: what the knowledge check warns about."""
    cited = list(read(text, sources, section))
    for c in cited:
        for part in c.unmatched:
            yield c.start, part
    covered = [(c.start, c.end) for c in cited]
    for m in _PAREN.finditer(text):
        inner = " ".join(m.group(1).split())
        if any(s <= m.start() < e for s, e in covered) or _is_name(text, inner, m.start()):
            continue
        if text[max(m.start() - 1, 0)] != "]" and looks_cited(inner) and not _QUALIFIER.match(inner):
            yield m.start(), inner


def sentence_sources(paragraphs: Sequence[Sequence[str]], sources: Sequence[str],
                     section: Sequence[int]) -> list[tuple[int, ...]]:
    """For each sentence of each paragraph, in order: the 0-based positions of the sources it
    cites (its own citations, else the next one in its paragraph), in front-matter order; the
    section's own sources when it has none or a citation names something that is no source."""
    fallback = tuple(sorted(i - 1 for i in set(section) if 1 <= i <= len(sources)))
    out: list[tuple[int, ...]] = []
    for paragraph in paragraphs:
        own = [list(read(s, sources, section)) for s in paragraph]
        for n in range(len(paragraph)):
            cites = own[n] or next((c for c in own[n + 1:] if c), [])
            if not cites:
                out.append(fallback)
                continue
            found: set[int] = set().union(*(c.sources for c in cites))
            if any(c.unmatched for c in cites):
                found |= set(fallback)
            out.append(tuple(sorted(found)))
    return out
