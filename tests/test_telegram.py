"""The Telegram bot end to end: the real Application over HTTP against a local stand-in Bot API."""

import html.parser
import json
import re

import pytest

from tests.conftest import ADMIN_ID
from tests.fake_bot_api import BOT_USERNAME, callback, message

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote",
                "tg-spoiler", "span"}


class TelegramHTML(html.parser.HTMLParser):
    """Fails on any tag Telegram's HTML mode would reject, and on unbalanced tags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []

    def handle_starttag(self, tag, attrs):
        assert tag in ALLOWED_TAGS, f"tag <{tag}> is not allowed by Telegram"
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, f"unbalanced </{tag}>"


def check_html(text: str) -> None:
    assert len(text) <= 4096
    parser = TelegramHTML()
    parser.feed(text)
    parser.close()
    assert parser.stack == []
    # every & must start an entity Telegram knows
    assert not re.search(r"&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);)", text)


def keyboard(reply: dict) -> list[list[dict]]:
    markup = reply.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return markup.get("inline_keyboard", [])


def buttons(reply: dict) -> list[dict]:
    return [b for row in keyboard(reply) for b in row]


def ask(api, user_id: int, text: str, n_before: int | None = None) -> dict:
    before = len(api.replies_to(user_id)) if n_before is None else n_before
    api.push(message(user_id, text))
    return api.wait_replies(user_id, before + 1)[-1]


def test_start_welcomes_and_offers_topics(telegram_bot, fake_api):
    reply = ask(fake_api, 101, "/start")
    assert "medical assistant" in reply["text"] and "can't give medical advice" in reply["text"]
    assert reply["parse_mode"] == "HTML"
    check_html(reply["text"])
    assert {b["callback_data"] for b in buttons(reply)} >= {"topic:certification", "topic:scope"}
    commands = fake_api.calls_of("setMyCommands")
    assert commands and {c["command"] for c in commands[0]["commands"]} >= {"start", "help", "topics", "state",
                                                                            "about", "forget"}


def test_question_gets_vetted_answer_with_source_and_buttons(telegram_bot, fake_api, question_log):
    reply = ask(fake_api, 102, "what is the difference between the cma and rma")
    check_html(reply["text"])
    assert "Source:" in reply["text"] and "reviewed 2026-" in reply["text"]
    data = [b["callback_data"] for b in buttons(reply)]
    assert data[0].startswith("fb:") and data[0].endswith(":1") and data[1].endswith(":0")
    assert any(d.startswith("doc:") for d in data)
    assert all(len(d.encode()) <= 64 for d in data)
    assert not fake_api.calls_of("sendChatAction")  # a fast answer needs no "typing…"
    row = question_log.question(int(data[0].split(":")[1]))
    assert row["status"] == "answered" and row["top_doc"] and row["channel"] == "telegram"


@pytest.mark.parametrize("text, status_words", [
    ("i have chest pain and my arm feels numb what should i do", ["911", "doctor"]),
    ("who won the super bowl last year", ["careers in health care"]),
])
def test_medical_and_out_of_scope_messages(telegram_bot, fake_api, text, status_words):
    reply = ask(fake_api, 103, text)
    for word in status_words:
        assert word in reply["text"]
    assert "Source:" not in reply["text"]
    check_html(reply["text"])


def test_non_text_and_oversized_messages_get_a_friendly_note(telegram_bot, fake_api):
    sticker = {"file_id": "s1", "file_unique_id": "u1", "type": "regular", "width": 512, "height": 512,
               "is_animated": False, "is_video": False}
    fake_api.push(message(104, sticker=sticker))
    assert "only read text" in fake_api.wait_replies(104, 1)[-1]["text"]
    fake_api.push(message(104, location={"latitude": 1.0, "longitude": 2.0}))
    assert "only read text" in fake_api.wait_replies(104, 2)[-1]["text"]
    reply = ask(fake_api, 104, "why " * 300)
    assert "shorter" in reply["text"] or "short question" in reply["text"]


def test_feedback_is_recorded_and_a_second_press_replaces_the_first(telegram_bot, fake_api, question_log):
    reply = ask(fake_api, 105, "how much do medical assistants make")
    helpful, not_helpful = buttons(reply)[0]["callback_data"], buttons(reply)[1]["callback_data"]
    qid = int(helpful.split(":")[1])
    fake_api.push(callback(105, helpful, reply))
    fake_api.wait_for(lambda: len(fake_api.calls_of("answerCallbackQuery")) >= 1)
    fake_api.wait_for(lambda: question_log.db["feedback"].count == 1)
    fake_api.push(callback(105, not_helpful, reply))
    fake_api.wait_for(lambda: len(fake_api.calls_of("answerCallbackQuery")) >= 2)
    rows = list(question_log.db.query("select * from feedback"))
    assert len(rows) == 1 and rows[0]["question_id"] == qid and rows[0]["helpful"] == 0
    edits = fake_api.wait_for(lambda: len(e := fake_api.calls_of("editMessageReplyMarkup")) >= 2 and e)
    assert "✓ Not helpful" in json.dumps(edits[-1]["reply_markup"], ensure_ascii=False)
    # someone else pressing a button under this answer is refused and changes nothing
    fake_api.push(callback(999, helpful, reply))
    fake_api.wait_for(lambda: len(fake_api.calls_of("answerCallbackQuery")) >= 3)
    assert "someone else" in fake_api.calls_of("answerCallbackQuery")[-1]["text"]
    assert list(question_log.db.query("select helpful from feedback"))[0]["helpful"] == 0


def test_forged_and_stale_buttons_are_answered_harmlessly(telegram_bot, fake_api):
    for data in ("fb:abc:1", "doc:no-such-doc", "topic:nope", "x" * 10, "fb:99999:1"):
        n = len(fake_api.calls_of("answerCallbackQuery"))
        fake_api.push(callback(106, data))
        fake_api.wait_for(lambda: len(fake_api.calls_of("answerCallbackQuery")) > n)
    texts = [c.get("text", "") for c in fake_api.calls_of("answerCallbackQuery")]
    assert all(texts) and not fake_api.replies_to(106)


def test_topics_and_related_buttons_open_guidance(telegram_bot, fake_api):
    reply = ask(fake_api, 107, "/topics")
    fake_api.push(callback(107, "topic:certification", reply))
    listing = fake_api.wait_replies(107, 2)[-1]
    docs = [b["callback_data"] for b in buttons(listing)]
    assert "doc:rma-amt" in docs
    fake_api.push(callback(107, "doc:rma-amt", listing))
    overview = fake_api.wait_replies(107, 3)[-1]
    assert "RMA" in overview["text"] and "Source:" in overview["text"]
    check_html(overview["text"])


def test_a_topic_opens_at_most_eight_short_buttons_in_reading_order(telegram_bot, fake_api, kb_settings):
    from bot.knowledge.load import load_publishable

    docs = [d for d in load_publishable(kb_settings.knowledge_dir) if d.topic == "scope"]
    assert len(docs) > 8
    by_order = sorted(docs, key=lambda d: (d.order is None, d.order or 0, d.short_title or d.title))
    reply = ask(fake_api, 108, "/topics")
    fake_api.push(callback(108, "topic:scope", reply))
    listing = fake_api.wait_replies(108, 2)[-1]
    shown = buttons(listing)
    assert [b["callback_data"] for b in shown] == [f"doc:{d.id}" for d in by_order[:8]]
    assert [b["text"] for b in shown] == [d.short_title or d.title for d in by_order[:8]]
    assert all(len(b["text"]) <= 32 for b in shown) and "ask me" in listing["text"]


def test_button_labels_are_cut_at_a_word_with_an_ellipsis():
    from bot.telegram.keyboards import button, short

    title = "Medical assistant rules in South Dakota, North Dakota, Delaware and how to check any state"
    label = short(title)
    assert label == "Medical assistant rules in South Dakota…"
    assert title.startswith(label[:-1]) and title[len(label) - 1] in " ,"  # ends where a word ends
    assert short("IV starts and IV medications by medical assistants") == "IV starts and IV medications by medical…"
    assert short("What MAs cannot do") == "What MAs cannot do"
    assert button(title, "doc:x").text == label


def test_follow_up_is_read_in_context_of_the_previous_question(telegram_bot, fake_api, question_log):
    first = ask(fake_api, 108, "tell me about the rma certification from amt")
    second = ask(fake_api, 108, "and how much does it cost?")
    qid = int(buttons(second)[0]["callback_data"].split(":")[1])
    assert question_log.question(qid)["top_doc"] == "rma-amt"
    assert "$" in second["text"]
    assert first["text"] != second["text"]


def test_a_follow_up_to_a_declined_question_is_declined_too(telegram_bot, fake_api):
    """The chat remembers that its last reply declined the topic (followup.remember)."""
    assert "only help with careers in health care" in ask(fake_api, 112, "how do i become an electrician")["text"]
    assert "only help with careers in health care" in ask(fake_api, 112, "how long is the apprenticeship")["text"]
    assert "$" in ask(fake_api, 112, "ok how much does the cma exam cost")["text"]


def test_state_command_sets_shows_and_clears(telegram_bot, fake_api, question_log):
    general = ask(fake_api, 109, "can a medical assistant give injections")
    assert "Rules differ by state" in general["text"]
    assert any(b["callback_data"] == "state:ask" for b in buttons(general))
    assert "California" in ask(fake_api, 109, "/state ca")["text"]
    assert question_log.get_state(question_log.user_key(109)) == "CA"
    specific = ask(fake_api, 109, "can a medical assistant give injections")
    assert "In California:" in specific["text"] and "Rules differ by state" not in specific["text"]
    assert "cleared" in ask(fake_api, 109, "/state")["text"]
    assert question_log.get_state(question_log.user_key(109)) is None
    assert "don't know that state" in ask(fake_api, 109, "/state narnia")["text"]


def test_flood_of_questions_is_asked_to_slow_down(telegram_bot, fake_api):
    for i in range(25):
        fake_api.push(message(110, f"how long is medical assistant school {i}"))
    fake_api.wait_for(lambda: len(fake_api.replies_to(110)) >= 21, timeout=60)
    fake_api.push(message(111, "what do medical assistants earn"))  # other people are still answered
    fake_api.wait_replies(111, 1)
    replies = fake_api.replies_to(110)
    assert sum("faster than I can read" in r["text"] for r in replies) == 1
    assert len(replies) == 21


def test_admin_commands_are_refused_for_others_and_logged(telegram_bot, fake_api, question_log):
    for command in ("/stats", "/reindex"):
        assert "only for careerbot admins" in ask(fake_api, 112, command)["text"]
    events = list(question_log.db.query("select * from admin_events where action = 'refused'"))
    assert len(events) == 2 and all(e["actor"] == question_log.user_key(112) for e in events)
    stats = ask(fake_api, ADMIN_ID, "/stats")
    assert "Questions" in stats["text"] and "Index" in stats["text"]
    check_html(stats["text"])


def test_groups_only_mentions_and_edits_are_ignored(telegram_bot, fake_api):
    fake_api.push(message(113, "how long is ma school", chat_id=-500, chat_type="group"))
    fake_api.push(message(113, f"@{BOT_USERNAME} how long is ma school", chat_id=-500, chat_type="group"))
    reply = fake_api.wait_replies(-500, 1)[-1]
    assert "Source:" in reply["text"]
    edited = message(113, "edited text")
    fake_api.push({"edited_message": edited["message"]})
    fake_api.push({"channel_post": {"message_id": 5, "date": 1, "chat": {"id": -100, "type": "channel"},
                                    "text": "hello channel"}})
    fake_api.push(message(114, "marker question: what is a cma"))
    fake_api.wait_replies(114, 1)
    assert len(fake_api.replies_to(-500)) == 1 and not fake_api.replies_to(113) and not fake_api.replies_to(-100)


def test_forget_erases_history_after_confirmation(telegram_bot, fake_api, question_log):
    ask(fake_api, 115, "what is a cma")
    ask(fake_api, 115, "/state wa")
    key = question_log.user_key(115)
    assert question_log.db["questions"].count_where("user_key = ?", [key]) == 1
    confirm = ask(fake_api, 115, "/forget")
    assert [b["callback_data"] for b in buttons(confirm)] == ["forget:yes", "forget:no"]
    fake_api.push(callback(115, "forget:yes", confirm))
    fake_api.wait_for(lambda: fake_api.calls_of("editMessageText"))
    assert "erased 1 question" in fake_api.calls_of("editMessageText")[-1]["text"]
    assert question_log.db["questions"].count_where("user_key = ?", [key]) == 0
    assert question_log.get_state(key) is None


def test_every_reply_is_valid_telegram_html(telegram_bot, fake_api):
    for text in ("/help", "/about", "what are <b>the</b> rules & fees for the ccma?", "/nonsense"):
        ask(fake_api, 116, text)
    for reply in fake_api.replies_to(116):
        check_html(reply["text"])
    assert "don't know that command" in fake_api.replies_to(116)[-1]["text"]


def test_slow_answer_shows_typing_first(kb_assistant, question_log, fake_api):
    """An answer that takes longer than TYPING_AFTER_S (here: a busy encoder) shows "typing…"."""
    import time as _time

    from bot.telegram.handlers import TYPING_AFTER_S, Services
    from tests.bot_runner import BotRunner

    class Busy:
        def __getattr__(self, name):
            return getattr(kb_assistant, name)

        def ask(self, *args, **kw):
            _time.sleep(TYPING_AFTER_S + 0.5)
            return kb_assistant.ask(*args, **kw)

    runner = BotRunner(Services(assistant=Busy(), log=question_log), fake_api).start()
    try:
        reply = ask(fake_api, 120, "what is a cma")
        assert "Source:" in reply["text"]
        actions = fake_api.calls_of("sendChatAction")
        assert [a["action"] for a in actions] == ["typing"] and str(actions[0]["chat_id"]) == "120"
    finally:
        runner.stop()


def test_a_crisis_message_gets_988_as_html_and_the_log_keeps_no_text(telegram_bot, fake_api, question_log):
    reply = ask(fake_api, 177, "failed my rma for the third time and honestly i just want to die")
    check_html(reply["text"])
    assert reply.get("parse_mode") == "HTML"
    assert "<b>988</b>" in reply["text"] and "988lifeline.org" in reply["text"] and "<b>911</b>" in reply["text"]
    assert "career question" in reply["text"]
    assert not buttons(reply)  # no rating buttons or topics under a crisis reply
    fake_api.wait_for(lambda: question_log.db.execute("select count(*) from questions where status = 'crisis'")
                      .fetchone()[0] == 1)
    assert [r["question"] for r in question_log.db.query("select question from questions where status = 'crisis'")] \
        == ["[crisis message]"]
    assert b"want to die" not in question_log.path.read_bytes()


def test_an_update_answered_a_day_late_says_sorry_for_the_delay(telegram_bot, fake_api):
    import time as _time

    fake_api.push(message(130, "what is a cma", date=int(_time.time()) - 2 * 86400))
    late = fake_api.wait_replies(130, 1)[-1]
    fresh = ask(fake_api, 131, "what is a cma")
    assert late["text"].startswith("Sorry for the delay") and "Source:" in late["text"]
    assert not fresh["text"].startswith("Sorry for the delay")


def test_a_hung_encoder_gets_a_retry_message_within_15_s(kb_assistant, question_log, fake_api):
    """The encoder runs in process (onnxruntime): a call that hangs is abandoned after 10 s."""
    import threading
    import time as _time

    from bot.assistant import Assistant
    from bot.telegram.handlers import Services
    from tests.bot_runner import BotRunner

    release = threading.Event()

    class HungEncoder:
        def encode(self, texts):
            release.wait(60)  # stands in for an onnxruntime call that never returns
            raise RuntimeError("the encoder hung")

    hung = Assistant(kb_assistant.settings, kb_assistant.store, encoder=HungEncoder())
    runner = BotRunner(Services(assistant=hung, log=question_log), fake_api).start()
    try:
        started = _time.monotonic()
        fake_api.push(message(140, "what is a cma"))
        reply = fake_api.wait_replies(140, 1, timeout=20)[-1]
        waited = _time.monotonic() - started
        assert waited < 15 and "took me too long" in reply["text"] and "went wrong" not in reply["text"]
    finally:
        release.set()
        runner.stop()
