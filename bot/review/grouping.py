"""Logged questions grouped by meaning, the same way whatever order they arrived in.

1. Each question is normalised (short forms spelled out, lower case, punctuation folded) and
   exact duplicates are counted once; the distinct texts are sorted, so everything after this
   depends only on the set of questions, never on their order.
2. Questions are split by what they name: the credentials (bot/answer/entities.py), the licences
   and occupations an MA moves on to (LPN, RN, CNA, PA) and the US state. "how much is the cma
   exam" and "... the rma exam", or injections in California and in Texas, have different
   answers and are never grouped together.
3. The vectors are centred: the mean of all questions is taken away, and most of each part's own
   mean, so what every question of a part shares ("cma", "medical assistant") stops dominating
   and what it asks about decides (adjusted Rand index 0.73 -> 0.86 on the labelled set).
4. Inside each part, average-linkage agglomerative clustering (fastcluster) on cosine distance, cut at
   `THRESHOLD`. A part with more than `EXACT_LIMIT` distinct texts is first compressed into
   `COMPRESS_TO` micro-groups by spherical k-means (FAISS, fixed seed) whose centroids are then
   clustered the same way: 100,000 questions group in seconds (`make bench`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

import numpy as np

from bot.answer.entities import credentials
from bot.answer.query import expand
from bot.states import CODES, find_state

# Average cosine distance (of centred vectors) inside a group at most this: chosen on
# tests/eval/faq_groups.yaml (tests/test_faq_groups.py); ARI 0.84 / 0.85 / 0.86 / 0.81 at
# 0.525 / 0.55 / 0.575 / 0.6.
THRESHOLD = 0.575
# A part's mean is taken away in proportion n / (n + PART_SHRINK): fully for a large part, little
# for a part of a few questions, whose mean is mostly the questions themselves (ARI 0.82 at 10,
# 0.86 at 20, 0.86 at 40).
PART_SHRINK = 20
EXACT_LIMIT = 3000   # distinct texts per part clustered exactly (~1 s and 36 MB at 3,000, measured with SciPy)
COMPRESS_TO = 2000   # micro-groups for a larger part
KMEANS_ITERATIONS = 10
SEED = 1234

_PUNCT = re.compile(r"[^\w\s']+|(?<!\w)'|'(?!\w)")
_SPACES = re.compile(r"\s+")
# "in tx", "for ca": lower-case state codes count after a preposition (find_state reads upper case only).
_LOWER_CODE = re.compile(r"\b(?:in|for|from|of)\s+([a-z]{2})\b")
# Licences and occupations people move to from medical assisting: "ma to lpn" is not "ma to rn".
_OCCUPATIONS = {"LPN": re.compile(r"\blpns?\b|licensed practical nurse"),
                "RN": re.compile(r"\brns?\b|registered nurse"),
                "CNA": re.compile(r"\bcnas?\b|nursing assistant"),
                "PA": re.compile(r"physician assistant|\bpa school\b")}
_NOT_STATES = {"ma", "pa", "in", "or", "me", "ok", "hi", "id", "oh", "de", "la", "co", "al", "md", "dc"}
def normalise(text: str) -> str:
    return _SPACES.sub(" ", _PUNCT.sub(" ", expand(text).lower())).strip()


def state_named(text: str) -> str | None:
    found = find_state(text)
    if found:
        return found
    for m in _LOWER_CODE.finditer(text.lower()):
        if m.group(1) not in _NOT_STATES and m.group(1).upper() in CODES:
            return m.group(1).upper()
    return None


def named(text: str) -> str:
    """What a question names, as a key: questions with different keys never share a group."""
    state = state_named(text)
    names = set(credentials(text)) | {k for k, r in _OCCUPATIONS.items() if r.search(text)}
    return ",".join(sorted(names) + ([f"state:{state}"] if state else []))


def centre(vectors: np.ndarray, parts: list[str]) -> np.ndarray:
    """Take away the mean of all vectors and each part's mean, each shrunk by its size (a handful of
    questions is mostly its own mean: "cma vs rma" and "CMA or RMA?" alone must stay together)."""
    out = vectors.astype(np.float64)
    out -= out.mean(axis=0) * (len(out) / (len(out) + PART_SHRINK))
    by_part: dict[str, list[int]] = defaultdict(list)
    for i, part in enumerate(parts):
        by_part[part].append(i)
    for members in by_part.values():
        out[members] -= out[members].mean(axis=0) * (len(members) / (len(members) + PART_SHRINK))
    return (out / np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-12, None)).astype(np.float32)


def _average_linkage(vectors: np.ndarray, threshold: float) -> np.ndarray:
    """Average-linkage clusters on cosine distance, cut at `threshold`. fastcluster (0.2 MB) does the
    linkage instead of SciPy, which was 143 of the serving install's 465 MB for this one call."""
    import fastcluster

    n = len(vectors)
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    v = vectors.astype(np.float64)
    v /= np.clip(np.linalg.norm(v, axis=1, keepdims=True), 1e-12, None)
    distances = np.clip(1.0 - (v @ v.T)[np.triu_indices(n, 1)], 0.0, 2.0)  # condensed, as pdist gives
    return _cut(fastcluster.average(distances), n, threshold)


def _cut(merges: np.ndarray, n: int, threshold: float) -> np.ndarray:
    """Flat clusters of a dendrogram cut at `threshold`: every merge at or below it joins its two
    sides (SciPy's fcluster with criterion "distance"; average linkage is monotone, so merge order
    is height order). Labels are 0..k-1 by each cluster's first member."""
    parent = np.arange(2 * n - 1)
    for k, (a, b, height, _) in enumerate(merges):
        if height <= threshold:
            parent[int(a)] = parent[int(b)] = n + k

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    roots = [root(i) for i in range(n)]
    first: dict[int, int] = {}
    return np.array([first.setdefault(r, len(first)) for r in roots], dtype=np.int64)


def _compress(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(micro-group of each vector, micro-group centroids) by spherical k-means."""
    import faiss

    kmeans = faiss.Kmeans(vectors.shape[1], k, niter=KMEANS_ITERATIONS, seed=SEED, spherical=True,
                          min_points_per_centroid=1)
    kmeans.train(vectors)
    _, assigned = kmeans.index.search(vectors, 1)
    assigned = assigned[:, 0]
    used, micro = np.unique(assigned, return_inverse=True)
    sums = np.zeros((len(used), vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, micro, vectors)
    centroids = sums / np.clip(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12, None)
    return micro, centroids.astype(np.float32)


def cluster_part(vectors: np.ndarray, threshold: float = THRESHOLD) -> np.ndarray:
    """Cluster labels for one part's vectors (normalised, in canonical order)."""
    if len(vectors) <= EXACT_LIMIT:
        return _average_linkage(vectors, threshold)
    micro, centroids = _compress(np.ascontiguousarray(vectors, dtype=np.float32), COMPRESS_TO)
    return _average_linkage(centroids, threshold)[micro]


def cluster(keys: list[str], parts: list[str], vectors: np.ndarray, threshold: float = THRESHOLD) -> list[int]:
    """Group label of each distinct text. `keys` (normalised texts) must be sorted and distinct;
    labels are numbered by each group's first key, so the same set always gives the same labels."""
    by_part: dict[str, list[int]] = defaultdict(list)
    for i, part in enumerate(parts):
        by_part[part].append(i)
    vectors = centre(vectors, parts)
    labels = np.full(len(keys), -1, dtype=np.int64)
    next_label = 0
    for part in sorted(by_part):
        members = np.array(by_part[part])
        local = cluster_part(vectors[members], threshold)
        labels[members] = local + next_label
        next_label += int(local.max()) + 1
    first: dict[int, int] = {}
    for i, label in enumerate(labels):
        first.setdefault(int(label), i)
    order = {label: n for n, label in enumerate(sorted(first, key=lambda label: first[label]))}
    return [order[int(label)] for label in labels]


@dataclass(frozen=True)
class Grouping:
    """Groups of input questions: `labels[i]` is the group of the i-th input text."""
    labels: list[int]
    keys: list[str]            # distinct normalised texts, sorted
    key_of: list[int]          # input text -> index into keys
    parts: list[str]           # what each key names
    vectors: np.ndarray        # one per key

    def centroid(self, members: list[int]) -> np.ndarray:
        v = self.vectors[sorted({self.key_of[i] for i in members})].mean(axis=0)
        return (v / max(float(np.linalg.norm(v)), 1e-12)).astype(np.float32)


def group_texts(texts: list[str], encode: Callable[[list[str]], np.ndarray],
                threshold: float = THRESHOLD) -> Grouping:
    """Group questions by meaning; `encode` turns normalised texts into normalised vectors."""
    normalised = [normalise(t) for t in texts]
    keys = sorted(set(normalised))
    index = {k: i for i, k in enumerate(keys)}
    key_of = [index[n] for n in normalised]
    # What a text names is read from the lower-cased original ("ma-c" keeps its hyphen); of the
    # originals sharing a key, the first in sorted order, so the result stays order-independent.
    raw: dict[int, str] = {}
    for k, text in zip(key_of, texts):
        t = text.lower()
        raw[k] = min(raw.get(k, t), t)
    parts = [named(raw[i]) for i in range(len(keys))]
    vectors = encode(keys) if keys else np.zeros((0, 1), dtype=np.float32)
    key_labels = cluster(keys, parts, vectors, threshold) if keys else []
    return Grouping(labels=[key_labels[k] for k in key_of], keys=keys, key_of=key_of, parts=parts,
                    vectors=vectors)
