"""Faults: Telegram answering 429, 500s and timeouts, an outage of getUpdates, the log database
locked by another writer, and SIGTERM with questions in flight. Nothing lost, nothing twice."""

import signal
import sqlite3
import threading
import time

import pytest

from tests.reliability.conftest import message, report, warm_served

pytestmark = pytest.mark.usefixtures("kb_assistant")


@pytest.fixture
def served(kb_settings, tmp_path):
    yield from warm_served(kb_settings, tmp_path)


def test_send_failures_are_retried_and_delivered_once(served):
    api = served.api
    api.fail("sendMessage", 429, 500, 500, "timeout")
    calls_before = len(api.calls_of("sendMessage"))
    api.push(message(601, "how long is medical assistant school"))
    reply = api.wait_replies(601, 1, timeout=90)
    time.sleep(3)
    attempts = len(api.calls_of("sendMessage")) - calls_before
    report("send faults", faults="429,500,500,timeout", delivered=len(api.replies_to(601)), attempts=attempts)
    assert len(api.replies_to(601)) == 1 and "Source:" in reply[-1]["text"]
    assert attempts == 5


def test_polling_resumes_after_a_get_updates_outage(served):
    api = served.api
    api.fail_for("getUpdates", 10, 500)
    outage_start = time.monotonic()
    time.sleep(6)  # the long poll in progress ends; the ones after it fail
    calls_before = len(api.calls_of("getUpdates"))
    for i in range(5):
        api.push(message(610 + i, "what does a medical assistant do"))
    for i in range(5):
        api.wait_replies(610 + i, 1, timeout=120)
    resumed = time.monotonic() - outage_start
    failed_polls = len(api.calls_of("getUpdates")) - calls_before
    report("getUpdates outage", outage_s=10, backlog=5, answered=sum(len(api.replies_to(610 + i)) for i in range(5)),
           answered_after_s=round(resumed, 1))
    assert all(len(api.replies_to(610 + i)) == 1 for i in range(5))
    assert resumed >= 10 and failed_polls >= 1  # the backlog really waited out the outage
    assert served.proc.poll() is None


def test_locked_log_database_delays_but_loses_nothing(served):
    api = served.api
    before = served.db_count()
    conn = sqlite3.connect(served.data / "careerbot.db", timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("begin exclusive")
    released = threading.Event()

    def release():
        time.sleep(4)
        conn.execute("commit")
        released.set()

    threading.Thread(target=release).start()
    api.push(message(620, "how much do medical assistants make"))
    reply = api.wait_replies(620, 1, timeout=60)
    assert released.is_set()  # the answer waited for the lock instead of failing
    conn.close()
    report("log locked 4 s", answered=len(api.replies_to(620)), logged=served.db_count() - before)
    assert "Source:" in reply[-1]["text"] and served.db_count() == before + 1
    assert " ERROR " not in served.logs()


def test_sigterm_finishes_in_flight_questions_and_a_restart_answers_the_rest(served):
    api = served.api
    chats = list(range(700, 740))
    for chat in chats:
        api.push(message(chat, "can a medical assistant draw blood"))
    time.sleep(0.3)
    code = served.stop(signal.SIGTERM)
    answered_before_exit = sum(len(api.replies_to(c)) for c in chats)
    served.start()
    api.wait_for(lambda: all(api.replies_to(c) for c in chats), timeout=120)
    time.sleep(2)
    counts = [len(api.replies_to(c)) for c in chats]
    report("SIGTERM in flight", questions=len(chats), answered_before_exit=answered_before_exit,
           answered_after_restart=sum(counts) - answered_before_exit, duplicates=sum(c - 1 for c in counts if c > 1))
    assert code == 0 and counts == [1] * len(chats)
    assert served.db_count() == 1 + len(chats)
