"""The FAQ grouping against a labelled set (tests/eval/faq_groups.yaml): 342 logged-style questions
in 76 true groups, with near-misses (CMA vs CMAC, California vs Texas, exam fee vs renewal).
Targets: adjusted Rand index and purity both at least 0.85, and the same groups in any order."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import yaml
from sklearn.metrics import adjusted_rand_score

from bot.review.grouping import group_texts

LABELLED = Path(__file__).parent / "eval" / "faq_groups.yaml"
TARGET = 0.85


def purity(labels: list[int], truth: list[str]) -> float:
    """Share of questions in the true group most common in their found group."""
    by_group: dict[int, Counter] = {}
    for label, true in zip(labels, truth):
        by_group.setdefault(label, Counter())[true] += 1
    return sum(c.most_common(1)[0][1] for c in by_group.values()) / len(labels)


@pytest.fixture(scope="module")
def labelled(encoder):
    groups = yaml.safe_load(LABELLED.read_text())
    pairs = [(q, name) for name, questions in groups.items() for q in questions]
    memo: dict[str, np.ndarray] = {}

    def encode(texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in memo]
        if missing:
            memo.update(zip(missing, encoder.encode(missing)))
        return np.stack([memo[t] for t in texts])

    return pairs, encode


def partition(texts: list[str], labels: list[int]) -> set[frozenset[str]]:
    groups: dict[int, set[str]] = {}
    for t, label in zip(texts, labels):
        groups.setdefault(label, set()).add(t)
    return {frozenset(g) for g in groups.values()}


def test_labelled_set_is_big_and_varied_enough():
    groups = yaml.safe_load(LABELLED.read_text())
    questions = [q for qs in groups.values() for q in qs]
    assert len(questions) >= 300 and len(groups) >= 40 and len(set(questions)) == len(questions)


def test_grouping_meets_the_targets_on_the_labelled_set(labelled, capsys):
    pairs, encode = labelled
    texts, truth = [q for q, _ in pairs], [t for _, t in pairs]
    grouping = group_texts(texts, encode)
    ari, pur = adjusted_rand_score(truth, grouping.labels), purity(grouping.labels, truth)
    with capsys.disabled():
        print(f"\nFAQ grouping on {len(texts)} labelled questions, {len(set(truth))} true groups: "
              f"{len(set(grouping.labels))} groups found, adjusted Rand index {ari:.3f}, purity {pur:.3f}")
    assert ari >= TARGET and pur >= TARGET


def test_shuffled_order_gives_the_same_groups(labelled):
    pairs, encode = labelled
    texts = [q for q, _ in pairs]
    reference = partition(texts, group_texts(texts, encode).labels)
    for seed in (1, 2, 3):
        shuffled = texts[:]
        random.Random(seed).shuffle(shuffled)
        assert partition(shuffled, group_texts(shuffled, encode).labels) == reference


def test_questions_naming_different_states_or_credentials_never_share_a_group(labelled):
    pairs, encode = labelled
    texts = [q for q, _ in pairs]
    labels = dict(zip(texts, group_texts(texts, encode).labels))
    for a, b in [("can ma give shots in california", "can ma give shots in texas"),
                 ("can an ma do injections in ca", "can an ma do injections in tx"),
                 ("how much is the cma exam", "how much is the rma exam"),
                 ("what is a cma", "what is a cmac"),
                 ("how much do medical assistants make in california", "how much do medical assistants make in texas"),
                 ("can medical assistants give injections in california", "can a medical assistant give injections")]:
        assert labels[a] != labels[b], (a, b)


def test_rephrasings_and_repeats_fall_together(labelled):
    _, encode = labelled
    texts = ["cma vs rma", "CMA vs RMA?", "What is the difference between the CMA and RMA?",
             "Should I get my CMA or RMA certification?", "how much does the cma exam cost"]
    labels = group_texts(texts, encode).labels
    assert len({labels[0], labels[1], labels[2], labels[3]}) == 1 and labels[4] != labels[0]
