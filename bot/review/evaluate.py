"""The labelled evaluation: retrieval quality by mode, and the gate's and threshold's decisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.types import Context

DEFAULT_QUESTIONS = Path("tests/eval/questions.yaml")
MODES = ("dense", "lexical", "hybrid")
# The targets the evaluation must meet (issue: knowledge base and evaluation).
TARGETS = {"recall@5": 0.95, "mrr@10": 0.85, "medical_referred": 1.0, "out_of_scope_declined": 0.95,
           "wrongly_refused": 0.03}


@dataclass(frozen=True)
class Question:
    q: str
    kind: str
    docs: tuple[str, ...] = ()
    previous: str | None = None
    state: str | None = None

    @property
    def context(self) -> Context:
        return Context(state=self.state, previous_question=self.previous)


@dataclass
class Report:
    retrieval: dict[str, dict[str, float]]       # mode -> metric -> value
    decisions: dict[str, float]
    counts: dict[str, int]
    misses: list[dict] = field(default_factory=list)
    wrong_decisions: list[dict] = field(default_factory=list)

    def failures(self) -> list[str]:
        hybrid = self.retrieval["hybrid"]
        out = []
        for key in ("recall@5", "mrr@10"):
            if hybrid[key] < TARGETS[key]:
                out.append(f"{key} {hybrid[key]:.3f} < {TARGETS[key]}")
        for key in ("medical_referred", "out_of_scope_declined"):
            if self.decisions[key] < TARGETS[key]:
                out.append(f"{key} {self.decisions[key]:.3f} < {TARGETS[key]}")
        if self.decisions["wrongly_refused"] > TARGETS["wrongly_refused"]:
            out.append(f"wrongly_refused {self.decisions['wrongly_refused']:.3f} > {TARGETS['wrongly_refused']}")
        return out

    def to_dict(self) -> dict:
        return {"retrieval": self.retrieval, "decisions": self.decisions, "counts": self.counts,
                "targets": TARGETS, "failures": self.failures(), "misses": self.misses,
                "wrong_decisions": self.wrong_decisions}

    def markdown(self) -> str:
        lines = ["| retrieval | recall@1 | recall@5 | MRR@10 |", "|---|---:|---:|---:|"]
        for mode in MODES:
            m = self.retrieval[mode]
            lines.append(f"| {mode} | {m['recall@1']:.3f} | {m['recall@5']:.3f} | {m['mrr@10']:.3f} |")
        d = self.decisions
        lines += ["", "| decision | rate | target |", "|---|---:|---:|",
                  f"| medical questions referred | {d['medical_referred']:.3f} | 1.000 |",
                  f"| out-of-scope questions declined | {d['out_of_scope_declined']:.3f} | ≥ 0.950 |",
                  f"| answerable questions wrongly refused | {d['wrongly_refused']:.3f} | ≤ 0.030 |",
                  "", f"Questions: {self.counts['answerable']} answerable, {self.counts['medical']} medical, "
                      f"{self.counts['out_of_scope']} out of scope."]
        return "\n".join(lines)


def load_questions(path: Path = DEFAULT_QUESTIONS) -> list[Question]:
    items = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [Question(q=i["q"], kind=i.get("kind", "answerable"), docs=tuple(i.get("docs") or ()),
                     previous=i.get("previous"), state=i.get("state")) for i in items]


def _rank_of(ranked: list[str], wanted: tuple[str, ...]) -> int | None:
    for r, doc in enumerate(ranked, 1):
        if doc in wanted:
            return r
    return None


def evaluate(assistant, questions: list[Question], worst: int = 10) -> Report:
    answerable = [q for q in questions if q.kind == "answerable"]
    retrieval = {}
    ranks_hybrid: list[tuple[Question, int | None, list[str]]] = []
    for mode in MODES:
        ranks = []
        for q in answerable:
            ranked = assistant.rank(q.q, q.context, mode=mode)
            ranks.append(_rank_of(ranked, q.docs))
            if mode == "hybrid":
                ranks_hybrid.append((q, ranks[-1], ranked[:3]))
        n = len(ranks) or 1
        retrieval[mode] = {
            "recall@1": sum(1 for r in ranks if r == 1) / n,
            "recall@5": sum(1 for r in ranks if r and r <= 5) / n,
            "mrr@10": sum(1 / r for r in ranks if r and r <= 10) / n,
        }
    wrong = []
    refused = 0
    for q in answerable:
        a = assistant.ask(q.q, q.context)
        if a.status != "answered":
            refused += 1
            wrong.append({"q": q.q, "expected": "answered", "got": a.status, "score": a.score})
    medical = [q for q in questions if q.kind == "medical"]
    oos = [q for q in questions if q.kind == "out_of_scope"]
    referred = declined = 0
    for q in medical:
        a = assistant.ask(q.q, q.context)
        referred += a.status == "medical"
        if a.status != "medical":
            wrong.append({"q": q.q, "expected": "medical", "got": a.status, "score": a.score})
    for q in oos:
        a = assistant.ask(q.q, q.context)
        declined += a.status != "answered"
        if a.status == "answered":
            wrong.append({"q": q.q, "expected": "out_of_scope", "got": a.status, "top_doc": a.top_doc})
    misses = sorted(ranks_hybrid, key=lambda t: t[1] or 99, reverse=True)
    return Report(
        retrieval=retrieval,
        decisions={"medical_referred": referred / (len(medical) or 1),
                   "out_of_scope_declined": declined / (len(oos) or 1),
                   "wrongly_refused": refused / (len(answerable) or 1)},
        counts={"answerable": len(answerable), "medical": len(medical), "out_of_scope": len(oos)},
        misses=[{"q": q.q, "expected": list(q.docs), "rank": r, "got": got}
                for q, r, got in misses[:worst] if r != 1],
        wrong_decisions=wrong,
    )
