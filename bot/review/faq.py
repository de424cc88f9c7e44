"""The counselors' FAQ review: every logged question of a period, grouped by meaning, with what went
unanswered, was rated down or was referred, rendered as Markdown, CSV, JSON or HTML, and turned
into draft guidance."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import html
import io
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from bot.review import group_ids
from bot.review.group_ids import NewGroup
from bot.review.grouping import group_texts
from bot.review.log import QuestionLog, is_navigation

if TYPE_CHECKING:
    from bot.answer.encoder import TextEncoder
    from bot.knowledge.embed import EmbeddingCache
    from bot.knowledge.index import IndexStore, LoadedIndex
    from bot.settings import Settings

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
    top_doc_title: str | None = None
    examples: list[str] = field(default_factory=list)
    new: bool = False          # not in any earlier report
    unanswered: int = 0
    medical: int = 0

    @property
    def guidance(self) -> str:
        return self.top_doc_title or self.top_doc or "no guidance"


INTERNAL = ("unanswered", "medical")


@dataclass
class Report:
    generated_at: str
    since: str | None
    groups: list[Group]
    unanswered: list[str]
    rated_down: list[str]
    medical: list[str]
    most_asked: list[str]
    crisis_referrals: int = 0  # counted only: their text is never kept
    questions: int = 0

    def to_dict(self) -> dict:
        return {"generated_at": self.generated_at, "since": self.since, "questions": self.questions,
                "crisis_referrals": self.crisis_referrals,
                "groups": [{k: v for k, v in asdict(g).items() if k not in INTERNAL} for g in self.groups],
                "unanswered": self.unanswered, "rated_down": self.rated_down, "medical": self.medical,
                "most_asked": self.most_asked}

    def by_id(self) -> dict[str, Group]:
        return {g.id: g for g in self.groups}


def build_report(question_log: QuestionLog, encoder: TextEncoder, cache: EmbeddingCache, since: dt.date | None = None,
                 titles: dict[str, str] | None = None, save: bool = True) -> Report:
    """Group the period's questions at once (bot/review/grouping.py), give each group the id it had
    in earlier reports (bot/review/group_ids.py) and, with `save`, remember them for the next."""
    from bot.knowledge.embed import embed_with_cache

    titles = titles or {}
    where, args = ("where q.asked_at >= ?", [since.isoformat()]) if since else ("", [])
    rows = question_log.query(
        f"select q.id, q.user_key, q.question, q.status, q.top_doc, f.helpful from questions q "
        f"left join feedback f on f.question_id = q.id {where} order by q.id", args)
    crisis_count = sum(r["status"] == "crisis" for r in rows)
    rows = [r for r in rows if r["status"] != "crisis" and not is_navigation(r["question"])]
    grouping = group_texts([r["question"] for r in rows],
                           lambda texts: embed_with_cache(texts, encoder, cache)[0])
    by_label: dict[int, list[int]] = {}
    for i, label in enumerate(grouping.labels):
        by_label.setdefault(label, []).append(i)
    found = []
    for label in sorted(by_label):
        members = by_label[label]
        first = min(grouping.key_of[i] for i in members)
        phrasings = Counter(rows[i]["question"].strip() for i in members)
        found.append(NewGroup(questions=[rows[i]["id"] for i in members], first_key=grouping.keys[first],
                              part=grouping.parts[first], centroid=grouping.centroid(members),
                              label=min(phrasings, key=lambda p: (-phrasings[p], p))))
    previous, saved = group_ids.load(question_log)
    ids = group_ids.assign(found, previous, saved)
    if save:
        group_ids.save(question_log, found, ids)
    groups: list[Group] = []
    for gid, g, label in zip(ids, found, sorted(by_label)):
        rs = [rows[i] for i in by_label[label]]
        phrasings = Counter(r["question"].strip() for r in rs)
        docs = Counter(r["top_doc"] for r in rs if r["top_doc"] and r["status"] == "answered")
        top_doc = min(docs, key=lambda d: (-docs[d], d)) if docs else None
        answered = sum(r["status"] == "answered" for r in rs)
        groups.append(Group(
            id=gid, label=g.label, count=len(rs), users=len({r["user_key"] for r in rs}),
            answer_rate=round(answered / len(rs), 3), helpful=sum(r["helpful"] == 1 for r in rs),
            not_helpful=sum(r["helpful"] == 0 for r in rs), top_doc=top_doc,
            top_doc_title=titles.get(top_doc) if top_doc else None,
            examples=sorted(phrasings, key=lambda p: (-phrasings[p], p))[:MAX_EXAMPLES], new=gid not in saved,
            unanswered=sum(r["status"] in UNANSWERED for r in rs), medical=sum(r["status"] == "medical" for r in rs)))
    groups.sort(key=lambda g: (-g.count, g.id))
    unanswered = [g.id for g in sorted(groups, key=lambda g: (-g.unanswered, -g.count, g.id)) if g.unanswered]
    rated_down = [g.id for g in sorted(groups, key=lambda g: (-(g.not_helpful - g.helpful), -g.count, g.id))
                  if g.not_helpful > g.helpful]
    medical = [g.id for g in sorted(groups, key=lambda g: (-g.medical, g.id)) if g.medical]
    return Report(generated_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                  since=since.isoformat() if since else None, groups=groups, unanswered=unanswered,
                  rated_down=rated_down, medical=medical, most_asked=[g.id for g in groups[:MOST_ASKED]],
                  crisis_referrals=crisis_count, questions=len(rows))


@contextlib.contextmanager
def index_and_cache(settings: Settings, store: IndexStore | None = None
                    ) -> Iterator[tuple[LoadedIndex, EmbeddingCache]]:
    """The published index (its ONNX encoder and document titles) and the embedding cache: what a
    report needs to group questions, without torch."""
    from bot.knowledge.embed import EmbeddingCache
    from bot.knowledge.index import IndexStore

    index = (store or IndexStore(settings.index_dir, settings.model_id)).get()
    cache = EmbeddingCache(settings.embedding_cache_path)
    try:
        yield index, cache
    finally:
        cache.close()


def report_now(settings: Settings, question_log: QuestionLog, since: dt.date | None = None) -> Report:
    with index_and_cache(settings) as (index, cache):
        return build_report(question_log, index.encoder, cache, since, titles=index.titles)


# What each section is, in the words of someone who counsels rather than codes.
SECTIONS = (
    ("unanswered", "Unanswered",
     "Questions the bot had no vetted guidance for, or judged to be outside health-care careers. "
     "The groups asked most often are the best candidates for new guidance: "
     "'careerbot faq draft GROUP_ID' starts a draft document from a group."),
    ("rated_down", "Rated down",
     "Answers that people marked 'Not helpful' more often than 'Helpful'. Compare the phrasings with "
     "the guidance that answered: either the guidance misses what people ask, or the bot chose the wrong guidance."),
    ("medical", "Referred to a clinician",
     "Questions about a person's own health. The bot never answers these: it refers the person to a "
     "doctor, nurse or pharmacist, and to 911 in an emergency. Check that no career question was referred by mistake."),
)
CRISIS_TITLE = "Crisis referrals"
CRISIS_NOTE = ("{n} message(s) read as a crisis (thoughts of suicide or self-harm) and were answered at once "
               "with the 988 Suicide & Crisis Lifeline. Only their number is kept, never what was said.")
ALL_TITLE = "All questions, grouped"
ALL_NOTE = ("Every question of the period, grouped by meaning, most asked first. Questions that name "
            "different credentials or states are kept apart, because their answers differ. A group keeps "
            "its id from one report to the next; 'new' marks a group not seen in an earlier report.")
COLUMNS = ("id", "label", "count", "users", "answer_rate", "helpful", "not_helpful", "top_doc", "top_doc_title", "new")


def to_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, "sections", "examples"])
    for g in report.groups:
        sections = [key for key, _, _ in SECTIONS if g.id in getattr(report, key)]
        writer.writerow([getattr(g, c) for c in COLUMNS] + [" ".join(sections), " | ".join(g.examples)])
    return out.getvalue()


def _md(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def _md_table(groups: list[Group]) -> list[str]:
    lines = ["| group | asked | people | answered | helpful | not helpful | guidance that answered | phrasings |",
             "|---|---:|---:|---:|---:|---:|---|---|"]
    for g in groups:
        lines.append(f"| {_md(g.label)}{' (new)' if g.new else ''} `{g.id}` | {g.count} | {g.users} | "
                     f"{g.answer_rate:.0%} | {g.helpful} | {g.not_helpful} | {_md(g.guidance)} | "
                     f"{' · '.join(_md(e) for e in g.examples)} |")
    return lines


def _period(report: Report) -> str:
    return (f"Generated {report.generated_at}; questions since {report.since or 'the start of the log'}: "
            f"{report.questions} question(s) in {len(report.groups)} group(s).")


def to_markdown(report: Report) -> str:
    by_id = report.by_id()
    lines = ["# careerbot FAQ review", "", _period(report), ""]
    for key, title, note in SECTIONS:
        ids = getattr(report, key)
        lines += [f"## {title} ({len(ids)})", "", note, ""]
        lines += (_md_table([by_id[i] for i in ids]) if ids else ["None in this period."]) + [""]
    lines += [f"## {CRISIS_TITLE} ({report.crisis_referrals})", "", CRISIS_NOTE.format(n=report.crisis_referrals), ""]
    lines += [f"## {ALL_TITLE} ({len(report.groups)})", "", ALL_NOTE, ""]
    lines += (_md_table(report.groups) if report.groups else ["No questions in this period."]) + [""]
    return "\n".join(lines)


STYLE = ("body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem;color:#222}table{border-collapse:"
         "collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}"
         "th{background:#f4f4f4}code{color:#777;font-size:.85em}.note{color:#444;max-width:50rem}"
         "details{border-bottom:1px solid #eee;padding:.3rem 0}summary{cursor:pointer}.new{color:#0a6;font-weight:bold}"
         "ul{margin:.3rem 0}")


def _html_table(groups: list[Group]) -> str:
    e = html.escape
    rows = ["<table><tr><th>Group</th><th>Asked</th><th>People</th><th>Answered</th><th>Helpful</th>"
            "<th>Not helpful</th><th>Guidance that answered</th><th>Phrasings</th></tr>"]
    for g in groups:
        rows.append(f"<tr><td>{e(g.label)}<br><code>{e(g.id)}</code></td><td>{g.count}</td><td>{g.users}</td>"
                    f"<td>{g.answer_rate:.0%}</td><td>{g.helpful}</td><td>{g.not_helpful}</td>"
                    f"<td>{e(g.guidance)}</td><td>{'<br>'.join(e(x) for x in g.examples)}</td></tr>")
    return "".join(rows) + "</table>"


def _html_details(g: Group) -> str:
    e = html.escape
    new = " <span class='new'>new</span>" if g.new else ""
    return (f"<details><summary>{e(g.label)}{new}: asked {g.count} time(s) by {g.users} "
            f"{'person' if g.users == 1 else 'people'}</summary><ul>"
            f"<li>Answered {g.answer_rate:.0%} of the time, with: {e(g.guidance)}</li>"
            f"<li>Helpful {g.helpful}, not helpful {g.not_helpful}</li>"
            f"<li>Asked as: {'; '.join(e(x) for x in g.examples)}</li>"
            f"<li>Group id <code>{e(g.id)}</code></li></ul></details>")


def to_html(report: Report) -> str:
    e = html.escape
    by_id = report.by_id()
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>careerbot FAQ review</title>",
             f"<style>{STYLE}</style></head><body>", "<h1>careerbot FAQ review</h1>", f"<p>{e(_period(report))}</p>"]
    for key, title, note in SECTIONS:
        ids = getattr(report, key)
        parts += [f"<h2 id='{key}'>{e(title)} ({len(ids)})</h2>", f"<p class='note'>{e(note)}</p>",
                  _html_table([by_id[i] for i in ids]) if ids else "<p>None in this period.</p>"]
    parts += [f"<h2 id='crisis'>{CRISIS_TITLE} ({report.crisis_referrals})</h2>",
              f"<p class='note'>{e(CRISIS_NOTE.format(n=report.crisis_referrals))}</p>",
              f"<h2 id='all'>{ALL_TITLE} ({len(report.groups)})</h2>", f"<p class='note'>{e(ALL_NOTE)}</p>"]
    parts += [_html_details(g) for g in report.groups] or ["<p>No questions in this period.</p>"]
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
