"""Hybrid retrieval: dense (FAISS) and lexical (FTS5 BM25) candidates, fused, state-aware."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from bot.answer import entities
from bot.knowledge.index import LoadedIndex
from bot.types import Passage

CANDIDATES = 40
OTHER_STATE_FACTOR = 0.6    # a passage specific to another state ranks below general guidance
UNKNOWN_STATE_FACTOR = 0.9  # ... and slightly below it when the asker's state is unknown
SAME_STATE_BONUS = 1.25
# General guidance on the asked subject that names the asker's state. Fitted on dev: 1.0 to 1.12
# gave dev recall@1 0.966 to 0.971, best at 1.03; unseen 0.912 throughout.
NAMED_STATE_BONUS = 1.03

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
    score: float      # reranked score
    dense: float      # cosine similarity of the question to the passage
    lexical: float    # BM25, 0 when the passage was not a lexical candidate
    ask: float = 0.0  # best cosine similarity to a question the passage's section answers

    @property
    def match(self) -> float:
        """How well the knowledge base matches: the passage itself or a question it answers."""
        return max(self.dense, self.ask)


@dataclass(frozen=True)
class Weights:
    """The reranker: a weighted sum of what speaks for each candidate. Fitted on the dev split
    (bench/fit_rerank.py) and reported on the unseen split, which nothing is fitted on."""

    dense: float = 0.45
    ask: float = 0.45
    lexical: float = 0.10
    credential: float = 0.10
    subject: float = 0.04
    figure: float = 0.05  # the passage holds the kind of figure asked for ("how many hours": "500 hours")


WEIGHTS = Weights()


def _state_factor(passage: Passage, state: str | None, subject: float, named: frozenset[str]) -> float:
    """The asker's state lifts guidance for that state only when it is about what was asked: "ma
    pay in california" must not pull California's scope rules above the pay guidance, and lifts
    general guidance on the asked subject that names the state (California's figure in the
    pay-by-state table over the national median)."""
    if not passage.states:
        if state and subject > 0 and state in named:
            return NAMED_STATE_BONUS
        return 1.0
    if state is None:
        return UNKNOWN_STATE_FACTOR
    if state in passage.states:
        return SAME_STATE_BONUS if subject >= 0 else 1.0
    return OTHER_STATE_FACTOR


def _credential(asked: frozenset[str], heading: frozenset[str], text: frozenset[str]) -> float:
    """+1 when the passage's heading names the credential asked about, -1 when it names only others."""
    if not asked:
        return 0.0
    if heading & asked:
        return 1.0
    if heading:
        return -1.0
    if text & asked:
        return 0.5
    return -0.5 if text else 0.0


def _subject(asked: frozenset[str], passage: frozenset[str]) -> float:
    if not asked or not passage:
        return 0.0
    return 1.0 if asked & passage else -1.0


def search(index: LoadedIndex, vector: np.ndarray, query: str, *, state: str | None = None,
           figure: re.Pattern[str] | None = None, weights: Weights = WEIGHTS) -> list[Hit]:
    """Passages ranked for a question: dense, lexical and section-question candidates, reranked."""
    dense = dict(index.dense(vector, CANDIDATES))
    lexical = dict(index.lexical(fts_query(query), CANDIDATES))
    ask_scores = np.full(len(index.passages), -1.0, dtype=np.float32)
    if len(index.ask_vectors):
        np.maximum.at(ask_scores, index.ask_passage, index.ask_vectors @ vector)
    by_ask = np.argsort(-ask_scores)[:CANDIDATES]
    ids = set(dense) | set(lexical) | {int(i) for i in by_ask if ask_scores[i] > 0}
    if not ids:
        return []
    missing = [i for i in ids if i not in dense]
    if missing:  # dense scores of the other candidates, so every feature compares like with like
        dense.update(zip(missing, (index.vectors[missing] @ vector).tolist()))
    top_lex = max(lexical.values(), default=0.0) or 1.0
    asked = entities.of(query)
    hits = []
    for i in ids:
        passage = index.passages[i]
        f = index.features[i]
        d, lx = dense[i], lexical.get(i, 0.0)
        # A passage whose section lists no questions is judged on its own text, not penalised.
        a = max(float(ask_scores[i]), 0.0) if passage.asks else d
        subject = _subject(asked.subjects, f.subjects)
        score = (weights.dense * d + weights.ask * a + weights.lexical * (lx / top_lex)
                 + weights.credential * _credential(asked.credentials, f.heading_credentials, f.text_credentials)
                 + weights.subject * subject
                 + (weights.figure if figure is not None and figure.search(passage.text) else 0.0))
        hits.append(Hit(i, passage, score * _state_factor(passage, state, subject, f.named_states), d, lx, a))
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
