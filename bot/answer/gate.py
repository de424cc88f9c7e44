"""The gate: refer medical questions, decline out-of-scope ones, before any passage is retrieved.

A logistic regression over sentence embeddings, trained at start-up on labelled example sets
(`gate_examples.yaml`: medical, out_of_scope, in_scope), and weighed against how well the
knowledge base matches. It learns the direction "asks about my own health" rather than a word
list, so it generalises to phrasings it has never seen (measured on tests/eval, whose questions
are never gate examples).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import yaml

EXAMPLES_PATH = Path(__file__).with_name("gate_examples.yaml")
LABELS = ("medical", "out_of_scope", "in_scope")
REGULARISATION_C = 4.0
# Calibrated on tests/eval; see README "Evaluation".
MEDICAL_MIN = 0.5        # probability that the question is about the asker's own health
OUT_OF_SCOPE_MIN = 0.5
STRONG_MATCH = 0.45      # a knowledge-base match this good is in scope whatever the classifier says
FOLLOW_UP_MEDICAL_MIN = 0.8  # a follow-up that on its own is clearly about the asker's health

# A person in crisis must get the crisis line whatever the classifier says. First-person
# phrasings only, so "what should an MA do if a patient is suicidal" stays a career question.
_CRISIS = re.compile(
    r"\b(kill(ing)? my ?self|end(ing)? (my (own )?life|it all)|hurt(ing)? my ?self|want(ed)? to die|"
    r"(i'?m|i am|i feel|feeling|been) (so )?suicidal|suicidal (thoughts|feelings)|"
    r"thoughts (of|about) (suicide|dying|ending my life|killing myself)|overdos(e|ed|ing) on purpose)\b",
    re.IGNORECASE)

Verdict = Literal["medical", "out_of_scope", "in_scope"]


@dataclass(frozen=True)
class GateScores:
    medical: float
    out_of_scope: float
    in_scope: float


def is_crisis(text: str) -> bool:
    return bool(_CRISIS.search(text))


def load_examples(path: Path = EXAMPLES_PATH) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {label: [str(x) for x in data[label]] for label in LABELS}


def examples_hash(path: Path = EXAMPLES_PATH) -> str:
    """Identifies a trained gate: the examples and the regularisation it was fitted with."""
    payload = path.read_bytes() + f"C={REGULARISATION_C}".encode()
    return hashlib.sha256(payload).hexdigest()[:16]


class Gate:
    """Scores a question vector; fitted once per index build and stored with the index, so the
    server neither embeds the examples nor imports scikit-learn (82 MB) at start-up."""

    FILE = "gate.npz"

    def __init__(self, weights: np.ndarray, bias: np.ndarray):
        self._weights = weights.astype(np.float32)
        self._bias = bias.astype(np.float32)

    @classmethod
    def fit(cls, vectors: dict[str, np.ndarray]) -> "Gate":
        from sklearn.linear_model import LogisticRegression

        X = np.vstack([vectors[label] for label in LABELS])
        y = np.concatenate([np.full(len(vectors[label]), i) for i, label in enumerate(LABELS)])
        model = LogisticRegression(C=REGULARISATION_C, max_iter=2000).fit(X, y)
        return cls(model.coef_, model.intercept_)

    @classmethod
    def from_examples(cls, encoder, cache, path: Path = EXAMPLES_PATH) -> "Gate":
        from bot.knowledge.embed import embed_with_cache
        from bot.answer.query import expand

        examples = load_examples(path)
        return cls.fit({label: embed_with_cache([expand(t) for t in texts], encoder, cache)[0]
                        for label, texts in examples.items()})

    def save(self, directory: Path) -> None:
        np.savez(directory / self.FILE, weights=self._weights, bias=self._bias)

    @classmethod
    def load(cls, directory: Path) -> "Gate":
        data = np.load(directory / cls.FILE)
        return cls(data["weights"], data["bias"])

    def scores(self, vector: np.ndarray) -> GateScores:
        logits = self._weights @ vector + self._bias
        p = np.exp(logits - logits.max())
        p /= p.sum()
        return GateScores(*(float(x) for x in p))

    @staticmethod
    def decide(s: GateScores, match: float) -> Verdict:
        """`match` is the dense similarity of the best knowledge-base passage."""
        if s.medical >= MEDICAL_MIN:
            return "medical"
        if s.out_of_scope >= OUT_OF_SCOPE_MIN and match < STRONG_MATCH:
            return "out_of_scope"
        return "in_scope"
