"""Admin actions shared by the CLI and Telegram: build or refresh the index, and say what happened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.types import Document
    from bot.knowledge.embed import Encoder, Progress
    from bot.knowledge.index import BuildReport


def build_index(settings: Settings, encoder: Encoder | None = None, force: bool = True,
                progress: Progress | None = None) -> tuple[BuildReport, None] | tuple[None, str]:
    """Validate, embed and publish; returns (BuildReport, None) or (None, error text).

    With force=False nothing is published when the knowledge base has not changed."""
    from bot.knowledge.embed import EmbeddingCache, Encoder
    from bot.knowledge.index import build
    from bot.knowledge.load import KnowledgeError, load_publishable

    try:
        docs = load_publishable(settings.knowledge_dir)
    except KnowledgeError as exc:
        lines = [f"{len(exc.problems)} problem(s) in the knowledge base; nothing was published:"]
        lines += [f"  {p}" for p in exc.problems]
        return None, "\n".join(lines)
    encoder = encoder or Encoder(settings.model_dir(), settings.model_id)
    cache = EmbeddingCache(settings.embedding_cache_path)
    try:
        return build(docs, settings.index_dir, encoder, cache, force=force, progress=progress), None
    finally:
        cache.close()


def build_dependencies_missing(settings: Settings) -> str | None:
    """Why this install cannot build an index (serving installs leave out torch), or None."""
    import importlib.util

    from bot.errors import ConfigError

    try:
        settings.model_dir()
    except ConfigError as exc:
        return str(exc)
    if importlib.util.find_spec("sentence_transformers") is None:
        return "building an index needs the build dependencies: pip install 'careerbot[build]'"
    return None


def ensure_index(settings: Settings, say: Callable[..., None]) -> str | None:
    """Build and publish an index when none is published and the knowledge base is readable, so a
    fresh deployment starts instead of crash-looping; `say` gets the progress. Returns the error
    text, or None when there is an index (or no knowledge base to build one from: the caller's own
    "no index" message covers that)."""
    import os
    import time

    from bot.knowledge.index import read_manifest
    from bot.knowledge.load import document_paths

    if read_manifest(settings.index_dir) is not None:
        return None
    kb = settings.knowledge_dir
    if not (kb.is_dir() and os.access(kb, os.R_OK | os.X_OK)):
        return None
    missing = build_dependencies_missing(settings)
    if missing:
        return (f"no index is published in {settings.index_dir}, and this install cannot build one: {missing}; "
                "or publish an index built elsewhere there")
    started = time.perf_counter()
    say(f"No index is published in {settings.index_dir}: building one from {kb} "
        f"({len(document_paths(kb))} files, about a minute)...", done=False)
    report, error = build_index(settings)
    if report is None:
        say("failed.")
        return error
    say(f"published {report.version} ({report.passages_embedded + report.passages_reused} passages) "
        f"in {time.perf_counter() - started:.0f} s.")
    return None


def summary(report: BuildReport) -> str:
    if not report.published:
        return (f"Nothing changed: {report.unchanged} documents as published in {report.version}; "
                f"nothing was published ({report.seconds:.1f} s).")
    return (f"Published {report.version} (previous {report.previous_version or 'none'}): "
            f"documents {report.added} added, {report.changed} changed, {report.removed} removed, "
            f"{report.unchanged} unchanged; passages {report.passages_embedded} embedded, "
            f"{report.passages_reused} reused; {report.seconds:.1f} s.")


STALE_AFTER_DAYS = 365


def stale_documents(settings: Settings, today: dt.date | None = None) -> list[Document]:
    """Published documents whose last review is more than 12 months old."""
    from bot.knowledge.load import load_documents

    today = today or dt.date.today()
    docs, _ = load_documents(settings.knowledge_dir, today)
    return [d for d in docs if d.publishable and d.reviewed_on and (today - d.reviewed_on).days > STALE_AFTER_DAYS]


def publish_draft(settings: Settings, doc_id: str, reviewer: str,
                  today: dt.date | None = None) -> tuple[Path, None] | tuple[None, str]:
    """Mark a reviewed draft published and move it into the knowledge directory.

    Returns (path, None) or (None, error text naming the file and fields to fix)."""
    import yaml

    from bot.knowledge.load import document_paths, parse

    today = today or dt.date.today()
    if not reviewer.strip():
        return None, "give the reviewer's name with --reviewer"
    drafts = [p for p in document_paths(settings.knowledge_dir) if p.stem == doc_id]
    if not drafts:
        return None, f"no document with id '{doc_id}' in {settings.knowledge_dir} (drafts are in drafts/)"
    source = drafts[0]
    text = source.read_text(encoding="utf-8")
    parts = text.split("---", 2)
    if len(parts) < 3:
        return None, f"{source}: front matter: missing; it must start and end with a '---' line"
    meta = yaml.safe_load(parts[1]) or {}
    if meta.get("status") == "published":
        return None, f"{source}: status: already published"
    meta.update(status="published", reviewed_by=reviewer.strip(), reviewed_on=today)
    new_text = "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---" + parts[2]
    target = settings.knowledge_dir / f"{doc_id}.md"
    if target.exists() and target != source:
        return None, f"{target} already exists: choose another id for the draft or merge the two by hand"
    doc, problems = parse(target, text=new_text, today=today)
    if problems:
        return None, "the draft cannot be published yet:\n" + "\n".join(
            f"  {str(p).replace(str(target), str(source))}" for p in problems)
    target.write_text(new_text, encoding="utf-8")
    if source != target:
        source.unlink()
    return target, None


def run_refresh_in_child(settings: Settings, timeout_s: float = 1800) -> str:
    """The refresh in its own process, at low priority and on one thread, so a server answering
    questions never waits for it (torch stays out of the server); returns the summary or the error."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "CAREERBOT_DATA_DIR": str(settings.data_dir),
           "CAREERBOT_KNOWLEDGE_DIR": str(settings.knowledge_dir), "CAREERBOT_INDEX_DIR": str(settings.index_dir),
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if settings.model_path is not None:
        env["CAREERBOT_MODEL"] = str(settings.model_path)
    try:
        done = subprocess.run([sys.executable, "-m", "bot.knowledge.admin"], env=env, capture_output=True,
                              text=True, timeout=timeout_s, preexec_fn=lambda: os.nice(10))
    except subprocess.TimeoutExpired:
        return f"The refresh took longer than {timeout_s:.0f} s and was stopped; the published index is unchanged."
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])["text"]
    except (IndexError, ValueError, KeyError):
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return "The refresh failed; the published index is unchanged. " + " ".join(tail)


def _child_main() -> int:
    import json

    settings = Settings.from_env()
    try:
        report, error = build_index(settings, force=False)
    except Exception as exc:  # reported to the admin who asked, as one line
        report, error = None, f"{type(exc).__name__}: {exc}"
    print(json.dumps({"text": error if report is None else summary(report), "ok": report is not None}))
    return 0 if report is not None else 2


if __name__ == "__main__":
    raise SystemExit(_child_main())
