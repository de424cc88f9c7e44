"""Load: 200 people writing at once. Every update answered exactly once and logged exactly once,
no error in the log, memory steady; and nothing private or secret in the log database."""

import time

import pytest

from tests.bot_runner import TOKEN
from tests.reliability.conftest import SOAK, Served, latencies, message, p95, report

pytestmark = pytest.mark.usefixtures("kb_assistant")

QUESTIONS = ["cma or rma?", "how much do medical assistants make", "can an ma give injections in california",
             "how long is ma school", "what does a medical assistant do", "is certification required",
             "mail me at pat.lee@example.com about externships", "call me at (415) 555-0134 about pay",
             "tell me a joke", "i have a fever what should i take"]


def test_burst_load_answers_everyone_exactly_once(kb_settings, tmp_path):
    users, total = 200, (2000 if SOAK else 300)
    served = Served(kb_settings, tmp_path)
    api = served.api
    try:
        api.push(message(1, "warm up: what is a cma"))
        api.wait_replies(1, 1, timeout=120)
        rss_before = served.rss_mb()
        sent: dict[int, list[int]] = {}
        burst = 50
        started = time.monotonic()
        for start in range(0, total, burst):
            for i in range(start, min(total, start + burst)):
                chat = 5_550_000_000 + i % users
                sent.setdefault(chat, []).append(api.push(message(chat, QUESTIONS[i % len(QUESTIONS)])))
            time.sleep(0.5)
        api.wait_for(lambda: sum(len(api.replies_to(c)) for c in sent) >= total, timeout=600)
        time.sleep(2)  # anything sent twice would arrive now
        elapsed = time.monotonic() - started
        replies = {c: api.replies_to(c) for c in sent}
        apologies = sum("went wrong" in r["text"] for rs in replies.values() for r in rs)
        answered = sum(min(len(r), len(sent[c])) for c, r in replies.items())
        duplicates = sum(max(0, len(r) - len(sent[c])) for c, r in replies.items())
        lost = total - answered
        logged = served.db_count() - 1  # minus the warm-up
        rss_after = served.rss_mb()
        report("load", users=users, updates_sent=total, answered=answered, duplicates=duplicates, lost=lost,
               logged=logged, apologies=apologies, p95_ms=p95(latencies(api, sent)), answers_per_s=round(total / elapsed, 1),
               rss_growth_mb=round(rss_after - rss_before, 1))
        assert lost == 0 and duplicates == 0 and apologies == 0 and logged == total
        assert rss_after - rss_before < 150, (rss_before, rss_after)
    finally:
        code = served.stop()
        api.stop()
    logs = served.logs()
    assert code == 0
    assert " ERROR " not in logs and "Traceback" not in logs, logs[-3000:]
    assert TOKEN not in logs
    data = b"".join(p.read_bytes() for p in served.data.glob("careerbot.db*"))
    assert TOKEN.encode() not in data and TOKEN.split(":")[1].encode() not in data
    for raw in (b"5550000", b"pat.lee@example.com", b"555-0134", b"(415)"):
        assert raw not in data, raw
