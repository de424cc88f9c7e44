"""Questions asked at the same moment, encoded together: the server's encoder (`careerbot serve`).

One call into the model has a fixed cost, about 7 ms on this host whatever the length (the model's
88 MB of weights are streamed once per call), plus about 0.3 ms per token of the padded batch. So
eight 12-token questions cost 38 ms in one call against 74 ms one by one, but a batch is padded to
its longest text: eight 60-token questions cost 152 ms either way, and one long question in a batch
of short ones makes them all long (bench/run.py, README Performance). The waiting texts are sorted
by length and grouped only while the padding costs less than the calls it saves.

The thread that finds the model idle encodes everything waiting, up to MAX_BATCH texts; the others
wait for their rows. Nothing waits when the server is idle: a lone question is encoded at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from bot.answer.encoder import OnnxEncoder

# Texts in one forward pass: more only adds padding and latency for the first question waiting.
MAX_BATCH = 8
# Padding tokens one call's fixed cost pays for (7 ms / 0.3 ms per token, measured above).
TOKENS_PER_CALL = 24


def groups(lengths: list[int], max_batch: int = MAX_BATCH, budget: int = TOKENS_PER_CALL) -> list[list[int]]:
    """Positions of texts grouped into calls: by length, a text joining a group while the group's
    padding stays under `budget` tokens for each text it saves a call for."""
    out: list[list[int]] = []
    current: list[int] = []
    total = 0
    for i in sorted(range(len(lengths)), key=lengths.__getitem__):
        padded = (len(current) + 1) * lengths[i]  # i is the longest so far
        if current and (len(current) == max_batch or padded - total - lengths[i] > budget * len(current)):
            out.append(current)
            current, total = [], 0
        current.append(i)
        total += lengths[i]
    if current:
        out.append(current)
    return out


class BatchingEncoder:
    """The `encode(texts)` seam of an encoder, with concurrent callers' texts encoded together.

    `source` gives the encoder to use (the published index's, which a reindex may replace), asked
    on each call; every version built with one model shares one encoder.
    """

    def __init__(self, source: Callable[[], OnnxEncoder], max_batch: int = MAX_BATCH):
        self.source = source
        self.max_batch = max_batch
        self._cv = threading.Condition()
        self._waiting: list[_Request] = []
        self._busy = False

    @property
    def model_id(self) -> str:
        return self.source().model_id

    @property
    def dim(self) -> int:
        return self.source().dim

    def encode(self, texts: list[str]) -> np.ndarray:
        encoder = self.source()
        if not texts:
            return np.zeros((0, encoder.dim), dtype=np.float32)
        request = _Request(texts)
        with self._cv:
            self._waiting.append(request)
            while True:
                while not request.done and self._busy:
                    self._cv.wait()
                if request.done:
                    return request.result()
                # The model is idle and this request still waits: this thread runs the next batch
                # (the oldest requests, so this one is in it or in a later one this thread runs).
                self._busy = True
                batch = self._take()
                self._cv.release()
                try:
                    self._run(encoder, batch)
                finally:
                    self._cv.acquire()
                    for r in batch:
                        r.done = True
                    self._busy = False
                    self._cv.notify_all()

    def _take(self) -> list[_Request]:
        """The oldest waiting requests, up to max_batch texts (always at least the first)."""
        batch, count = [], 0
        while self._waiting and (not batch or count + len(self._waiting[0].texts) <= self.max_batch):
            request = self._waiting.pop(0)
            batch.append(request)
            count += len(request.texts)
        return batch

    @staticmethod
    def _run(encoder: OnnxEncoder, batch: list[_Request]) -> None:
        texts = [t for r in batch for t in r.texts]
        try:
            lengths = [sum(e.attention_mask) for e in encoder.tokenizer.encode_batch(texts)]
            vectors = np.zeros((len(texts), encoder.dim), dtype=np.float32)
            for group in groups(lengths, max_batch=len(texts)):
                vectors[group] = encoder.encode([texts[i] for i in group])
        except Exception as exc:  # every caller in the batch gets the error, not just this one
            for r in batch:
                r.error = exc
            return
        start = 0
        for r in batch:
            r.vectors, start = vectors[start:start + len(r.texts)], start + len(r.texts)


class _Request:
    __slots__ = ("texts", "vectors", "error", "done")

    def __init__(self, texts: list[str]):
        self.texts, self.vectors, self.error, self.done = texts, None, None, False

    def result(self) -> np.ndarray:
        if self.error is not None:
            raise self.error
        return self.vectors
