"""The durable inbox: the process SIGKILLed in the middle of a burst, by polling and by webhook.
Every accepted question is answered after the restart, none twice."""

import time

import pytest

from tests.reliability.conftest import Served, message, report

pytestmark = pytest.mark.usefixtures("kb_assistant")

QUESTIONS = ["cma or rma?", "how much do medical assistants make", "can an ma give injections in california",
             "how long is ma school", "what does a medical assistant do", "is certification required"]


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_sigkill_mid_burst_loses_nothing_and_answers_nothing_twice(kb_settings, tmp_path, mode):
    served = Served(kb_settings, tmp_path, webhook=mode == "webhook")
    api = served.api
    try:
        api.push(message(1, "warm up: what is a cma"))
        api.wait_replies(1, 1, timeout=120)
        chats = list(range(8_800_000_000, 8_800_000_200))
        ids = {chat: api.push(message(chat, QUESTIONS[i % len(QUESTIONS)])) for i, chat in enumerate(chats)}

        def answered():
            return sum(1 for c in chats if api.replies_to(c))

        api.wait_for(lambda: answered() >= 20, timeout=120)
        # Replies stop reaching Telegram (500s, retried by the bot) a moment before the kill, so
        # every reply delivered has had its done mark (a commit of under a millisecond) made; a kill
        # inside that millisecond is the one way to answer twice (see bot/telegram/inbox.py).
        api.fail_for("sendMessage", 60, 500)
        time.sleep(0.5)
        served.kill()
        api.outages.clear()
        at_kill = answered()
        served.start()
        api.wait_for(lambda: answered() == len(chats), timeout=300)
        time.sleep(3)  # anything answered twice would arrive now
        counts = [len(api.replies_to(c)) for c in chats]
        # Telegram delivering an update again that was answered already: not answered twice.
        again = chats[0]
        api.push({**message(again, QUESTIONS[0]), "update_id": ids[again]})
        time.sleep(2)
        texts = [r["text"] for c in chats for r in api.replies_to(c)]
        report(f"SIGKILL mid-burst ({mode})", questions=len(chats), answered_before_kill=at_kill,
               answered_after_restart=sum(min(c, 1) for c in counts) - at_kill,
               lost=counts.count(0), duplicates=sum(c - 1 for c in counts if c > 1),
               logged=served.db_count() - 1)
        assert counts == [1] * len(chats)
        assert len(api.replies_to(again)) == 1
        assert not any("went wrong" in t for t in texts)
        assert at_kill < len(chats)  # the kill really came mid-burst
        assert served.db_count() == 1 + len(chats)  # each logged once, answered again or not
    finally:
        code = served.stop()
        api.stop()
    assert code == 0
    assert "Traceback" not in served.logs()
