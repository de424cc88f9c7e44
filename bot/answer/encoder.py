"""The encoder that answers questions: the index's exported ONNX model run by onnxruntime, with
the model's own `tokenizers` tokenizer. No torch, no sentence-transformers.

Same vectors as sentence-transformers (pad to the longest input of a batch, truncate at the
model's maximum, mean-pool over the attention mask, L2-normalise); the build checks cosine ≥ 0.9999
on every passage. onnxruntime releases the GIL while it runs, so the server encodes in
its own threads, in process; a session is safe to share between threads.

Each of the server's ask threads encodes its own question: micro-batching did not pay here. One
call costs about 7 ms plus 0.3 ms per padded token (eight 12-token questions: 38 ms in one call, 74
ms one by one; eight of 60 tokens: 152 ms either way). A batching wrapper (commit 42db3e1: the
thread finding the model idle encodes everything waiting, up to 8 texts, grouped by length) made 16
threads calling `Assistant.ask` 1.7x faster in process (27 against 15 answers/s), but through
Telegram, with 2,000 questions queued, `careerbot serve` answered 21.9 and 20.8 answers/s with it
against 24.6 and 27.0 without (alternated runs, load average 6-8, 2026-11-27), and peaked 15-20 MB
higher. The server's event loop, not the encoder, limits it; batching only serialises the encodes
that two cores could run side by side. Measured again once the server limited OpenMP and OpenBLAS
to one thread (bot/telegram/serve.py): 35.4 and 36.6 answers/s with it against 45.3 and 46.6
without (alternated runs, load 4-5).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from bot.errors import IndexUnavailable


class TextEncoder(Protocol):
    """What retrieval needs of an encoder; the build's sentence-transformers encoder fits it too."""

    model_id: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


class OnnxEncoder:
    """An exported encoder folder (model.onnx, tokenizer.json, encoder.json), ready to encode."""

    def __init__(self, folder: Path, model_id: str, threads: int = 1):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        try:
            config = json.loads((folder / "encoder.json").read_text())
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            options = ort.SessionOptions()
            # One intra-op thread per call: steadier p95 on two busy cores (README, Performance);
            # concurrency comes from the server's threads instead.
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            self.session = ort.InferenceSession(str(folder / "model.onnx"), options,
                                                providers=["CPUExecutionProvider"])
        except (OSError, ValueError, RuntimeError, Exception) as exc:
            raise IndexUnavailable(f"the encoder in {folder} cannot be loaded ({type(exc).__name__}: {exc}); "
                                   "run 'careerbot index build' to export it again") from None
        self.model_id = model_id
        self.dim = int(config["dim"])
        self.folder = folder
        # The shipped tokenizer pads every input to 128; pad to the longest of a batch instead.
        self.tokenizer.no_padding()
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.tokenizer.enable_truncation(max_length=int(config["max_seq_length"]))
        self._inputs = {i.name for i in self.session.get_inputs()}

    def words(self) -> frozenset[str]:
        """The whole words of the tokenizer's vocabulary (about 22,500 for MiniLM): the English
        words the model knows, for telling English from another language in Latin letters."""
        return frozenset(w for w in self.tokenizer.get_vocab() if w.isalpha())

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.array([e.type_ids for e in encodings], dtype=np.int64)
        hidden = self.session.run(None, feed)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


@lru_cache(maxsize=4)
def load(folder: Path, model_id: str) -> OnnxEncoder:
    """One encoder per exported folder per process: index versions built with one model share it."""
    return OnnxEncoder(folder, model_id)
