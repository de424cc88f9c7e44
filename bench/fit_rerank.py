"""Fit the reranker's weights on the dev split (tests/eval/questions.yaml) by grid search and
print recall@1 for each stage, on dev and, for reporting only, on the unseen split.

    CAREERBOT_INDEX_DIR=... python bench/fit_rerank.py

Nothing here reads the unseen split's results to choose anything: the best weights are chosen on
dev alone; the unseen column is printed beside them so the README can show what each stage bought.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.assistant import Assistant  # noqa: E402
from bot.answer.retrieve import WEIGHTS, Weights  # noqa: E402
from bot.review.evaluate import EVAL_DIR, load_splits  # noqa: E402


_READ: dict = {}


def recall1(assistant, questions, weights) -> float:
    """Each question is read and encoded once; only the reranking runs per weight setting."""
    from bot.answer.retrieve import search

    index = assistant.store.get()
    qs = [q for q in questions if q.kind == "answerable"]
    hits = 0
    for q in qs:
        key = (q.q, q.previous, q.state)
        if key not in _READ:
            reading, vectors = assistant._read(q.q, q.context, index)
            _READ[key] = (reading, assistant._search_vector(vectors))
        reading, vector = _READ[key]
        top = search(index, vector, reading.query, state=reading.state, weights=weights)
        hits += bool(top) and top[0].passage.doc_id in q.docs
    return hits / len(qs)


def main() -> None:
    assistant = Assistant.create()
    splits = load_splits(ROOT / EVAL_DIR)
    stages = {
        "dense only": Weights(1, 0, 0, 0, 0),
        "dense + lexical (the first wave)": Weights(0.9, 0, 0.1, 0, 0),
        "+ section questions": replace(WEIGHTS, credential=0, subject=0),
        "+ credential and subject": WEIGHTS,
    }
    if "--fit" in sys.argv:
        best = None
        for ask, lex, cred, subj in itertools.product([0.3, 0.45, 0.6], [0.05, 0.1, 0.2], [0, 0.05, 0.1, 0.2],
                                                      [0, 0.02, 0.04, 0.08]):
            w = Weights(dense=1 - ask, ask=ask, lexical=lex, credential=cred, subject=subj)
            r = recall1(assistant, splits["dev"], w)
            if best is None or r > best[0]:
                best = (r, w)
                print(f"dev recall@1 {r:.3f} with {w}", flush=True)
        stages["fitted on dev"] = best[1]
    print("| stage | " + " | ".join(splits) + " |\n|---|" + "---:|" * len(splits))
    for name, w in stages.items():
        print(f"| {name} | " + " | ".join(f"{recall1(assistant, qs, w):.3f}" for qs in splits.values()) + " |")


if __name__ == "__main__":
    main()
