"""The gate: refer medical questions, decline out-of-scope ones, before any passage is retrieved.

It compares the question's embedding with labelled example sets (`gate_examples.yaml`: medical,
out_of_scope, in_scope) and weighs in how well the knowledge base matches, so it generalises to
phrasings it has never seen instead of matching a word list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import yaml

EXAMPLES_PATH = Path(__file__).with_name("gate_examples.yaml")
LABELS = ("medical", "out_of_scope", "in_scope")
TOP_K = 3
# Calibrated on tests/eval (examples there are never gate examples); see README "Evaluation".
MEDICAL_MIN = 0.28       # nearest medical examples at least this similar ...
MEDICAL_MARGIN = 0.0     # ... and closer than the nearest career and out-of-scope examples
OUT_OF_SCOPE_MARGIN = 0.0
STRONG_MATCH = 0.62      # a knowledge-base match this good is in scope whatever the examples say

# A person in crisis must get the crisis line whatever the similarity scores say. First-person
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


def load_examples(path: Path = EXAMPLES_PATH) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {label: [str(x) for x in data[label]] for label in LABELS}


def is_crisis(text: str) -> bool:
    return bool(_CRISIS.search(text))


class Gate:
    def __init__(self, vectors: dict[str, np.ndarray]):
        self.vectors = vectors

    @classmethod
    def from_examples(cls, encoder, cache, path: Path = EXAMPLES_PATH) -> "Gate":
        from .embed import embed_with_cache

        examples = load_examples(path)
        return cls({label: embed_with_cache(texts, encoder, cache)[0] for label, texts in examples.items()})

    def scores(self, vector: np.ndarray) -> GateScores:
        def near(label: str) -> float:
            sims = self.vectors[label] @ vector
            k = min(TOP_K, sims.shape[0])
            return float(np.mean(np.partition(sims, -k)[-k:]))

        return GateScores(*(near(label) for label in LABELS))

    @staticmethod
    def decide(s: GateScores, match: float) -> Verdict:
        """`match` is the dense similarity of the best knowledge-base passage."""
        career = max(s.in_scope, match)
        if s.medical >= MEDICAL_MIN and s.medical - max(career, s.out_of_scope) >= MEDICAL_MARGIN:
            return "medical"
        if match < STRONG_MATCH and s.out_of_scope - max(s.in_scope, match) > OUT_OF_SCOPE_MARGIN:
            return "out_of_scope"
        return "in_scope"
