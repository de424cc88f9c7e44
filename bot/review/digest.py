"""The weekly digest for counselors: what was new this week, what went unanswered (with how people
asked it), which answers were rated down, in a few lines without links, for Telegram or e-mail.
Built from the FAQ report of the last seven days, so its groups are the report's groups."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.review.faq import Group, build_report, index_and_cache
from bot.review.log import QuestionLog, now

if TYPE_CHECKING:
    from bot.answer.encoder import TextEncoder
    from bot.knowledge.embed import EmbeddingCache
    from bot.knowledge.index import IndexStore
    from bot.settings import Settings

DAYS = 7
TOP_UNANSWERED = 5
PHRASINGS = 3
RATED_DOWN = 5
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_LINK = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|org|net|edu|gov|io)\b\S*", re.IGNORECASE)


def link_free(text: str) -> str:
    """Whatever people typed, the digest carries no link: it is read in mail and chat clients."""
    return _LINK.sub("[link]", text)


def weekday(text: str) -> int | None:
    """0 for Monday .. 6 for Sunday, from "monday", "Mon" or "mo"; None when it is no weekday."""
    word = text.strip().lower()
    matches = [i for i, name in enumerate(WEEKDAYS) if len(word) >= 2 and name.startswith(word)]
    return matches[0] if len(matches) == 1 else None


@dataclass
class RatedDown:
    question: str
    guidance: str


@dataclass
class Digest:
    start: dt.date
    end: dt.date
    questions: int
    people: int
    answer_rate: float | None
    new_groups: list[Group]
    unanswered: list[Group]
    rated_down: list[RatedDown]
    medical: int
    crisis: int
    groups: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        rate = f"; the bot answered {self.answer_rate:.0%}" if self.answer_rate is not None else ""
        return (f"{self.start:%b %d} to {self.end:%b %d}: {self.questions} question(s) from {self.people} "
                f"{'person' if self.people == 1 else 'people'}{rate}. {len(self.new_groups)} new group(s) of "
                f"questions, {len(self.unanswered)} group(s) with unanswered questions, "
                f"{len(self.rated_down)} answer(s) rated not helpful, {self.medical} question(s) referred "
                f"to a clinician, {self.crisis} crisis referral(s).")


def build_digest(question_log: QuestionLog, encoder: TextEncoder, cache: EmbeddingCache, titles: dict[str, str],
                 today: dt.date | None = None) -> Digest:
    today = today or dt.datetime.now(dt.timezone.utc).date()
    since = today - dt.timedelta(days=DAYS - 1)
    report = build_report(question_log, encoder, cache, since=since, titles=titles)
    by_id = report.by_id()
    rows = question_log.query(
        "select q.question, q.top_doc from feedback f join questions q on q.id = f.question_id "
        "where f.helpful = 0 and f.at >= ? order by f.at desc limit ?", [since.isoformat(), RATED_DOWN])
    people = question_log.query("select count(distinct user_key) as n from questions where asked_at >= ? "
                                "and status != 'crisis'", [since.isoformat()])[0]["n"]
    answered = sum(round(g.answer_rate * g.count) for g in report.groups)
    return Digest(start=since, end=today, questions=report.questions, people=people,
                  answer_rate=answered / report.questions if report.questions else None,
                  new_groups=[g for g in report.groups if g.new],
                  unanswered=[by_id[i] for i in report.unanswered[:TOP_UNANSWERED]],
                  rated_down=[RatedDown(r["question"], titles.get(r["top_doc"], r["top_doc"] or "no guidance"))
                              for r in rows],
                  medical=sum(g.medical for g in report.groups), crisis=report.crisis_referrals,
                  groups=len(report.groups))


def digest_now(settings: Settings, question_log: QuestionLog, store: IndexStore | None = None) -> Digest:
    """The digest of the last seven days, with the published index's encoder and titles."""
    with index_and_cache(settings, store) as (index, cache):
        return build_digest(question_log, index.encoder, cache, index.titles)


def saved_days(question_log: QuestionLog) -> dict[str, int]:
    """The weekday each counselor chose, by pseudonymous user key."""
    return {r["user_key"]: r["weekday"] for r in question_log.query("select user_key, weekday from digest_days")}


def save_day(question_log: QuestionLog, user_key: str, day: int) -> None:
    with question_log.writing() as db:
        db.table("digest_days").upsert({"user_key": user_key, "weekday": day, "updated_at": now()}, pk="user_key")


def _sections(d: Digest) -> list[tuple[str, list[str]]]:
    """(heading, lines) in plain text; each renderer escapes and formats them."""
    unanswered = [f"{link_free(g.label)} (asked {g.count}x): " + "; ".join(link_free(x) for x in g.examples[:PHRASINGS])
                  for g in d.unanswered] or ["None this week."]
    rated = [f"{link_free(r.question)} (answered with: {r.guidance})" for r in d.rated_down] or ["None this week."]
    new = [f"{link_free(g.label)} (asked {g.count}x)" for g in d.new_groups[:TOP_UNANSWERED]] or ["None this week."]
    return [("Top unanswered questions, with how people asked them", unanswered),
            ("Answers rated not helpful", rated),
            ("New questions this week", new + ([f"... and {len(d.new_groups) - TOP_UNANSWERED} more in the FAQ report."]
                                               if len(d.new_groups) > TOP_UNANSWERED else []))]


TITLE = "careerbot weekly digest"
FOOTER = "The full report: careerbot faq report --format html (every group, with its phrasings)."


def to_telegram(d: Digest) -> str:
    """Telegram HTML (b, i only), under 4,096 characters."""
    e = html.escape
    parts = [f"<b>{TITLE}</b>", e(d.summary())]
    for heading, lines in _sections(d):
        parts.append(f"\n<b>{e(heading)}</b>\n" + "\n".join(f"• {e(x)}" for x in lines))
    parts.append(f"\n<i>{e(FOOTER)}</i>")
    text = "\n".join(parts)
    return text if len(text) <= 4096 else text[:4000].rsplit("\n", 1)[0] + "\n…"


def to_markdown(d: Digest) -> str:
    lines = [f"# {TITLE}", "", d.summary(), ""]
    for heading, items in _sections(d):
        lines += [f"## {heading}", "", *(f"- {x}" for x in items), ""]
    return "\n".join(lines + [FOOTER, ""])


def to_html(d: Digest) -> str:
    e = html.escape
    parts = ["<!doctype html><html><head><meta charset='utf-8'>", f"<title>{TITLE}</title></head>",
             "<body style='font-family:system-ui,sans-serif;max-width:40rem'>", f"<h1>{TITLE}</h1>",
             f"<p>{e(d.summary())}</p>"]
    for heading, items in _sections(d):
        parts += [f"<h2>{e(heading)}</h2>", "<ul>" + "".join(f"<li>{e(x)}</li>" for x in items) + "</ul>"]
    parts += [f"<p><i>{e(FOOTER)}</i></p>", "</body></html>"]
    return "\n".join(parts)


RENDERERS = {"md": to_markdown, "html": to_html, "telegram": to_telegram}
