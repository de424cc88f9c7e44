"""Disk full under the log database: every question is answered, `/state` works, and the log is
complete once space returns. Needs a small tmpfs of its own (root with CAP_SYS_ADMIN); skipped
with the reason otherwise."""

import subprocess
import sys
import time

import pytest

from tests.reliability.conftest import Served, message, report

pytestmark = pytest.mark.usefixtures("kb_assistant")


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({made.stderr.strip() or 'mount failed'}); "
                    "the disk-full test needs root with CAP_SYS_ADMIN")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(directory) -> int:
    """Write until the disk refuses; returns the bytes written."""
    written = 0
    with open(directory / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
                written += 65536
        except OSError:
            pass
    return written


def test_disk_full_answers_everyone_and_the_log_catches_up(kb_settings, tmp_path, small_disk):
    served = Served(kb_settings, tmp_path, CAREERBOT_DATA_DIR=str(small_disk / "data"))
    api = served.api
    try:
        api.push(message(1, "warm up: what is a cma"))
        api.wait_replies(1, 1, timeout=120)
        fill(small_disk)
        chats = list(range(950, 970))
        for chat in chats:
            api.push(message(chat, "how much do medical assistants make"))
        api.push(message(970, "/state CA"))
        api.wait_for(lambda: all(api.replies_to(c) for c in [*chats, 970]), timeout=120)
        texts = [r["text"] for c in [*chats, 970] for r in api.replies_to(c)]
        logged_while_full = served.db_count()
        fresh = small_disk / "fresh"
        started = subprocess.run([sys.executable, "-m", "bot.cli", "serve"], capture_output=True, text=True,
                                 timeout=120, env=dict(served.env, CAREERBOT_DATA_DIR=str(fresh)))
        said = [line for line in started.stderr.splitlines() if line.startswith("careerbot:")]
        assert started.returncode == 2 and len(said) == 1 and "is full" in said[0], started.stderr
        assert "Traceback" not in started.stderr
        assert not (fresh / "log_salt").exists()  # never an empty salt to start from next time
        (small_disk / "filler").unlink()
        api.wait_for(lambda: served.db_count() == 1 + len(chats), timeout=90)
        report("disk full", questions=len(chats), answered=sum(bool(api.replies_to(c)) for c in chats),
               apologies=sum("went wrong" in t for t in texts), logged_while_full=logged_while_full - 1,
               logged_after_space_returned=served.db_count() - 1)
        assert not any("went wrong" in t for t in texts)
        assert "California" in api.replies_to(970)[-1]["text"]
        assert logged_while_full < 1 + len(chats)  # the disk really was full
    finally:
        code = served.stop()
        api.stop()
    assert code == 0 and "Traceback" not in served.logs()
