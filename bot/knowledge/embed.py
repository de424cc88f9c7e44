"""Build-time embeddings: the sentence-transformers encoder and a cache keyed by content hash.

torch and sentence-transformers are imported only here, only when an index is built; everything
that answers uses the ONNX export instead (bot/answer/encoder.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from bot.answer.encoder import TextEncoder


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _load_model(model_path: Path) -> Any:  # a SentenceTransformer; torch is not type-checked
    from sentence_transformers import SentenceTransformer

    if not Path(model_path).is_dir():
        raise FileNotFoundError(
            f"model directory {model_path} does not exist: set CAREERBOT_MODEL to a local "
            "sentence-transformers model directory, or unset it to use the packaged model")
    return SentenceTransformer(str(model_path), device="cpu")


def _encode_with(model: Any, texts: list[str], batch_size: int = 64) -> np.ndarray:
    return np.asarray(model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                   convert_to_numpy=True, show_progress_bar=False), dtype=np.float32)


class Encoder:
    """A sentence-transformers model on the CPU: embeds passages and gate examples at build time,
    and is what the ONNX export is made from and checked against."""

    def __init__(self, model_path: Path, model_id: str):
        self.model_id = model_id
        self.model_path = Path(model_path)
        self.model = _load_model(model_path)
        self.dim = int(self.model.get_embedding_dimension())

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _encode_with(self.model, texts)


class EmbeddingCache:
    """Vectors by (content hash, model id) in SQLite, so a rebuild embeds only what changed."""

    def __init__(self, path: Path):
        import sqlite_utils

        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.table("vectors").create({"hash": str, "model": str, "dim": int, "vector": bytes},
                                        pk=("hash", "model"), if_not_exists=True)

    def get(self, hashes: list[str], model_id: str) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(hashes), 500):
            chunk = hashes[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for h, dim, blob in self.db.execute(
                    f"select hash, dim, vector from vectors where model = ? and hash in ({marks})",
                    [model_id, *chunk]).fetchall():
                found[h] = np.frombuffer(blob, dtype=np.float32, count=dim)
        return found

    def put(self, items: dict[str, np.ndarray], model_id: str) -> None:
        with self.db.conn:
            self.db.table("vectors").upsert_all(
                ({"hash": h, "model": model_id, "dim": int(v.shape[0]),
                  "vector": np.ascontiguousarray(v, dtype=np.float32).tobytes()} for h, v in items.items()),
                pk=("hash", "model"))

    def close(self) -> None:
        self.db.close()


Progress = Callable[[int, int], None]  # (done, total)

# Texts embedded between progress reports (and cache writes): about two seconds on two cores.
PROGRESS_EVERY = 64


def embed_with_cache(texts: list[str], encoder: "TextEncoder", cache: EmbeddingCache,
                     progress: Progress | None = None) -> tuple[np.ndarray, int]:
    """Vectors for texts in order, and how many had to be computed (the rest came from the cache).
    `progress(done, total)` is called as the missing ones are embedded."""
    hashes = [content_hash(t) for t in texts]
    cached = cache.get(sorted(set(hashes)), encoder.model_id)
    missing = sorted({h: t for h, t in zip(hashes, texts) if h not in cached}.items())
    for start in range(0, len(missing), PROGRESS_EVERY):
        chunk = missing[start:start + PROGRESS_EVERY]
        new = {h: v for (h, _), v in zip(chunk, encoder.encode([t for _, t in chunk]))}
        cache.put(new, encoder.model_id)  # a build stopped halfway keeps what it embedded
        cached.update(new)
        if progress is not None:
            progress(start + len(chunk), len(missing))
    vectors = np.stack([cached[h] for h in hashes]) if hashes else np.zeros((0, encoder.dim), np.float32)
    return vectors.astype(np.float32), len(missing)
