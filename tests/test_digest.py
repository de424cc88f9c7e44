"""The counselors' weekly digest: from the command line, and on Telegram through the local stand-in
Bot API (/digest now, /digest monday to choose the day, PTB's JobQueue sending it, the day kept
in the log database across a restart)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.review.digest import RENDERERS, digest_now, link_free, to_telegram, weekday
from bot.types import Answer, Source
from tests.fake_bot_api import message
from tests.test_telegram import check_html

COUNSELOR = 5151
STRANGER = 6161


def answer(status="answered", doc="cma-aama"):
    sources = [Source(doc, doc, "src", "2026-01-01")] if status == "answered" else []
    return Answer(status=status, answer="", sources=sources, timings_ms={"total": 20.0}, index_version="v1")


def fill(log):
    for i, text in enumerate(["where can i buy cheap scrubs", "best scrubs brand see www.scrubs.example.com",
                              "who won the super bowl"]):
        log.record(log.user_key(i), "telegram", text, answer("out_of_scope"))
    qid = log.record(log.user_key(10), "telegram", "cma vs rma", answer(doc="certification-comparison"))
    log.feedback(qid, log.user_key(10), False)
    log.record(log.user_key(11), "telegram", "i have chest pain", answer("medical"))
    log.record(log.user_key(12), "telegram", "i want to die", answer("crisis"))
    old = log.record(log.user_key(13), "telegram", "a question from last month", answer("out_of_scope"))
    log.db.execute("update questions set asked_at = '2026-01-01T00:00:00+00:00' where id = ?", [old])
    log.db.conn.commit()


@pytest.mark.parametrize("text, day", [("monday", 0), ("Mon", 0), ("fri", 4), ("SUNDAY", 6), ("t", None),
                                       ("someday", None), ("", None)])
def test_weekday(text, day):
    assert weekday(text) == day


def test_digest_summarises_the_week_without_links(question_log, kb_assistant, kb_settings):
    fill(question_log)
    digest = digest_now(kb_settings, question_log, kb_assistant.store)
    assert digest.questions == 5 and digest.people == 5 and digest.crisis == 1 and digest.medical == 1
    assert digest.end - digest.start == dt.timedelta(days=6)
    scrubs = digest.unanswered[0]
    assert "scrubs" in scrubs.label and scrubs.count == 2
    assert [r.question for r in digest.rated_down] == ["cma vs rma"]
    assert digest.rated_down[0].guidance == kb_assistant.store.get().titles["certification-comparison"]
    for render in RENDERERS.values():
        text = render(digest)
        assert "scrubs.example" not in text and "http" not in text and "www." not in text
        assert "cheap scrubs" in text and "cma vs rma" in text and "i want to die" not in text
        assert "a question from last month" not in text
    check_html(to_telegram(digest))
    assert link_free("see https://x.org/a and www.b.com") == "see [link] and [link]"


def test_digest_from_the_command_line(question_log, kb_assistant, kb_settings, monkeypatch, capsys, tmp_path):
    from bot.cli import main

    fill(question_log)
    monkeypatch.setenv("CAREERBOT_DATA_DIR", str(question_log.path.parent))
    monkeypatch.setenv("CAREERBOT_INDEX_DIR", str(kb_settings.index_dir))
    assert main(["faq", "digest"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("# careerbot weekly digest") and "5 question(s) from 5 people" in md
    out = tmp_path / "digest.html"
    assert main(["faq", "digest", "--format", "html", "--out", str(out)]) == 0
    assert out.read_text().startswith("<!doctype html>") and "<a " not in out.read_text()


@pytest.fixture
def counselor_bot(kb_assistant, question_log, fake_api, kb_settings):
    from bot.telegram.digest import Digests
    from bot.telegram.handlers import Services
    from tests.bot_runner import BotRunner

    digests = Digests(frozenset({COUNSELOR}), "America/New_York",
                      lambda: to_telegram(digest_now(kb_settings, question_log, kb_assistant.store)))
    services = Services(assistant=kb_assistant, log=question_log, digests=digests)
    runners = []

    def start():
        runners.append(BotRunner(services, fake_api).start())
        return runners[-1]

    yield start
    for runner in runners:
        runner.stop()


def digest_jobs(runner):
    return [j for j in runner.app.job_queue.jobs() if j.name == f"digest:{COUNSELOR}"]


def test_digest_on_telegram_now_on_a_chosen_day_and_after_a_restart(counselor_bot, fake_api, question_log):
    fill(question_log)
    bot = counselor_bot()
    (job,) = digest_jobs(bot)
    assert job.next_t.weekday() == 0 and job.next_t.hour == 9  # Monday, 09:00, by default

    fake_api.push(message(STRANGER, "/digest"))
    assert "only for careerbot counselors" in fake_api.wait_replies(STRANGER, 1)[-1]["text"]

    fake_api.push(message(COUNSELOR, "/digest"))
    now = fake_api.wait_replies(COUNSELOR, 1)[-1]
    assert now["parse_mode"] == "HTML" and "careerbot weekly digest" in now["text"] and "cheap scrubs" in now["text"]
    check_html(now["text"])

    fake_api.push(message(COUNSELOR, "/digest someday"))
    assert "Which day" in fake_api.wait_replies(COUNSELOR, 2)[-1]["text"]
    fake_api.push(message(COUNSELOR, "/digest friday"))
    assert "every Friday at 09:00 (America/New_York)" in fake_api.wait_replies(COUNSELOR, 3)[-1]["text"]
    fake_api.wait_for(lambda: len(digest_jobs(bot)) == 1 and digest_jobs(bot)[0].next_t.weekday() == 4)
    (job,) = digest_jobs(bot)
    assert str(job.next_t.tzinfo) == "America/New_York" and job.next_t.weekday() == 4 and job.next_t.hour == 9
    stored = list(question_log.db.query("select * from digest_days"))
    assert len(stored) == 1 and stored[0]["weekday"] == 4 and str(COUNSELOR) not in str(stored)  # keyed, not in clear

    # the job itself sends the digest to the counselor, unasked
    asyncio.run_coroutine_threadsafe(job.run(bot.app), bot._loop).result(60)
    sent = fake_api.wait_replies(COUNSELOR, 4)[-1]
    assert "careerbot weekly digest" in sent["text"] and str(sent["chat_id"]) == str(COUNSELOR)
    assert len(fake_api.replies_to(STRANGER)) == 1  # only the refusal

    # a restart schedules from the log database: still Friday
    bot.stop()
    again = counselor_bot()
    (job,) = digest_jobs(again)
    assert job.next_t.weekday() == 4
