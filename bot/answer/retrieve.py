"""Hybrid retrieval: dense (FAISS) and lexical (FTS5 BM25) candidates, fused, state-aware."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from bot.knowledge.index import LoadedIndex
from bot.types import Passage

CANDIDATES = 40
# Measured on tests/eval (see README): convex fusion of the dense cosine and the max-normalised BM25.
DENSE_WEIGHT = 0.9
OTHER_STATE_FACTOR = 0.6    # a passage specific to another state ranks below general guidance
UNKNOWN_STATE_FACTOR = 0.9  # ... and slightly below it when the asker's state is unknown
SAME_STATE_BONUS = 1.25

STOPWORDS = frozenset("""
a about above after again all am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he
her here hers him his how i if in into is it its itself just me more most my no nor not now of off on
once only or other our out over own same she should so some such than that the their them then there
these they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours im ive id dont cant whats hows get got go want wanna gonna
also really much many like one thing things know need tell please hi hello hey thanks thank
""".split())
# Words people use that the knowledge base says differently, for the lexical side.
SYNONYMS = {
    "lpn": "lpn practical nurse", "rn": "rn registered nurse", "pa": "pa physician assistant",
    "iv": "iv intravenous", "ekg": "ekg electrocardiogram", "ecg": "ekg electrocardiogram",
    "shots": "injections", "shot": "injection", "salary": "pay wage salary", "paid": "pay wage",
    "make": "pay wage", "earn": "earn pay wage",
}


def fts_query(text: str) -> str:
    """An FTS5 OR-query of the question's content words, quoted so no input is read as syntax."""
    terms: list[str] = []
    for token in re.findall(r"[a-z0-9]+", text.lower()):
        for word in SYNONYMS.get(token, token).split():
            if word not in STOPWORDS and (len(word) > 1 or word.isdigit()) and word not in terms:
                terms.append(word)
    return " OR ".join(f'"{t}"' for t in terms[:32])


@dataclass(frozen=True)
class Hit:
    id: int
    passage: Passage
    score: float      # fused ranking score
    dense: float      # cosine similarity of the question to the passage
    lexical: float    # BM25, 0 when the passage was not a lexical candidate


def _state_factor(passage: Passage, state: str | None) -> float:
    if not passage.states:
        return 1.0
    if state is None:
        return UNKNOWN_STATE_FACTOR
    return SAME_STATE_BONUS if state in passage.states else OTHER_STATE_FACTOR


def search(index: LoadedIndex, vector: np.ndarray, query: str, *, state: str | None = None,
           mode: str = "hybrid") -> list[Hit]:
    """Passages ranked for a question; `mode` is hybrid, dense or lexical (for evaluation)."""
    dense = dict(index.dense(vector, CANDIDATES)) if mode != "lexical" else {}
    lexical = dict(index.lexical(fts_query(query), CANDIDATES)) if mode != "dense" else {}
    ids = set(dense) | set(lexical)
    if not ids:
        return []
    if mode == "hybrid" and lexical:
        # Dense scores of lexical-only candidates, so fusion compares like with like.
        missing = [i for i in ids if i not in dense]
        if missing:
            dense.update(zip(missing, (index.vectors[missing] @ vector).tolist()))
    top_lex = max(lexical.values(), default=0.0) or 1.0
    hits = []
    for i in ids:
        d, lx = dense.get(i, 0.0), lexical.get(i, 0.0)
        if mode == "dense":
            base = d
        elif mode == "lexical":
            base = lx / top_lex
        else:
            base = DENSE_WEIGHT * d + (1 - DENSE_WEIGHT) * (lx / top_lex)
        passage = index.passages[i]
        hits.append(Hit(i, passage, base * _state_factor(passage, state), d, lx))
    hits.sort(key=lambda h: h.score, reverse=True)
    return hits


def by_document(hits: list[Hit]) -> list[Hit]:
    """The best hit of each document, in rank order."""
    seen, out = set(), []
    for h in hits:
        if h.passage.doc_id not in seen:
            seen.add(h.passage.doc_id)
            out.append(h)
    return out
