"""The question log and the counselors' FAQ review, on real SQLite files."""

import datetime as dt
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

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


@pytest.fixture
def filled_log(question_log):
    users = iter(range(100, 200))
    for group, phrasings in GROUPS.items():
        for text in phrasings:
            key = question_log.user_key(next(users))
            status = "out_of_scope" if group == "scrubs" else "answered"
            qid = question_log.record(key, "telegram", text, answer(status, doc=group))
            if group == "pay":
                question_log.feedback(qid, key, False)
    return question_log


def test_report_groups_paraphrases_and_separates_distinct_questions(filled_log, encoder, tmp_path):
    cache = EmbeddingCache(tmp_path / "emb.db")
    report = build_report(filled_log, encoder, cache)
    by_example = {x: g for g in report.groups for x in g.examples}
    for group, phrasings in GROUPS.items():
        ids = {by_example[p].id for p in phrasings}
        assert len(ids) == 1, (group, ids)
    assert len(report.groups) == len(GROUPS)
    cma = by_example["cma vs rma"]
    assert cma.count == 4 and cma.users == 4 and cma.answer_rate == 1.0 and cma.top_doc == "cma-vs-rma"
    assert report.most_asked[0] == cma.id
    assert report.unanswered == [by_example["where can i buy cheap scrubs"].id]
    pay = by_example["ma pay per hour"]
    assert report.rated_down == [pay.id] and pay.not_helpful == 3
    data = json.loads(RENDERERS["json"](report))
    assert set(data) == {"generated_at", "since", "groups", "unanswered", "rated_down", "most_asked",
                         "crisis_referrals"}
    assert set(data["groups"][0]) == {"id", "label", "count", "users", "answer_rate", "helpful", "not_helpful",
                                      "top_doc", "examples"}
    md = RENDERERS["md"](report)
    assert "## Unanswered" in md and "where can i buy cheap scrubs" in md
    csv_text = RENDERERS["csv"](report)
    assert csv_text.splitlines()[0].startswith("id,label,count") and len(csv_text.splitlines()) == 5
    page = RENDERERS["html"](report)
    assert page.startswith("<!doctype html>") and "Rated down" in page
    later = build_report(filled_log, encoder, cache, since=dt.date.today() + dt.timedelta(days=1))
    assert later.groups == [] and later.since


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


def test_datasette_view_serves_canned_queries_read_only(filled_log, tmp_path):
    port = _free_port()
    env = dict(os.environ, CAREERBOT_DATA_DIR=str(filled_log.path.parent))
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "faq", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"

    def get(path, data=None):
        req = urllib.request.Request(base + path, data=data, method="POST" if data else "GET")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if get("/-/versions.json")[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        status, body = get("/careerbot/unanswered.json?_shape=array")
        assert status == 200 and [r["question"] for r in json.loads(body)] == ["where can i buy cheap scrubs"]
        status, body = get("/careerbot/rated_down.json?_shape=array")
        assert status == 200 and len(json.loads(body)) == 3
        status, page = get("/careerbot")
        assert status == 200 and "Unanswered questions" in page and "Answers rated not helpful" in page
        status, _ = get("/careerbot.json?sql=select+*+from+questions")
        assert status == 403  # no SQL editing
        status, _ = get("/careerbot.db")
        assert status == 403  # no download of the database
        for path in ("/careerbot/questions/-/insert", "/careerbot/questions", "/careerbot/unanswered"):
            status, _ = get(path, data=b'{"row": {"question": "x"}}')
            assert status >= 400  # Datasette 0.65 writes only through writable canned queries: there are none
        assert filled_log.db["questions"].count == sum(len(v) for v in GROUPS.values())
    finally:
        proc.terminate()
        proc.wait(20)
