"""The counselors' FAQ review: logged questions grouped by meaning, with what went unanswered
or was rated down, rendered as Markdown, CSV, JSON or HTML, and turned into draft guidance."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import io
import json
from collections import Counter
from dataclasses import asdict, dataclass, field

import numpy as np

from bot.answer.query import expand

# Cosine similarity to a group's centroid needed to join it: "cma vs rma" and "should I get my
# CMA or RMA" fall together, "cma vs rma" and "how much does the cma cost" do not (tests/test_faq.py).
GROUP_THRESHOLD = 0.72
MAX_EXAMPLES = 5
MOST_ASKED = 10
UNANSWERED = ("no_answer", "out_of_scope")


@dataclass
class Group:
    id: str
    label: str
    count: int
    users: int
    answer_rate: float
    helpful: int
    not_helpful: int
    top_doc: str | None
    examples: list[str] = field(default_factory=list)
    unanswered: int = 0


@dataclass
class Report:
    generated_at: str
    since: str | None
    groups: list[Group]
    unanswered: list[str]
    rated_down: list[str]
    most_asked: list[str]
    crisis_referrals: int = 0  # counted only: their text is never kept

    def to_dict(self) -> dict:
        return {"generated_at": self.generated_at, "since": self.since, "crisis_referrals": self.crisis_referrals,
                "groups": [{k: v for k, v in asdict(g).items() if k != "unanswered"} for g in self.groups],
                "unanswered": self.unanswered, "rated_down": self.rated_down, "most_asked": self.most_asked}


def group_id(leader: str) -> str:
    return "g" + hashlib.sha1(leader.strip().lower().encode()).hexdigest()[:8]


def cluster(vectors: np.ndarray, threshold: float = GROUP_THRESHOLD) -> list[list[int]]:
    """Greedy clustering in the order given (chronological): each question joins the group whose
    centroid is most similar, if similar enough, or starts a new one. The first question of a
    group stays its leader, so a group's id is stable as new questions arrive."""
    groups: list[list[int]] = []
    sums: list[np.ndarray] = []
    for i, v in enumerate(vectors):
        best, best_sim = -1, threshold
        if sums:
            centroids = np.stack(sums)
            centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
            sims = centroids @ v
            j = int(np.argmax(sims))
            if sims[j] >= best_sim:
                best = j
        if best < 0:
            groups.append([i])
            sums.append(v.copy())
        else:
            groups[best].append(i)
            sums[best] += v
    return groups


def build_report(question_log, encoder, cache, since: dt.date | None = None) -> Report:
    from bot.knowledge.embed import embed_with_cache

    where, args = ("where q.asked_at >= ?", [since.isoformat()]) if since else ("", [])
    rows = list(question_log.db.query(
        f"select q.id, q.user_key, q.question, q.status, q.top_doc, f.helpful from questions q "
        f"left join feedback f on f.question_id = q.id {where} order by q.id", args))
    crisis_count = sum(r["status"] == "crisis" for r in rows)
    rows = [r for r in rows if r["status"] != "crisis"]
    groups: list[Group] = []
    if rows:
        vectors, _ = embed_with_cache([expand(r["question"]) for r in rows], encoder, cache)
        for members in cluster(vectors):
            rs = [rows[i] for i in members]
            phrasings = Counter(r["question"].strip() for r in rs)
            docs = Counter(r["top_doc"] for r in rs if r["top_doc"])
            answered = sum(r["status"] == "answered" for r in rs)
            groups.append(Group(
                id=group_id(rs[0]["question"]), label=phrasings.most_common(1)[0][0], count=len(rs),
                users=len({r["user_key"] for r in rs}), answer_rate=round(answered / len(rs), 3),
                helpful=sum(r["helpful"] == 1 for r in rs), not_helpful=sum(r["helpful"] == 0 for r in rs),
                top_doc=docs.most_common(1)[0][0] if docs else None,
                examples=[p for p, _ in phrasings.most_common(MAX_EXAMPLES)],
                unanswered=sum(r["status"] in UNANSWERED for r in rs)))
    groups.sort(key=lambda g: (-g.count, g.id))
    unanswered = [g.id for g in sorted(groups, key=lambda g: (-g.unanswered, -g.count)) if g.unanswered]
    rated_down = [g.id for g in sorted(groups, key=lambda g: (-(g.not_helpful - g.helpful), -g.count))
                  if g.not_helpful > g.helpful]
    return Report(generated_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                  since=since.isoformat() if since else None, groups=groups, unanswered=unanswered,
                  rated_down=rated_down, most_asked=[g.id for g in groups[:MOST_ASKED]],
                  crisis_referrals=crisis_count)


CRISIS_NOTE = ("Crisis referrals: {n}. Messages that read as a crisis got the 988 Suicide & Crisis "
               "Lifeline; only their count is kept, never their text.")
SECTIONS = (("unanswered", "Unanswered: questions the bot could not or would not answer"),
            ("rated_down", "Rated down: more 'not helpful' than 'helpful'"),
            ("most_asked", "Most asked"))
COLUMNS = ("id", "label", "count", "users", "answer_rate", "helpful", "not_helpful", "top_doc")


def to_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, "sections", "examples"])
    for g in report.groups:
        sections = [key for key, _ in SECTIONS if g.id in getattr(report, key)]
        writer.writerow([getattr(g, c) for c in COLUMNS] + [" ".join(sections), " | ".join(g.examples)])
    return out.getvalue()


def to_markdown(report: Report) -> str:
    by_id = {g.id: g for g in report.groups}
    lines = [f"# careerbot FAQ review", "",
             f"Generated {report.generated_at}; questions since {report.since or 'the start of the log'}; "
             f"{sum(g.count for g in report.groups)} questions in {len(report.groups)} groups.", "",
             CRISIS_NOTE.format(n=report.crisis_referrals), ""]
    for key, title in SECTIONS:
        ids = getattr(report, key)
        lines += [f"## {title}", ""]
        if not ids:
            lines += ["None.", ""]
            continue
        lines += ["| group | asked | people | answered | helpful | not helpful | top document | example phrasings |",
                  "|---|---:|---:|---:|---:|---:|---|---|"]
        for gid in ids:
            g = by_id[gid]
            examples = " · ".join(e.replace("|", "/") for e in g.examples)
            lines.append(f"| `{g.id}` {g.label.replace('|', '/')} | {g.count} | {g.users} | {g.answer_rate:.0%} "
                         f"| {g.helpful} | {g.not_helpful} | {g.top_doc or '–'} | {examples} |")
        lines.append("")
    lines.append("Turn a group into draft guidance: `careerbot faq draft GROUP_ID`.")
    return "\n".join(lines) + "\n"


def to_html(report: Report) -> str:
    e = html.escape
    by_id = {g.id: g for g in report.groups}
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>careerbot FAQ review</title>",
             "<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}table{border-collapse:"
             "collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;"
             "vertical-align:top}th{background:#f4f4f4}code{color:#555}</style></head><body>",
             "<h1>careerbot FAQ review</h1>",
             f"<p>Generated {e(report.generated_at)}; questions since {e(report.since or 'the start of the log')}.</p>",
             f"<p>{e(CRISIS_NOTE.format(n=report.crisis_referrals))}</p>"]
    for key, title in SECTIONS:
        parts.append(f"<h2>{e(title)}</h2>")
        ids = getattr(report, key)
        if not ids:
            parts.append("<p>None.</p>")
            continue
        parts.append("<table><tr><th>Group</th><th>Asked</th><th>People</th><th>Answered</th><th>Helpful</th>"
                     "<th>Not helpful</th><th>Top document</th><th>Example phrasings</th></tr>")
        for gid in ids:
            g = by_id[gid]
            parts.append(f"<tr><td>{e(g.label)}<br><code>{e(g.id)}</code></td><td>{g.count}</td><td>{g.users}</td>"
                         f"<td>{g.answer_rate:.0%}</td><td>{g.helpful}</td><td>{g.not_helpful}</td>"
                         f"<td>{e(g.top_doc or '–')}</td><td>{'<br>'.join(e(x) for x in g.examples)}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


RENDERERS = {"md": to_markdown, "csv": to_csv, "json": to_json, "html": to_html}


def draft(group: Group, topic: str) -> tuple[str, str]:
    """(doc id, file text) of a draft document for a group's questions, to be filled and reviewed."""
    from bot.knowledge.imports import slugify

    doc_id = slugify(group.label)
    phrasings = "\n".join(f"  - {x.replace('--', '-')}" for x in group.examples)
    text = (f"---\nid: {doc_id}\ntitle: {json.dumps(group.label)}\ntopic: {topic}\nsources: []\nstatus: draft\n---\n\n"
            f"<!-- Drafted from FAQ group {group.id}: asked {group.count} times by {group.users} people, "
            f"answered {group.answer_rate:.0%} of the time. How people asked it:\n{phrasings}\n"
            "Write each section from a primary source, give every figure its year, list the sources "
            "above, then publish with 'careerbot knowledge publish'. -->\n\n"
            "Answer the question in two or three sentences here.\n\n"
            "## What the rules or figures say\n\nTODO\n\n"
            "## What this means for you\n\nTODO\n\n"
            "## Where to check\n\nTODO\n")
    return doc_id, text
