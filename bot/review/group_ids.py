"""Group ids that stay the same from one report to the next.

Each report's groups are saved in the log database (`faq_groups`: id, label, what it names, centroid;
`faq_members`: the group of each question). A new group takes the id of the saved group that
shares the most of its questions; failing that, of the nearest saved centroid naming the same
things (a group of questions all asked since the last report); failing that, a new id from its
first normalised text. Each saved id goes to at most one new group: when a group splits, the
larger share keeps the id.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

import numpy as np

from bot.review.log import QuestionLog, now

# Cosine between a new group's centroid and a saved one needed to take its id when no question is
# shared: the same question asked anew (0.92+ for rephrasings of one group in faq_groups.yaml).
CENTROID_MATCH = 0.85


@dataclass
class NewGroup:
    questions: list[int]      # question ids
    first_key: str            # first normalised text, in sorted order
    part: str                 # what it names (grouping.named)
    centroid: np.ndarray
    label: str


def fresh_id(first_key: str) -> str:
    return "g" + hashlib.sha1(first_key.encode()).hexdigest()[:8]


def load(question_log: QuestionLog) -> tuple[dict[int, str], dict[str, tuple[str, np.ndarray]]]:
    """(group id of each question, (part, centroid) of each saved group)."""
    members = {r["question_id"]: r["group_id"]
               for r in question_log.query("select question_id, group_id from faq_members")}
    saved = {r["id"]: (r["part"] or "", np.frombuffer(r["centroid"], dtype=np.float32))
             for r in question_log.query("select id, part, centroid from faq_groups")}
    return members, saved


def assign(groups: list[NewGroup], members: dict[int, str],
           saved: dict[str, tuple[str, np.ndarray]]) -> list[str]:
    ids: list[str | None] = [None] * len(groups)
    taken: set[str] = set()
    # 1. the saved group sharing the most questions
    pairs: list[tuple[float, str, str, int]] = []
    for i, g in enumerate(groups):
        for gid, n in Counter(members[q] for q in g.questions if q in members).items():
            pairs.append((-n, g.first_key, gid, i))
    for _, _, gid, i in sorted(pairs):
        if ids[i] is None and gid not in taken:
            ids[i], taken = gid, taken | {gid}
    # 2. the nearest saved centroid naming the same things
    pairs = []
    for i, g in enumerate(groups):
        if ids[i] is not None:
            continue
        for gid, (part, centroid) in saved.items():
            if part == g.part and gid not in taken and centroid.shape == g.centroid.shape:
                sim = float(centroid @ g.centroid)
                if sim >= CENTROID_MATCH:
                    pairs.append((-sim, g.first_key, gid, i))
    for _, _, gid, i in sorted(pairs):
        if ids[i] is None and gid not in taken:
            ids[i], taken = gid, taken | {gid}
    # 3. a new id
    for i, g in enumerate(groups):
        if ids[i] is None:
            gid, n = fresh_id(g.first_key), 1
            while gid in taken or gid in saved:
                n += 1
                gid = fresh_id(f"{g.first_key}#{n}")
            ids[i], taken = gid, taken | {gid}
    return [gid for gid in ids if gid is not None]


def save(question_log: QuestionLog, groups: list[NewGroup], ids: list[str]) -> None:
    at = now()
    with question_log.writing() as db:
        db.table("faq_groups").upsert_all(
            ({"id": gid, "label": g.label, "part": g.part, "centroid": g.centroid.astype(np.float32).tobytes(),
              "size": len(g.questions), "seen_at": at} for gid, g in zip(ids, groups)), pk="id")
        db.table("faq_members").upsert_all(
            ({"question_id": q, "group_id": gid} for gid, g in zip(ids, groups) for q in g.questions),
            pk="question_id")
        # questions erased (/forget, prune) leave no membership behind
        db.execute("delete from faq_members where question_id not in (select id from questions)")
