"""Answer first, log second: a log write the disk refuses waits in memory and is written when
space returns; the salt is written whole or not at all, and a short one is refused."""

import time

import pytest

from bot.errors import ConfigError
from bot.review.log import SALT_FILE, QuestionLog
from bot.types import Answer


def answer(status="answered"):
    return Answer(status=status, answer="x", body="x", timings_ms={"total": 1.0})


def disk_full(log: QuestionLog) -> None:
    """SQLite's own "database or disk is full": the file may not grow past its current pages."""
    pages = next(iter(log.db.execute("pragma page_count").fetchone()))
    log.db.execute(f"pragma max_page_count = {pages}")


def test_a_refused_write_waits_and_is_written_when_space_returns(tmp_path, monkeypatch):
    monkeypatch.delenv("CAREERBOT_LOG_SALT", raising=False)
    log = QuestionLog(tmp_path)
    try:
        key = log.user_key(5)
        disk_full(log)
        ids = [log.record(key, "telegram", f"question {i} " + "x" * 3000, answer()) for i in range(5)]
        log.set_state(key, "CA")
        waiting = ids.count(None)  # nothing raised: the answers go out
        assert waiting >= 4  # the first may still fit in a page's free space
        assert log.stats()["log_waiting"] >= waiting
        log.db.execute("pragma max_page_count = 1073741823")
        deadline = time.monotonic() + 20
        while log.stats()["log_waiting"] and time.monotonic() < deadline:
            time.sleep(0.1)
        st = log.stats()
        assert st["log_waiting"] == 0 and st["log_dropped"] == 0 and st["today"] == 5
        assert log.get_state(key) == "CA"
    finally:
        log.close()


def test_writes_beyond_the_queue_are_dropped_and_counted(tmp_path, monkeypatch):
    monkeypatch.delenv("CAREERBOT_LOG_SALT", raising=False)
    log = QuestionLog(tmp_path)
    log.pending._max = 3
    disk_full(log)
    for i in range(5):
        log.record(None, "telegram", "y" * 4000, answer())
    st = log.stats()
    assert st["log_waiting"] == 3 and st["log_dropped"] >= 1
    log.close()  # the last attempt fails too: every write not made is counted
    assert log.pending.dropped == st["log_dropped"] + 3


def test_the_salt_is_written_whole_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv("CAREERBOT_LOG_SALT", raising=False)
    QuestionLog(tmp_path).close()
    salt = tmp_path / SALT_FILE
    assert len(salt.read_text()) == 64 and salt.stat().st_mode & 0o077 == 0
    assert sorted(p.name for p in tmp_path.iterdir() if "salt" in p.name) == [SALT_FILE]  # no temp file left


@pytest.mark.parametrize("content", ["", "\n", "abc123"])
def test_an_empty_or_short_salt_is_refused_in_one_line(tmp_path, monkeypatch, content):
    monkeypatch.delenv("CAREERBOT_LOG_SALT", raising=False)
    (tmp_path / SALT_FILE).write_text(content)
    with pytest.raises(ConfigError) as caught:
        QuestionLog(tmp_path)
    assert SALT_FILE in str(caught.value) and "\n" not in str(caught.value)


def test_a_short_salt_in_the_environment_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREERBOT_LOG_SALT", "short")
    with pytest.raises(ConfigError, match="CAREERBOT_LOG_SALT"):
        QuestionLog(tmp_path)
