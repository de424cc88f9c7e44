"""The server's batching encoder: questions encoded together get the vectors they get alone."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from bot.answer.batching import BatchingEncoder, groups

QUESTIONS = [
    "what is a cma",
    "CMA or RMA?",
    "How much does a medical assistant make in Texas per hour after two years of experience?",
    "do I need a license",
    "Can a medical assistant give injections, draw blood and take X-rays in California, or does "
    "that need a separate certificate from the state board and some supervised clinical hours?",
    "externship",
    "how long is the training program and can I work while I study at night",
    "is phlebotomy hard",
]


def test_groups_keep_short_texts_together_and_a_long_one_apart():
    # eight questions of 9-14 tokens and one of 60: padding the short ones to 60 would cost more
    # than the calls it saves
    lengths = [9, 12, 60, 14, 10, 11, 13, 9, 12]
    parts = groups(lengths, max_batch=16)
    assert sorted(i for g in parts for i in g) == list(range(len(lengths)))
    assert [2] in parts
    assert len(parts) == 2
    assert groups(lengths, max_batch=4)[0] == [0, 7, 4, 5]  # shortest first, at most four


def test_concurrent_encodes_match_single_encodes(kb_assistant):
    encoder = kb_assistant.store.get().encoder  # the real exported ONNX encoder
    alone = {q: encoder.encode([q])[0] for q in QUESTIONS}
    calls = []

    class Counting:  # the same encoder, counting its model calls
        dim, model_id, tokenizer = encoder.dim, encoder.model_id, encoder.tokenizer

        def encode(self, texts):
            calls.append(len(texts))
            return encoder.encode(texts)

    counting = Counting()
    batching = BatchingEncoder(lambda: counting, max_batch=8)
    requests = [[QUESTIONS[i % len(QUESTIONS)]] for i in range(64)] + [QUESTIONS[:3], QUESTIONS[3:5]]
    start = threading.Barrier(16)

    def thread(k: int):
        start.wait(timeout=30)
        return [(texts, batching.encode(texts)) for texts in requests[k::16]]

    with ThreadPoolExecutor(16) as pool:
        results = [r for part in pool.map(thread, range(16)) for r in part]
    assert len(results) == len(requests)
    for texts, vectors in results:
        assert vectors.shape == (len(texts), encoder.dim)
        for text, vector in zip(texts, vectors):
            assert float(np.dot(vector, alone[text])) >= 1 - 1e-5, text
    assert sum(calls) == sum(len(r) for r in requests)
    assert len(calls) < len(requests), "no two concurrent questions were encoded together"
    assert max(calls) <= 8
    assert batching.encode([]).shape == (0, encoder.dim)
