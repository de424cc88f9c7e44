"""Import an article (HTML, plain text or Markdown) as a draft knowledge document.

HTML goes through trafilatura, which drops navigation, menus and other boilerplate. What is left
is checked paragraph by paragraph for off-topic noise (teasers that trail off with an ellipsis,
share and subscribe prompts); removed paragraphs are reported so a person can check them. The
result is a `status: draft` document: it is never indexed until someone reviews and publishes it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.knowledge.load import TOPICS

_TEASER = re.compile(r"(…|\.\.\.)\s*$")
_PROMPT = re.compile(
    r"^\W*(share (this|on)|tweet|pin it|subscribe|sign up|follow us|click here|read more|related (posts|articles)|"
    r"you may also like|advertisement|sponsored|accept (all )?cookies|leave a comment|previous post|next post)\b",
    re.IGNORECASE)


@dataclass
class Imported:
    path: Path
    doc_id: str
    title: str
    kept: int
    removed: list[str] = field(default_factory=list)


def slugify(text: str, limit: int = 60) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "imported"


def is_noise(paragraph: str) -> bool:
    return bool(_TEASER.search(paragraph) or _PROMPT.search(paragraph))


def _from_html(raw: str) -> tuple[str, str | None, str | None]:
    import trafilatura

    text = trafilatura.extract(raw, output_format="markdown", include_links=False, include_images=False,
                               include_comments=False, favor_precision=True) or ""
    meta = trafilatura.extract_metadata(raw)
    title = meta.title if meta else None
    source = None
    if meta is not None:
        source = meta.url or meta.sitename
    return text, title, source


def _from_markdown(raw: str) -> tuple[str, str | None, str | None]:
    m = re.match(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", raw, re.DOTALL)
    if not m:
        heading = re.search(r"^#\s+(.+)$", raw, re.MULTILINE)
        return raw, heading.group(1).strip() if heading else None, None
    meta = yaml.safe_load(m.group(1)) or {}
    sources = meta.get("sources") or []
    return m.group(2), meta.get("title"), sources[0] if sources else None


def _paragraphs(text: str) -> list[str]:
    """Paragraphs split at blank lines, or at every line when the text has none (as in plain exports)."""
    blocks = re.split(r"\n\s*\n", text.strip())
    if len(blocks) == 1:
        blocks = text.strip().splitlines()
    return [b.strip() for b in blocks if b.strip()]


def import_file(path: Path, drafts_dir: Path, *, topic: str = "job", title: str | None = None,
                source: str | None = None, today: dt.date | None = None) -> Imported:
    if topic not in TOPICS:
        raise ValueError(f"topic '{topic}' is not one of: {', '.join(TOPICS)}")
    raw = path.read_text(encoding="utf-8", errors="replace")
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm") or raw.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
        text, found_title, found_source = _from_html(raw)
    elif suffix in (".md", ".markdown"):
        text, found_title, found_source = _from_markdown(raw)
    else:
        text, found_title, found_source = raw, None, None
    kept: list[str] = []
    removed: list[str] = []
    for para in _paragraphs(text):
        (removed if is_noise(para) else kept).append(para)
    if not kept:
        raise ValueError(f"{path}: nothing left to import after removing boilerplate")
    title = title or found_title or f"Imported: {path.stem}"
    doc_id = slugify(title)
    drafts_dir.mkdir(parents=True, exist_ok=True)
    target, n = drafts_dir / f"{doc_id}.md", 2
    while target.exists():
        target, n = drafts_dir / f"{doc_id}-{n}.md", n + 1
    doc_id = target.stem
    today = today or dt.date.today()
    meta = {"id": doc_id, "title": title, "topic": topic,
            "sources": [source or found_source or f"Imported from {path.name} on {today.isoformat()}"],
            "status": "draft"}
    note = (f"<!-- Imported from {path.name} on {today.isoformat()}. Check every figure against its primary "
            "source, add the year to each figure, then publish with 'careerbot knowledge publish'. -->")
    target.write_text("---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n\n"
                      + note + "\n\n" + "\n\n".join(kept) + "\n", encoding="utf-8")
    return Imported(target, doc_id, title, len(kept), removed)
