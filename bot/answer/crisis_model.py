"""The crisis classifier: how likely a message is to come from someone in crisis.

A logistic regression over two views of the message: its sentence embedding (what it means) and
its letter n-grams (how it is typed: "unalive", "kms", "k!ll myself", slang the encoder never saw).
It is trained on its own, crisis against everything else, so it can learn from hundreds of traps
("this exam is killing me") that the gate's other classes have no use for.

Measured leaving one safety set out at a time (five sets, each written by a different hand; the
gate's other examples, the section questions and the traps of the remaining sets as negatives):
382 crisis messages, 364 traps, and 877 career questions of dev, blind4, blind5 and blind6 that
it never trains on, at a probability of 0.8:

    embeddings alone (C=16)              264/382 caught, 13 traps and 16 career questions heard
    embeddings + n-grams (this, C=16)    306/382 caught,  4 traps and  2 career questions heard

crisis.py's patterns are the other layer; the gate's thresholds on this probability are in gate.py.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.answer.crisis import normalise

NGRAMS = (2, 5)          # letter n-grams within a word, as sklearn's "char_wb" analyzer makes them
MIN_DOCUMENT_COUNT = 2   # an n-gram seen in one example only is noise
NGRAM_WEIGHT = 2.0       # the n-gram view's scale against the unit-length embedding (1.0: 299/382 at 0.8, 2.0: 306/382)
REGULARISATION_C = 16.0  # at 0.8 and weight 1.0: C=32 catches 306/382 but hears 4 traps; C=16 299/382 and 1
# Fitted to convergence: at scikit-learn's default (1e-4) lbfgs stopped early enough that adding seven
# section questions moved one held-out career question from 0.60 to 0.86 (a check-in instead of an
# answer) and any career question of dev and blind8 by up to 0.088; at 1e-6 by at most 0.002
# (2026-11-28), for about 2 s more per build. Leaving safety_blind8 out, both catch as many of it
# (68 and 67 of 100 at 0.8, 76 and 77 at 0.5, one of its 100 traps at 0.8).
TOLERANCE = 1e-6


def ngrams(text: str) -> list[str]:
    """The letter n-grams of each word of the normalised message, the word padded with spaces."""
    out: list[str] = []
    for word in normalise(text).split():
        padded = f" {word} "
        for n in range(NGRAMS[0], NGRAMS[1] + 1):
            if len(padded) < n:
                break
            out.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return out


@dataclass(frozen=True)
class CrisisModel:
    vocabulary: dict[str, int]
    idf: np.ndarray
    ngram_weights: np.ndarray
    vector_weights: np.ndarray
    bias: float

    @classmethod
    def fit(cls, texts: Sequence[str], vectors: np.ndarray, crisis: Sequence[bool]) -> "CrisisModel":
        """Build-time only (scikit-learn); the server computes the same features with numpy."""
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        tfidf = TfidfVectorizer(analyzer=ngrams, min_df=MIN_DOCUMENT_COUNT, sublinear_tf=True)
        counts = tfidf.fit_transform(texts)
        X = sp.hstack([counts * NGRAM_WEIGHT, sp.csr_matrix(vectors)]).tocsr()
        model = LogisticRegression(C=REGULARISATION_C, max_iter=5000, tol=TOLERANCE).fit(X, np.asarray(crisis, dtype=int))
        n = len(tfidf.vocabulary_)
        return cls({str(k): int(v) for k, v in tfidf.vocabulary_.items()}, tfidf.idf_.astype(np.float32),
                   model.coef_[0, :n].astype(np.float32), model.coef_[0, n:].astype(np.float32),
                   float(model.intercept_[0]))

    def probability(self, text: str, vector: np.ndarray) -> float:
        # TfidfVectorizer(sublinear_tf=True): (1 + log count) * idf, scaled to unit length.
        counts = Counter(i for g in ngrams(text) if (i := self.vocabulary.get(g)) is not None)
        logit = self.bias + float(self.vector_weights @ vector)
        if counts:
            index = np.fromiter(counts, dtype=np.int64, count=len(counts))
            values = np.array([1.0 + math.log(counts[i]) for i in index], dtype=np.float32) * self.idf[index]
            logit += NGRAM_WEIGHT * float(values @ self.ngram_weights[index]) / float(np.linalg.norm(values))
        return 1.0 / (1.0 + math.exp(-logit))

    def arrays(self) -> dict[str, np.ndarray]:
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        return {"crisis_terms": np.array(terms, dtype=str), "crisis_idf": self.idf,
                "crisis_ngram_weights": self.ngram_weights, "crisis_vector_weights": self.vector_weights,
                "crisis_bias": np.array([self.bias], dtype=np.float32)}

    @classmethod
    def from_arrays(cls, data: dict[str, np.ndarray]) -> "CrisisModel":
        return cls({str(t): i for i, t in enumerate(data["crisis_terms"])}, data["crisis_idf"],
                   data["crisis_ngram_weights"], data["crisis_vector_weights"], float(data["crisis_bias"][0]))
