"""Admins refresh without downtime: incremental, validated, atomic, hot-reloaded, auditable."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.knowledge.admin import build_index
from bot.knowledge.index import LoadedIndex, published_path, read_manifest, versions
from bot.knowledge.load import load_documents
from bot.review.log import QuestionLog
from bot.knowledge.passages import split_document
from tests.conftest import ADMIN_ID, ROOT
from tests.fake_bot_api import message

SEED = ROOT.parent / "shared" / "seeds" / "000_b5ead20e45972566.txt"


@pytest.fixture
def cli(small_settings, monkeypatch):
    from bot.cli import main

    monkeypatch.setenv("CAREERBOT_INDEX_DIR", str(small_settings.index_dir))
    monkeypatch.setenv("CAREERBOT_DATA_DIR", str(small_settings.data_dir))
    monkeypatch.setenv("CAREERBOT_KNOWLEDGE_DIR", str(small_settings.knowledge_dir))
    return main


def events(settings, action):
    log = QuestionLog(settings.data_dir)
    try:
        return list(log.db.query("select * from admin_events where action = ?", [action]))
    finally:
        log.close()


def test_refresh_reembeds_only_changed_passages_and_skips_no_change(cli, small_settings, encoder, capsys):
    build_index(small_settings, encoder)
    assert cli(["index", "refresh", "--json"]) == 0
    same = json.loads(capsys.readouterr().out)
    assert same["published"] is False and same["unchanged"] == 4 and same["passages_embedded"] == 0
    doc = small_settings.knowledge_dir / "cma-exam.md"
    doc.write_text(doc.read_text().replace("Check the AAMA site before paying.",
                                           "Check the AAMA site before paying, as fees change."))
    total = sum(len(split_document(d)) for d in load_documents(small_settings.knowledge_dir)[0] if d.publishable)
    assert cli(["index", "refresh", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["published"] is True and report["changed"] == 1 and report["unchanged"] == 3
    assert report["passages_embedded"] == 1 and report["passages_reused"] == total - 1
    assert report["previous_version"] == same["version"] != report["version"]
    assert set(report) == {"added", "changed", "removed", "unchanged", "passages_embedded", "passages_reused",
                           "published", "version", "previous_version", "seconds", "min_cosine"}
    assert report["min_cosine"] >= 0.9999  # the ONNX encoder agrees with sentence-transformers
    assert cli(["index", "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["version"] == report["version"]
    assert len(events(small_settings, "refresh")) == 2


def test_refresh_with_an_invalid_document_changes_nothing(cli, small_settings, encoder, capsys):
    first, _ = build_index(small_settings, encoder)
    (small_settings.knowledge_dir / "pay.md").write_text("---\nid: pay\ntitle: Pay\n---\nbody\n")
    (small_settings.knowledge_dir / "new.md").write_text("---\nid: wrong\n---\n")
    assert cli(["index", "refresh"]) == 2
    err = capsys.readouterr().err
    assert "pay.md" in err and "topic" in err and "new.md" in err and "rename the file" in err
    assert read_manifest(small_settings.index_dir)["version"] == first.version
    assert events(small_settings, "refresh")[0]["summary"].startswith("refused")


def test_rollback_republishes_the_previous_version(cli, small_settings, encoder, capsys):
    first, _ = build_index(small_settings, encoder)
    (small_settings.knowledge_dir / "pay.md").unlink()
    second, _ = build_index(small_settings, encoder)
    assert cli(["index", "rollback"]) == 0
    assert read_manifest(small_settings.index_dir)["version"] == first.version
    assert cli(["index", "rollback"]) == 1  # nothing older
    assert "oldest" in capsys.readouterr().err
    assert events(small_settings, "rollback")[0]["summary"] == f"{second.version} -> {first.version}"


def test_sigkill_during_refresh_leaves_the_published_index_loadable(small_settings, encoder, tmp_path):
    # A larger knowledge base, so the new version takes a while to write.
    for i in range(40):
        (small_settings.knowledge_dir / f"bulk-{i}.md").write_text(
            f"---\nid: bulk-{i}\ntitle: Bulk document {i}\ntopic: job\nsources: [test]\nreviewed_on: 2026-01-01\n"
            f"reviewed_by: tester\nstatus: published\n---\n\n" +
            "\n\n".join(f"## Part {j}\n\n" + f"Document {i} part {j} says something useful about the job. " * 6
                        for j in range(15)))
    first, _ = build_index(small_settings, encoder)  # fills the embedding cache
    for path in small_settings.knowledge_dir.glob("bulk-*.md"):
        path.write_text(path.read_text().replace("reviewed_by: tester", "reviewed_by: another tester"))
    env = dict(os.environ, CAREERBOT_INDEX_DIR=str(small_settings.index_dir),
               CAREERBOT_DATA_DIR=str(small_settings.data_dir), CAREERBOT_KNOWLEDGE_DIR=str(small_settings.knowledge_dir))
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "index", "refresh"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    index_dir = small_settings.index_dir
    deadline = time.monotonic() + 120
    caught = False
    while proc.poll() is None and time.monotonic() < deadline:
        if any(".building-" in p.name for p in index_dir.iterdir()):
            proc.send_signal(signal.SIGKILL)
            caught = True
            break
        time.sleep(0.001)
    proc.wait(30)
    assert caught, "the refresh finished before it could be killed mid-write"
    assert read_manifest(index_dir)["version"] == first.version
    loaded = LoadedIndex(published_path(index_dir), small_settings.model_id, 384)
    assert loaded.faiss.ntotal == len(loaded.passages) > 600
    report, error = build_index(small_settings, encoder, force=False)  # the next refresh goes through
    assert error is None and report.published and report.passages_embedded == 0
    assert not [p for p in index_dir.iterdir() if ".building-" in p.name]


def test_import_html_drops_navigation_and_noise(cli, small_settings, tmp_path, capsys):
    page = tmp_path / "page.html"
    page.write_text("""<!doctype html><html><head><title>Becoming a phlebotomy-trained MA</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/shop">Shop scrubs</a></li><li><a href="/blog">Blog</a></li></ul></nav>
<article><h1>Becoming a phlebotomy-trained MA</h1>
<p>Many medical assistants add phlebotomy skills early in their careers, because clinics value staff who can
draw blood safely and label specimens correctly without calling a separate technician.</p>
<p>Training usually combines classroom hours on anatomy and infection control with supervised practice on
real patients, and employers often ask to see a certificate of completion before delegating draws.</p>
<p>Share this article on Facebook</p>
<p>Ten surprising facts about celebrity chefs you never knew…</p>
</article><footer>Copyright 2026 Example Clinic Careers. Privacy policy. Terms.</footer></body></html>""")
    assert cli(["knowledge", "import", str(page), "--topic", "career"]) == 0
    out = capsys.readouterr().out
    draft = small_settings.knowledge_dir / "drafts" / "becoming-a-phlebotomy-trained-ma.md"
    text = draft.read_text()
    assert "status: draft" in text and "title: Becoming a phlebotomy-trained MA" in text
    assert "supervised practice" in text
    for noise in ("Shop scrubs", "Share this", "celebrity chefs", "Copyright"):
        assert noise not in text
    assert "celebrity chefs" in out and "Share this" in out
    docs, problems = load_documents(small_settings.knowledge_dir)
    assert not problems and not next(d for d in docs if d.id == draft.stem).publishable


@pytest.mark.skipif(not SEED.exists(), reason="shared/ is not beside the repository")
def test_import_of_the_seed_keeps_the_profession_and_drops_the_six_teasers(cli, small_settings, capsys):
    assert cli(["knowledge", "import", str(SEED), "--title", "Medical assistant jobs overview"]) == 0
    out = capsys.readouterr().out
    text = (small_settings.knowledge_dir / "drafts" / "medical-assistant-jobs-overview.md").read_text()
    assert "removed 6 paragraph(s)" in out
    assert "bridging the gap between clinical practice" in text and "lead medical assistant" in text
    for teaser in ("Chivas", "REI", "Caitlin Clark", "ensemble casts", "dependable internet", "wardrobes"):
        assert teaser not in text
    assert events(small_settings, "import")


def test_publish_validates_the_draft_then_moves_it_into_place(cli, small_settings, encoder, capsys):
    build_index(small_settings, encoder)
    draft = small_settings.knowledge_dir / "drafts" / "externship-tips.md"
    assert cli(["knowledge", "publish", "externship-tips", "--reviewer", "Dana Lee"]) == 2
    err = capsys.readouterr().err
    assert "externship-tips.md" in err and "sources" in err and draft.exists()
    draft.write_text(draft.read_text().replace("status: draft", "sources: [\"NHA, 2025\"]\nstatus: draft")
                     .replace("Not reviewed yet.", "Arrive early, ask to practise every task you are allowed to "
                              "do, and ask for a reference when you finish."))
    assert cli(["knowledge", "publish", "externship-tips", "--reviewer", "Dana Lee"]) == 0
    published = small_settings.knowledge_dir / "externship-tips.md"
    assert published.exists() and not draft.exists()
    docs, problems = load_documents(small_settings.knowledge_dir)
    doc = next(d for d in docs if d.id == "externship-tips")
    assert not problems and doc.publishable and doc.reviewed_by == "Dana Lee"
    report, _ = build_index(small_settings, encoder, force=False)
    assert report.added == 1
    assert events(small_settings, "publish")


def test_check_lists_documents_due_for_review(cli, small_settings, capsys):
    pay = small_settings.knowledge_dir / "pay.md"
    pay.write_text(pay.read_text().replace("reviewed_on: 2026-01-15", "reviewed_on: 2020-01-15"))
    assert cli(["knowledge", "check"]) == 0
    out = capsys.readouterr().out
    assert "pay.md: reviewed_on: 2020-01-15" in out and "1 due for review" in out


def test_running_bot_answers_from_a_refreshed_index_without_restart(small_settings, small_assistant, encoder,
                                                                     question_log, fake_api):
    from bot.telegram.handlers import Services
    from bot.telegram.reindex import Reindexer
    from tests.bot_runner import BotRunner

    services = Services(assistant=small_assistant, log=question_log, admins=frozenset({ADMIN_ID}),
                        reindex=Reindexer(small_settings, question_log))
    runner = BotRunner(services, fake_api).start()
    try:
        fake_api.push(message(301, "how much does the cma exam cost"))
        assert "$125" in fake_api.wait_replies(301, 1)[-1]["text"]
        doc = small_settings.knowledge_dir / "cma-exam.md"
        doc.write_text(doc.read_text().replace("$125", "$135"))
        fake_api.push(message(ADMIN_ID, "/reindex"))
        # The refresh runs in a child process that imports torch and exports the encoder: 28 s on
        # this 2-core host under load, so the wait is generous (this is not a speed check).
        summary = fake_api.wait_for(lambda: (r := fake_api.replies_to(ADMIN_ID)) and "Published" in r[-1]["text"]
                                    and r[-1], timeout=120)
        assert "1 changed" in summary["text"]
        fake_api.push(message(301, "how much does the cma exam cost"))
        assert "$135" in fake_api.wait_replies(301, 2)[-1]["text"]
        assert [e["action"] for e in question_log.db.query("select action from admin_events")] == ["refresh"]
    finally:
        runner.stop()
