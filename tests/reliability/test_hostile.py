"""Hostile and odd input: each gets one clear, friendly reply (or is ignored where Telegram bots
should ignore it), nothing crashes, every reply is valid Telegram HTML."""

import time

import pytest

from tests.conftest import ADMIN_ID
from tests.fake_bot_api import callback
from tests.reliability.conftest import Served, message, report
from tests.test_telegram import buttons, check_html

pytestmark = pytest.mark.usefixtures("kb_assistant")

ODD = {
    "whitespace": ("   \t  ", "type a question"),
    "4096 characters": ("x" * 4096, "short question"),
    "emoji only": ("🤔🤔🤔", None),
    "HTML and MarkdownV2 specials": ("<b>cma</b> & <script>alert(1)</script> _*[]()~`>#+-=|{}.!", None),
    "SQL": ("'; DROP TABLE questions; -- what is a cma", None),
    "control and zero-width": ("what\u0000 is\u200d a\u200b cma\u0007?", None),
    "right-to-left": ("كيف أصبح مساعدا طبيا؟", "only answer in English"),
    "Spanish": ("¿Cómo puedo ser asistente médico en California?", "only answer in English"),
    "bad command argument": ("/state XX YY", "don't know that state"),
    "unknown command": ("/launch_missiles now", "don't know that command"),
    "admin command from a non-admin": ("/reindex", "only for careerbot admins"),
    "start with junk": ("/start <b>junk</b>", "careerbot"),
}


@pytest.fixture(scope="module")
def served(kb_settings, tmp_path_factory, kb_assistant):
    s = Served(kb_settings, tmp_path_factory.mktemp("hostile"))
    s.api.push(message(1, "warm up: what is a cma"))
    s.api.wait_replies(1, 1, timeout=120)
    yield s
    s.stop()
    s.api.stop()


@pytest.mark.parametrize("case", list(ODD))
def test_odd_text_gets_one_friendly_reply(served, case):
    text, expected = ODD[case]
    chat = 800 + list(ODD).index(case)
    served.api.push(message(chat, text))
    reply = served.api.wait_replies(chat, 1, timeout=60)[-1]
    check_html(reply["text"])
    if expected:
        assert expected in reply["text"]
    time.sleep(0.3)
    assert len(served.api.replies_to(chat)) == 1
    assert "<script>" not in reply["text"]


def test_forged_stale_and_foreign_buttons(served):
    api = served.api
    api.push(message(850, "how much do medical assistants make"))
    reply = api.wait_replies(850, 1)[-1]
    helpful = buttons(reply)[0]["callback_data"]
    before = len(api.calls_of("answerCallbackQuery"))
    presses = [callback(user, data, reply) for user, data in (
        (851, helpful), (850, "fb:1:1' or 1=1"), (850, "doc:../../etc/passwd"), (850, "ö" * 40),
        (850, "topic:" + "x" * 58))]
    for press in presses:
        api.push(press)
    api.wait_for(lambda: len(api.calls_of("answerCallbackQuery")) >= before + 5)
    answers = {c["callback_query_id"]: c.get("text", "") for c in api.calls_of("answerCallbackQuery")[before:]}
    texts = [answers[p["callback_query"]["id"]] for p in presses]
    assert "someone else" in texts[0] and all("expired" in t for t in texts[1:])
    assert len(api.replies_to(850)) == 1 and not api.replies_to(851)


def test_groups_edits_and_channel_posts_are_ignored(served):
    api = served.api
    api.push(message(860, "how long is ma school", chat_id=-860, chat_type="supergroup"))
    api.push({"edited_message": message(861, "edited: what is a cma")["message"]})
    api.push({"channel_post": {"message_id": 9, "date": 1, "chat": {"id": -862, "type": "channel"}, "text": "hi"}})
    api.push(message(863, "marker: what is an rma"))
    api.wait_replies(863, 1)
    assert not api.replies_to(-860) and not api.replies_to(861) and not api.replies_to(-862)


def test_flood_from_one_person(served):
    api = served.api
    for i in range(100):
        api.push(message(870, f"what is a cma {i}"))
    api.wait_for(lambda: len(api.replies_to(870)) >= 21, timeout=120)
    api.push(message(871, "marker: what is an rma"))
    api.wait_replies(871, 1, timeout=60)
    time.sleep(1)
    replies = api.replies_to(870)
    slow = sum("faster than I can read" in r["text"] for r in replies)
    report("flood", sent=100, answered=len(replies) - slow, asked_to_slow_down=slow)
    assert len(replies) == 21 and slow == 1
    assert served.proc.poll() is None and "Traceback" not in served.logs()


def test_admin_commands_work_only_for_admins(served):
    api = served.api
    api.push(message(ADMIN_ID, "/stats"))
    assert "Questions" in api.wait_replies(ADMIN_ID, 1)[-1]["text"]
    api.push(message(880, "/stats"))
    assert "only for careerbot admins" in api.wait_replies(880, 1)[-1]["text"]
