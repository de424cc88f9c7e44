"""Sentence embeddings: the encoder (loaded once per process) and a cache keyed by content hash.

torch and sentence-transformers are imported only here and only when an encoder is created,
so commands that don't embed (help, index status) start fast.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import numpy as np


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Batching:
    """Questions asked at the same time are encoded in one batch: the thread that finds the model
    idle runs it for everything queued, the others wait for their rows. One forward pass over
    eight short questions costs little more than over one."""

    model_id: str
    dim: int

    def __init__(self):
        self._cv = threading.Condition()
        self._queue: list[_Request] = []
        self._busy = False

    def _run(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        request = _Request(texts)
        with self._cv:
            self._queue.append(request)
            while not request.done and self._busy:
                self._cv.wait()
            if request.done:
                return request.result()
            self._busy = True
            batch, self._queue = self._queue, []
        try:
            vectors = self._run([t for r in batch for t in r.texts])
            start = 0
            for r in batch:
                r.vectors, start = vectors[start:start + len(r.texts)], start + len(r.texts)
        except BaseException as exc:
            for r in batch:
                r.error = exc
            raise
        finally:
            with self._cv:
                for r in batch:
                    r.done = True
                self._busy = False
                self._cv.notify_all()
        return request.result()


def _load_model(model_path: Path):
    from sentence_transformers import SentenceTransformer

    if not Path(model_path).is_dir():
        raise FileNotFoundError(
            f"model directory {model_path} does not exist: set CAREERBOT_MODEL to a local "
            "sentence-transformers model directory, or unset it to use the packaged model")
    return SentenceTransformer(str(model_path), device="cpu")


def _encode_with(model, texts: list[str], batch_size: int = 64) -> np.ndarray:
    return np.asarray(model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                   convert_to_numpy=True, show_progress_bar=False), dtype=np.float32)


class Encoder(_Batching):
    """A sentence-transformers model on the CPU, in this process; normalised float32 vectors."""

    def __init__(self, model_path: Path, model_id: str):
        super().__init__()
        self.model_id = model_id
        self.model = _load_model(model_path)
        self.dim = int(self.model.get_embedding_dimension())

    def _run(self, texts: list[str]) -> np.ndarray:
        return _encode_with(self.model, texts)


# Forward passes in the server's encoder process take at most this many texts: a burst of 2,000
# questions then peaks about 40 MB lower than with 64, and eight already run at 246 texts/s, more
# than the server process can feed (README, Performance).
SERVER_BATCH = 8


def _encoder_process(conn, model_path: str) -> None:
    """The child's loop: texts in, vectors out, until the parent closes the pipe."""
    import os

    os.environ.setdefault("TQDM_DISABLE", "1")
    try:
        model = _load_model(Path(model_path))
    except Exception as exc:
        conn.send(("error", str(exc)))
        return
    conn.send(("ready", int(model.get_embedding_dimension())))
    while True:
        try:
            texts = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", _encode_with(model, texts, SERVER_BATCH)))
        except Exception as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class ProcessEncoder(_Batching):
    """The same model in a child process, for the Telegram server.

    torch gives up the GIL around every operation and must win it back; in one process with a
    busy event loop a forward pass took four to eight times longer (py-spy, README "Performance").
    In its own process the encoder never waits for the event loop, and the server process does
    not import torch at all."""

    def __init__(self, model_path: Path, model_id: str):
        super().__init__()
        self.model_id, self.model_path = model_id, model_path
        self._start()

    def _start(self) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_encoder_process, args=(child, str(self.model_path)),
                                 name="careerbot-encoder", daemon=True)
        self._proc.start()
        child.close()
        kind, value = self._conn.recv()
        if kind != "ready":
            raise FileNotFoundError(value)
        self.dim = value

    def _run(self, texts: list[str]) -> np.ndarray:
        try:
            self._conn.send(texts)
            kind, value = self._conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._start()  # the child died (killed, out of memory): start a new one, fail this batch
            raise RuntimeError("the encoder process stopped; it has been restarted") from None
        if kind != "ok":
            raise RuntimeError(value)
        return value

    def close(self) -> None:
        self._conn.close()
        self._proc.join(5)


class _Request:
    __slots__ = ("texts", "vectors", "error", "done")

    def __init__(self, texts: list[str]):
        self.texts, self.vectors, self.error, self.done = texts, None, None, False

    def result(self) -> np.ndarray:
        if self.error is not None:
            raise self.error
        return self.vectors


class EmbeddingCache:
    """Vectors by (content hash, model id) in SQLite, so a rebuild embeds only what changed."""

    def __init__(self, path: Path):
        import sqlite_utils

        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db["vectors"].create({"hash": str, "model": str, "dim": int, "vector": bytes},
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
            self.db["vectors"].upsert_all(
                ({"hash": h, "model": model_id, "dim": int(v.shape[0]),
                  "vector": np.ascontiguousarray(v, dtype=np.float32).tobytes()} for h, v in items.items()),
                pk=("hash", "model"))

    def close(self) -> None:
        self.db.close()


def embed_with_cache(texts: list[str], encoder: Encoder, cache: EmbeddingCache) -> tuple[np.ndarray, int]:
    """Vectors for texts in order, and how many had to be computed (the rest came from the cache)."""
    hashes = [content_hash(t) for t in texts]
    cached = cache.get(sorted(set(hashes)), encoder.model_id)
    missing = sorted({h: t for h, t in zip(hashes, texts) if h not in cached}.items())
    if missing:
        fresh = encoder.encode([t for _, t in missing])
        new = {h: v for (h, _), v in zip(missing, fresh)}
        cache.put(new, encoder.model_id)
        cached.update(new)
    vectors = np.stack([cached[h] for h in hashes]) if hashes else np.zeros((0, encoder.dim), np.float32)
    return vectors.astype(np.float32), len(missing)
