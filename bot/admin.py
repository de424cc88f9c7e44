"""Admin actions shared by the CLI and Telegram: build or refresh the index, and say what happened."""

from __future__ import annotations

from .settings import Settings


def build_index(settings: Settings, encoder=None, force: bool = True):
    """Validate, embed and publish; returns (BuildReport, None) or (None, error text).

    With force=False nothing is published when the knowledge base has not changed."""
    from .embed import EmbeddingCache, Encoder
    from .index import build
    from .load import KnowledgeError, load_publishable

    try:
        docs = load_publishable(settings.knowledge_dir)
    except KnowledgeError as exc:
        lines = [f"{len(exc.problems)} problem(s) in the knowledge base; nothing was published:"]
        lines += [f"  {p}" for p in exc.problems]
        return None, "\n".join(lines)
    encoder = encoder or Encoder(settings.model_path, settings.model_id)
    cache = EmbeddingCache(settings.embedding_cache_path)
    try:
        return build(docs, settings.index_dir, encoder, cache, force=force), None
    finally:
        cache.close()


def summary(report) -> str:
    if not report.published:
        return (f"Nothing changed: {report.unchanged} documents as published in {report.version}; "
                f"nothing was published ({report.seconds:.1f} s).")
    return (f"Published {report.version} (previous {report.previous_version or 'none'}): "
            f"documents {report.added} added, {report.changed} changed, {report.removed} removed, "
            f"{report.unchanged} unchanged; passages {report.passages_embedded} embedded, "
            f"{report.passages_reused} reused; {report.seconds:.1f} s.")
