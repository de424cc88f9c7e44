"""The question log and the counselors' FAQ review, on real SQLite files."""

import datetime as dt
import html
import io
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.knowledge.embed import EmbeddingCache
from bot.review.faq import RENDERERS, build_report, draft
from bot.knowledge.load import load_documents
from bot.review.log import QuestionLog, redact
from bot.types import Answer, Source


def answer(status="answered", doc="cma-aama", score=0.7):
    sources = [Source(doc, doc, "src", "2026-01-01")] if status == "answered" else []
    return Answer(status=status, answer="", sources=sources, timings_ms={"total": 20.0}, index_version="v1")


@pytest.mark.parametrize("text, expected", [
    ("mail me at jane.doe+ma@example.com please", "mail me at [email] please"),
    ("call (555) 123-4567 or 555-123-4567", "call [phone] or [phone]"),
    ("text +1 555 123 4567 / 555.123.4567 / 5551234567", "text [phone] / [phone] / [phone]"),
    ("the cma exam has 200 questions, fee $125 in 2025", "the cma exam has 200 questions, fee $125 in 2025"),
])
def test_redaction(text, expected):
    assert redact(text) == expected


def test_database_file_holds_no_raw_ids_phones_or_emails(tmp_path, monkeypatch):
    monkeypatch.delenv("CAREERBOT_LOG_SALT", raising=False)
    log = QuestionLog(tmp_path)
    key = log.user_key(987654321)
    qid = log.record(key, "telegram", "I'm jane@example.org, (206) 555-0199, can an MA draw blood?", answer())
    log.feedback(qid, key, True)
    log.set_state(key, "WA")
    log.close()
    data = b"".join(p.read_bytes() for p in tmp_path.glob("careerbot.db*"))
    for secret in (b"987654321", b"jane@example.org", b"555-0199", b"(206)"):
        assert secret not in data
    assert key.encode() in data and b"can an MA draw blood" in data
    assert (tmp_path / "log_salt").stat().st_mode & 0o077 == 0  # the salt is private


def test_user_keys_depend_on_the_salt(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREERBOT_LOG_SALT", "one-long-enough-salt")
    a = QuestionLog(tmp_path / "a").user_key(1)
    monkeypatch.setenv("CAREERBOT_LOG_SALT", "two-long-enough-salt")
    b = QuestionLog(tmp_path / "b").user_key(1)
    assert a != b and len(a) == 32


def test_feedback_latest_press_wins_and_only_the_asker_may_rate(question_log):
    key, other = question_log.user_key(1), question_log.user_key(2)
    qid = question_log.record(key, "telegram", "what is a cma", answer())
    assert question_log.feedback(qid, key, True) and question_log.feedback(qid, key, False)
    assert not question_log.feedback(qid, other, True) and not question_log.feedback(999, key, True)
    rows = list(question_log.db.query("select helpful from feedback"))
    assert rows == [{"helpful": 0}]


def test_migration_keeps_existing_data(tmp_path):
    conn = sqlite3.connect(tmp_path / "careerbot.db")
    conn.execute("create table questions (id integer primary key, asked_at text, user_key text, question text, "
                 "status text)")
    conn.execute("insert into questions values (1, '2026-01-01T00:00:00+00:00', 'k', 'old question', 'answered')")
    conn.commit()
    conn.close()
    log = QuestionLog(tmp_path)
    assert {"latency_ms", "top_doc", "index_version"} <= set(log.db["questions"].columns_dict)
    assert list(log.db.query("select question from questions")) == [{"question": "old question"}]
    log.record("k2", "chat", "new question", answer())
    assert log.db["questions"].count == 2


def test_forget_and_prune_from_the_command_line(tmp_path, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("CAREERBOT_DATA_DIR", str(tmp_path))
    log = QuestionLog(tmp_path)
    keep, gone = log.user_key(1), log.user_key(2)
    log.record(keep, "telegram", "q1", answer())
    qid = log.record(gone, "telegram", "q2", answer())
    log.feedback(qid, gone, True)
    old = log.record(keep, "telegram", "old", answer())
    log.db.execute("update questions set asked_at = '2020-01-01T00:00:00+00:00' where id = ?", [old])
    log.db.conn.commit()
    assert main(["log", "forget", "--user-key", gone]) == 0
    assert main(["log", "prune", "--older-than", "180d"]) == 0
    assert "deleted 1 question(s)" in capsys.readouterr().out
    assert [r["question"] for r in log.db.query("select question from questions")] == ["q1"]
    assert log.db["feedback"].count == 0
    assert {e["action"] for e in log.db.query("select action from admin_events")} == {"forget", "prune"}
    with pytest.raises(SystemExit):
        main(["log", "prune", "--older-than", "soon"])
    log.close()


GROUPS = {
    "cma-vs-rma": ["cma vs rma", "difference between CMA and RMA", "should I get my CMA or RMA",
                   "whats the difference between the cma and the rma"],
    "pay": ["how much do medical assistants make", "what is the salary of a medical assistant",
            "ma pay per hour"],
    "injections": ["can a medical assistant give injections", "are mas allowed to give shots"],
    "scrubs": ["where can i buy cheap scrubs"],
}


def fill(log: QuestionLog) -> QuestionLog:
    """Log every phrasing of GROUPS, one user each; scrubs declined, pay rated not helpful."""
    users = iter(range(100, 200))
    for group, phrasings in GROUPS.items():
        for text in phrasings:
            key = log.user_key(next(users))
            status = "out_of_scope" if group == "scrubs" else "answered"
            qid = log.record(key, "telegram", text, answer(status, doc=group))
            if group == "pay":
                log.feedback(qid, key, False)
    return log


@pytest.fixture
def filled_log(question_log):
    return fill(question_log)


def test_report_groups_paraphrases_and_separates_distinct_questions(filled_log, encoder, tmp_path):
    cache = EmbeddingCache(tmp_path / "emb.db")
    report = build_report(filled_log, encoder, cache, titles={"pay": "Medical assistant pay"})
    by_example = {x: g for g in report.groups for x in g.examples}
    for group, phrasings in GROUPS.items():
        ids = {by_example[p].id for p in phrasings}
        assert len(ids) == 1, (group, ids)
    assert len(report.groups) == len(GROUPS) and report.questions == sum(len(v) for v in GROUPS.values())
    cma = by_example["cma vs rma"]
    assert cma.count == 4 and cma.users == 4 and cma.answer_rate == 1.0 and cma.top_doc == "cma-vs-rma"
    assert report.most_asked[0] == cma.id and all(g.new for g in report.groups)
    assert report.unanswered == [by_example["where can i buy cheap scrubs"].id]
    pay = by_example["ma pay per hour"]
    assert report.rated_down == [pay.id] and pay.not_helpful == 3 and pay.top_doc_title == "Medical assistant pay"
    data = json.loads(RENDERERS["json"](report))
    assert set(data) == {"generated_at", "since", "questions", "groups", "unanswered", "rated_down", "medical",
                         "most_asked", "crisis_referrals"}
    assert set(data["groups"][0]) == {"id", "label", "count", "users", "answer_rate", "helpful", "not_helpful",
                                      "top_doc", "top_doc_title", "examples", "new"}
    md = RENDERERS["md"](report)
    assert "## Unanswered (1)" in md and "where can i buy cheap scrubs" in md and "Medical assistant pay" in md
    csv_text = RENDERERS["csv"](report)
    assert csv_text.splitlines()[0].startswith("id,label,count") and len(csv_text.splitlines()) == 5
    page = RENDERERS["html"](report)
    assert page.startswith("<!doctype html>") and "Rated down" in page
    later = build_report(filled_log, encoder, cache, since=dt.date.today() + dt.timedelta(days=1))
    assert later.groups == [] and later.since


def test_report_shows_every_group_and_every_section(question_log, encoder, tmp_path):
    """Issue 16: 23 groups, of which the old HTML showed 10; medical referrals were invisible."""
    topics = ["cma vs rma", "how much is the cma exam", "how much is the rma exam", "can mas give shots in california",
              "can mas give shots in texas", "how long is ma school", "is ma school online legit", "ma to lpn",
              "ma to rn", "do mas work weekends", "what is an externship", "is the externship paid",
              "caahep vs abhes", "how do i renew my cma", "my cma expired", "what is a cmac", "ma vs cna",
              "do ma draw blood", "can an ma start an iv", "resume tips for medical assistants",
              "where can i buy cheap scrubs", "who won the super bowl"]
    key = question_log.user_key(7)
    for text in topics:
        question_log.record(key, "telegram", text, answer(doc="cma-aama"))
    question_log.record(key, "telegram", "i have chest pain and my arm is numb", answer("medical"))
    question_log.record(key, "telegram", "i want to end my life", answer("crisis"))
    question_log.record(key, "chat", "2", answer())  # an older log's navigation: never reported
    report = build_report(question_log, encoder, EmbeddingCache(tmp_path / "emb.db"),
                          titles={"cma-aama": "CMA (AAMA) certification"})
    assert len(report.groups) >= 20 and report.crisis_referrals == 1
    chest = next(g for g in report.groups if "chest pain" in g.label)
    assert report.medical == [chest.id]
    page = RENDERERS["html"](report)
    assert page.count("<details>") == len(report.groups)
    for text in topics + ["i have chest pain and my arm is numb"]:
        assert html.escape(text) in page
    for heading in ("Unanswered", "Rated down", "Referred to a clinician", "Crisis referrals (1)", "All questions"):
        assert heading in page
    assert "CMA (AAMA) certification" in page and "cma-aama" not in page  # titles, not slugs
    assert "i want to end my life" not in page and ">2<" not in page
    assert sum(g.count for g in report.groups) == report.questions == len(topics) + 1


def test_group_ids_stay_the_same_across_reports_whatever_the_order(tmp_path, encoder, monkeypatch):
    """The issue's seven questions, pushed in four orders: the same groups and the same ids every
    time, and a later report keeps the ids while new phrasings join."""
    seven = ["What is the difference between the CMA and RMA?", "cma vs rma",
             "Should I get my CMA or RMA certification?", "how much does the cma exam cost",
             "can a medical assistant give injections in California", "can a medical assistant give injections in Texas",
             "how long is medical assistant school"]
    seen = None
    for seed in range(4):
        order = seven[:]
        random.Random(seed).shuffle(order)
        log = QuestionLog(tmp_path / f"run{seed}")
        for i, text in enumerate(order):
            log.record(log.user_key(i), "telegram", text, answer())
        report = build_report(log, encoder, EmbeddingCache(tmp_path / "emb.db"))
        groups = {frozenset(g.examples): g.id for g in report.groups}
        assert seen is None or groups == seen
        seen = groups
        cma = next(g for g in report.groups if "cma vs rma" in g.examples)
        assert len(cma.examples) == 3
        ca = next(g for g in report.groups if any("California" in x for x in g.examples))
        assert not any("Texas" in x for x in ca.examples)
        if seed == 3:
            log.record(log.user_key(9), "telegram", "rma or cma which is better", answer())
            log.record(log.user_key(9), "telegram", "where can i buy cheap scrubs", answer("out_of_scope"))
            again = build_report(log, encoder, EmbeddingCache(tmp_path / "emb.db"))
            assert next(g for g in again.groups if "rma or cma which is better" in g.examples).id == cma.id
            assert {g.id for g in again.groups if not g.new} == set(groups.values())
            assert [g.label for g in again.groups if g.new] == ["where can i buy cheap scrubs"]
        log.close()


def test_navigation_is_never_logged_as_a_question(question_log, small_assistant):
    from bot.chat import run_chat
    from bot.cli import LoggingAssistant

    assistant = LoggingAssistant(small_assistant, question_log, question_log.user_key(1), "chat")
    stdout = io.StringIO()
    run_chat(assistant, io.StringIO("2\ncan a medical assistant give injections\n1\n7\nmore\n/state CA\n"), stdout)
    assert [r["question"] for r in question_log.db.query("select question from questions")] == [
        "can a medical assistant give injections"]
    assert "There are no topics to open yet" in stdout.getvalue() and "There is no topic 7" in stdout.getvalue()
    for text in ("2", " 12 ", "more", "/digest monday"):
        assert question_log.record("k", "telegram", text, answer()) is None


def test_report_and_draft_from_the_command_line(filled_log, tmp_path, monkeypatch, capsys, small_kb, encoder):
    from bot.cli import main
    from bot.knowledge.admin import build_index
    from bot.settings import Settings

    monkeypatch.setenv("CAREERBOT_DATA_DIR", str(filled_log.path.parent))
    monkeypatch.setenv("CAREERBOT_KNOWLEDGE_DIR", str(small_kb))
    monkeypatch.setenv("CAREERBOT_INDEX_DIR", str(tmp_path / "index"))
    build_index(Settings.from_env(), encoder)  # the report encodes with the index's ONNX encoder
    out = tmp_path / "report.json"
    assert main(["faq", "report", "--format", "json", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    scrubs = report["unanswered"][0]
    assert main(["faq", "draft", scrubs]) == 0
    drafts = list((small_kb / "drafts").glob("where-can-i-buy*.md"))
    assert len(drafts) == 1 and "where can i buy cheap scrubs" in drafts[0].read_text()
    docs, problems = load_documents(small_kb)
    assert problems == []
    drafted = next(d for d in docs if d.path == drafts[0])
    assert drafted.status == "draft" and not drafted.publishable
    assert main(["faq", "draft", "gnope"]) == 1


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def counselor_log(tmp_path_factory):
    log = fill(QuestionLog(tmp_path_factory.mktemp("counselor")))
    log.record(log.user_key(300), "telegram", "can ma give shots", answer(doc="injections-and-medications"))
    log.db.execute("update questions set asked_at = '2026-07-04T16:30:00+00:00'")  # 12:30 in New York (EDT)
    log.db.conn.commit()
    yield log
    log.close()


@pytest.fixture(scope="module")
def counselor_view(counselor_log, kb_assistant, kb_settings):
    """`careerbot faq serve` on a filled log, with the real knowledge base's index for titles."""
    port = _free_port()
    env = dict(os.environ, CAREERBOT_DATA_DIR=str(counselor_log.path.parent),
               CAREERBOT_INDEX_DIR=str(kb_settings.index_dir), CAREERBOT_TIMEZONE="America/New_York")
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "faq", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _get(base, "/-/versions.json")[0] == 200:
                break
        except OSError:
            time.sleep(0.3)
    yield base
    proc.terminate()
    proc.wait(20)
    with pytest.raises(OSError):  # Datasette stops with `faq serve`, never left running orphaned
        _get(base, "/-/versions.json")


def _get(base, path, data=None):
    req = urllib.request.Request(base + path, data=data, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def rows(base, view):
    status, body = _get(base, f"/careerbot/{view}.json?_shape=array")
    assert status == 200, body
    return json.loads(body)


def test_counselor_home_lists_saved_views_in_plain_words_and_hides_raw_tables(counselor_view):
    from bot.review.faq_web import QUERIES
    from bot.review.log import SCHEMA

    status, page = _get(counselor_view, "/")
    assert status == 200
    positions = [page.index(q["title"]) for q in QUERIES.values()]
    assert positions == sorted(positions)  # in the order of QUERIES, the first one first
    assert all(q["description"] in html.unescape(page) for q in QUERIES.values())
    for table in SCHEMA:
        assert f"/careerbot/{table}" not in page
    status, db_page = _get(counselor_view, "/careerbot")
    for table in SCHEMA:
        assert f'href="/careerbot/{table}"' not in db_page
    status, view = _get(counselor_view, "/careerbot/recent")
    assert status == 200 and "Custom SQL query" in view  # Datasette's heading is still in the HTML…
    assert "form.sql h3" in view and "display: none" in view  # …and hidden by the template


def test_counselor_views_show_local_times_titles_and_zeros_without_user_keys(counselor_view):
    recent = rows(counselor_view, "recent")
    assert {r["asked"] for r in recent} == {"2026-07-04 12:30 EDT"}
    shots = next(r for r in recent if r["question"] == "can ma give shots")
    assert shots["guidance"] == "Injections and medications by medical assistants" and shots["what the bot did"] == "answered"
    use = {r["guidance"]: r for r in rows(counselor_view, "guidance_use")}
    assert use["Injections and medications by medical assistants"]["helpful"] == 0  # 0, not blank
    assert use["Injections and medications by medical assistants"]["not helpful"] == 0
    assert [r["why"] for r in rows(counselor_view, "unanswered")] == ["outside careers"]
    assert len(rows(counselor_view, "rated_down")) == 3
    for view in ("unanswered", "rated_down", "guidance_use", "daily", "recent", "referred", "groups",
                 "admin_activity", "technical"):
        for r in rows(counselor_view, view):
            assert not {"user_key", "user key"} & set(r)


def test_counselor_view_is_read_only(counselor_view, counselor_log):
    status, _ = _get(counselor_view, "/careerbot.json?sql=select+*+from+questions")
    assert status == 403  # no SQL editing
    status, _ = _get(counselor_view, "/careerbot.db")
    assert status == 403  # no download of the database
    for path in ("/careerbot/questions/-/insert", "/careerbot/questions", "/careerbot/unanswered"):
        status, _ = _get(counselor_view, path, data=b'{"row": {"question": "x"}}')
        assert status >= 400  # Datasette 0.65 writes only through writable canned queries: there are none
    assert counselor_log.db["questions"].count == sum(len(v) for v in GROUPS.values()) + 1


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (Debian: apt-get install chromium); "
                                             "the pages' HTML is tested above either way")
def test_counselor_pages_render_in_headless_chromium(counselor_view, tmp_path):
    """Screenshots of the home page and two views (kept in tmp_path; looked at by a person when
    the pages change). Chromium must render the saved views' text."""
    for name, path in (("home", "/"), ("recent", "/careerbot/recent"), ("use", "/careerbot/guidance_use")):
        shot = tmp_path / f"{name}.png"
        dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                              "--disable-background-networking", "--disable-component-update", "--disable-sync",
                              f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,900",
                              f"--screenshot={shot}", counselor_view + path],
                             capture_output=True, text=True, timeout=120)
        assert shot.stat().st_size > 10_000, dom.stderr[-500:]
        if os.environ.get("CAREERBOT_SCREENSHOTS"):
            shutil.copy(shot, Path(os.environ["CAREERBOT_SCREENSHOTS"]) / shot.name)
