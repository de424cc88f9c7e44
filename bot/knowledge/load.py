"""Load and validate knowledge documents: Markdown with YAML front matter.

Every problem is reported with the file, the line and field, and what to do, so an admin can fix
it without reading code. An invalid document never reaches an index.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.errors import CareerbotError
from bot.knowledge.passages import citation_warnings, meta_problems
from bot.states import CODES
from bot.types import Document

TOPICS = {
    "job": "The job",
    "training": "Training and school",
    "certification": "Certification",
    "scope": "What MAs may do (by state)",
    "pay": "Pay and job outlook",
    "career": "Career paths and wellbeing",
}
STATUSES = ("draft", "published")
REQUIRED = ("id", "title", "topic", "status")
# A draft may still lack these; a published document must have them: the knowledge base is vetted.
REQUIRED_TO_PUBLISH = ("sources", "reviewed_on", "reviewed_by")
OPTIONAL = ("states", "short_title", "order")
# A button shows about this much on a phone without cutting it.
SHORT_TITLE_MAX = 32
KNOWN = REQUIRED + REQUIRED_TO_PUBLISH + OPTIONAL
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SKIP_FILES = {"README.md"}
# A guidance document is a few pages; the largest in knowledge/ is about 20 KB. A 5 MB file took
# 342 s to refresh: refused instead, with its size.
MAX_DOCUMENT_BYTES = 200 * 1024


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.field}: {self.message}"


class KnowledgeError(CareerbotError):
    """Raised when documents fail validation; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _field_line(text: str, name: str) -> int:
    m = re.search(rf"^{re.escape(name)}\s*:", text, re.MULTILINE)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def parse(path: Path, text: str | None = None, today: dt.date | None = None) -> tuple[Document | None, list[Problem]]:
    """Parse one file into a Document, or return the problems that stop it."""
    text = path.read_text(encoding="utf-8") if text is None else text
    today = today or dt.date.today()
    problems: list[Problem] = []

    def bad(name: str, message: str) -> None:
        problems.append(Problem(path, _field_line(text, name), name, message))

    m = re.match(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)(.*)\Z", text, re.DOTALL)
    if not m:
        return None, [Problem(path, 1, "front matter",
                              "missing: start the file with a '---' line, the fields, and a closing '---' line")]
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        return None, [Problem(path, line, "front matter", f"is not valid YAML ({getattr(exc, 'problem', exc)}); "
                                                         "check quoting and indentation")]
    if not isinstance(meta, dict):
        return None, [Problem(path, 2, "front matter", "must be 'field: value' lines")]
    body = m.group(2).strip()

    for name in REQUIRED:
        if meta.get(name) in (None, "", []):
            bad(name, "is missing: add it to the front matter")
    if meta.get("status") == "published":
        for name in REQUIRED_TO_PUBLISH:
            if meta.get(name) in (None, "", []):
                bad(name, "is missing: a published document needs sources, reviewed_on and reviewed_by")
    for name in sorted(set(meta) - set(KNOWN)):
        bad(name, f"is not a known field (known: {', '.join(KNOWN)}); fix the spelling or remove it")

    doc_id = str(meta.get("id") or "")
    if doc_id and not ID_RE.match(doc_id):
        bad("id", f"'{doc_id}' must be lowercase letters, digits and hyphens, e.g. 'cma-exam'")
    elif doc_id and doc_id != path.stem:
        bad("id", f"'{doc_id}' must match the file name: rename the file to {doc_id}.md or change the id")

    topic = meta.get("topic")
    if topic and topic not in TOPICS:
        bad("topic", f"'{topic}' is not a topic; use one of: {', '.join(TOPICS)}")

    sources = meta.get("sources")
    if isinstance(sources, str):
        sources = [sources]
    if sources and not (isinstance(sources, list) and all(isinstance(s, str) and s.strip() for s in sources)):
        bad("sources", "must be a list of URLs or citations, one per line starting with '- '")
        sources = []

    written = meta.get("reviewed_on")
    if isinstance(written, str):
        try:
            written = dt.date.fromisoformat(written)
        except ValueError:
            pass
    reviewed_on = written if isinstance(written, dt.date) else None
    if written not in (None, "") and reviewed_on is None:
        bad("reviewed_on", f"'{written}' is not a date; write it as YYYY-MM-DD")
    elif reviewed_on is not None and reviewed_on > today:
        bad("reviewed_on", f"{reviewed_on} is in the future; use the date the review happened")

    status = meta.get("status")
    if status and status not in STATUSES:
        bad("status", f"'{status}' must be 'draft' or 'published'")

    states = meta.get("states") or []
    if isinstance(states, str):
        states = [states]
    bad_codes = [s for s in states if str(s).upper() not in CODES]
    if bad_codes:
        bad("states", f"{bad_codes} are not US state codes; use two-letter codes such as CA or WA")

    short_title = str(meta.get("short_title") or "").strip()
    if len(short_title) > SHORT_TITLE_MAX:
        bad("short_title", f"is {len(short_title)} characters; keep it to {SHORT_TITLE_MAX}, so a button shows it whole")
    order = meta.get("order")
    if order is not None and (isinstance(order, bool) or not isinstance(order, int) or order < 1):
        bad("order", f"'{order}' must be a whole number from 1: the document's place in its topic's list")
        order = None

    if not body:
        problems.append(Problem(path, text.count("\n") + 1, "body", "is empty: write the guidance below the front matter"))

    if problems:
        return None, problems
    doc = Document(
        id=doc_id,
        title=str(meta["title"]).strip(),
        topic=str(topic),
        sources=tuple(s.strip() for s in sources or ()),
        reviewed_on=reviewed_on,
        reviewed_by=str(meta.get("reviewed_by") or "").strip(),
        status=str(status),
        states=tuple(str(s).upper() for s in states),
        body=body,
        path=path,
        short_title=short_title,
        order=order,
    )
    body_line = text.count("\n", 0, m.start(2))  # lines before the body starts
    problems = [Problem(path, body_line + line, "section", message) for line, message in meta_problems(doc)]
    return (None, problems) if problems else (doc, [])


def warnings(doc: Document) -> list[Problem]:
    """What an admin should look at but need not fix to publish: citations that name none of the
    front matter's sources (an answer then shows the section's sources)."""
    text = doc.path.read_text(encoding="utf-8")
    body_line = text.count("\n", 0, max(text.find(doc.body), 0))  # lines before the body starts
    return [Problem(doc.path, body_line + line, "citation", message) for line, message in citation_warnings(doc)]


def scan(knowledge_dir: Path) -> tuple[list[Path], list[Problem]]:
    """Every Markdown file under the knowledge directory, and the links that lead nowhere (a loop,
    a missing target), each a problem naming the file and the fix."""
    paths: list[Path] = []
    problems: list[Problem] = []
    seen_dirs: set[Path] = set()
    for root, dirs, files in os.walk(knowledge_dir, followlinks=True):
        real = Path(root).resolve()
        if real in seen_dirs:  # a linked directory leading back into the tree
            problems.append(Problem(Path(root), 0, "link", f"leads back to {real}, a loop: delete the link"))
            dirs[:] = []
            continue
        seen_dirs.add(real)
        for name in sorted(files):
            path = Path(root) / name
            if name.endswith(".md") and name not in SKIP_FILES:
                paths.append(path)
        for name in dirs + files:
            path = Path(root) / name
            if path.is_symlink() and not path.exists() and (problem := _link_problem(path)):
                problems.append(problem)
                if path in paths:
                    paths.remove(path)
    return sorted(paths), problems


def _link_problem(path: Path) -> Problem | None:
    try:
        path.resolve(strict=True)
    except FileNotFoundError:
        return Problem(path, 0, "link", f"points to {os.readlink(path)}, which does not exist: "
                                        "fix the link or delete it")
    except (RuntimeError, OSError):  # RuntimeError: Python's "Symlink loop"; OSError: ELOOP
        return Problem(path, 0, "link", "is a symlink loop (it leads back to itself): point it at a real "
                                        "file or delete it")
    return None


def read_document(path: Path) -> tuple[str | None, Problem | None]:
    """The file's text, or the problem that stops it being read (too large, not UTF-8)."""
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            return None, Problem(path, 0, "size", f"is {size:,} bytes; a document may be at most "
                                                  f"{MAX_DOCUMENT_BYTES // 1024} KB: split it into documents of "
                                                  "one subject each")
        data = path.read_bytes()
    except OSError as exc:
        return None, Problem(path, 0, "file", f"cannot be read ({exc.strerror}): check it exists and is readable")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, Problem(path, line, "encoding", f"is not UTF-8 (byte 0x{data[exc.start]:02x}): save the "
                                                     "file as UTF-8 in your editor")


def document_paths(knowledge_dir: Path) -> list[Path]:
    return scan(knowledge_dir)[0]


def load_documents(knowledge_dir: Path, today: dt.date | None = None) -> tuple[list[Document], list[Problem]]:
    """Every document under the knowledge directory (drafts included) and every problem found."""
    if not knowledge_dir.is_dir():
        return [], [Problem(knowledge_dir, 0, "knowledge directory",
                            "does not exist: create it or set CAREERBOT_KNOWLEDGE_DIR")]
    docs: list[Document] = []
    paths, problems = scan(knowledge_dir)
    seen: dict[str, Path] = {}
    for path in paths:
        text, problem = read_document(path)
        if problem is not None:
            problems.append(problem)
            continue
        doc, found = parse(path, text, today=today)
        problems.extend(found)
        if doc is None:
            continue
        if doc.id in seen:
            problems.append(Problem(path, _field_line(path.read_text(encoding="utf-8"), "id"), "id",
                                    f"'{doc.id}' is also used by {seen[doc.id]}; ids must be unique"))
            continue
        seen[doc.id] = path
        docs.append(doc)
    return docs, problems


def load_publishable(knowledge_dir: Path, today: dt.date | None = None) -> list[Document]:
    """The vetted documents an index is built from; raises KnowledgeError on any problem."""
    docs, problems = load_documents(knowledge_dir, today)
    if problems:
        raise KnowledgeError(problems)
    return [d for d in docs if d.publishable]
