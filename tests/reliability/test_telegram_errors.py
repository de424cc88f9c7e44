"""Telegram's ordinary errors, handled as the Bot API documents them, against the real
`careerbot serve`: a stale button press, a button under an inline message or under a message the
bot can no longer see, a person who blocked the bot, a group that became a supergroup. None is an
apology or an error in the log."""

import time

import pytest

from tests.fake_bot_api import callback
from tests.reliability.conftest import message, report, warm_served

pytestmark = pytest.mark.usefixtures("kb_assistant")


@pytest.fixture(scope="module")
def served(kb_settings, tmp_path_factory):
    yield from warm_served(kb_settings, tmp_path_factory.mktemp("telegram-errors"))


def no_trouble(served, chat) -> None:
    assert not any("went wrong" in r["text"] for r in served.api.replies_to(chat))
    assert " ERROR " not in served.logs() and "Traceback" not in served.logs()


def test_a_stale_button_press_is_still_handled_and_the_400_ignored(served):
    api = served.api
    api.fail("answerCallbackQuery", {"error_code": 400, "description": "Bad Request: query is too old and "
                                     "response timeout expired or query id is invalid"})
    api.push(callback(901, "topic:certification"))
    reply = api.wait_replies(901, 1, timeout=60)[-1]
    assert "pick one" in reply["text"]
    time.sleep(1)
    no_trouble(served, 901)


def test_a_button_under_an_inline_message_is_answered_without_a_reply(served):
    api = served.api
    update = callback(902, "topic:pay")
    query = update["callback_query"]
    del query["message"]
    query["inline_message_id"] = "AAAAinline"
    before = len(api.calls_of("answerCallbackQuery"))
    api.push(update)
    api.wait_for(lambda: len(api.calls_of("answerCallbackQuery")) > before, timeout=60)
    time.sleep(1)
    assert not api.replies_to(902)
    no_trouble(served, 902)


def test_a_rating_under_a_message_the_bot_can_no_longer_see_is_kept_and_not_edited(served):
    """Telegram dates such a message 0 (the Bot API's InaccessibleMessage) and refuses to edit it."""
    import json

    api = served.api
    api.push(message(905, "how much do medical assistants make"))
    answer = api.wait_replies(905, 1, timeout=60)[-1]
    markup = answer["reply_markup"]
    helpful = (json.loads(markup) if isinstance(markup, str) else markup)["inline_keyboard"][0][0]["callback_data"]
    api.fail_chat("editMessageReplyMarkup", 905, 400, "Bad Request: message to edit not found")
    update = callback(905, helpful)
    update["callback_query"]["message"] = {"message_id": answer["message_id"], "date": 0,
                                           "chat": {"id": 905, "type": "private"}}
    before = len(api.calls_of("answerCallbackQuery"))
    api.push(update)
    api.wait_for(lambda: len(api.calls_of("answerCallbackQuery")) > before, timeout=60)
    time.sleep(1)
    assert api.calls_of("answerCallbackQuery")[-1]["text"] == "Thanks for the feedback!"
    assert not [c for c in api.calls_of("editMessageReplyMarkup") if str(c.get("chat_id")) == "905"]
    no_trouble(served, 905)


def test_a_person_who_blocked_the_bot_gets_nothing_until_they_write_again(served):
    api = served.api
    api.fail_chat("sendMessage", 903, 403, "Forbidden: bot was blocked by the user")
    for text in ("cma or rma?", "how long is ma school", "what does a medical assistant do"):
        api.push(message(903, text))
    api.wait_for(lambda: any(str(c.get("chat_id")) == "903" for c in api.calls_of("sendMessage")), timeout=60)
    time.sleep(3)
    attempts = sum(str(c.get("chat_id")) == "903" for c in api.calls_of("sendMessage"))
    logs = served.logs()
    assert attempts == 1  # the backlog written before the block is not sent
    assert "blocked the bot" in logs and " ERROR " not in logs and "went wrong" not in str(api.calls_of("sendMessage"))
    del api.chat_faults[("sendMessage", "903")]
    time.sleep(1.1)  # Telegram dates messages to the second
    api.push(message(903, "is certification required"))
    reply = api.wait_replies(903, 1, timeout=60)[-1]
    report("blocked by the user", backlog=3, sends_tried=attempts, answered_after_writing_again=len(api.replies_to(903)))
    assert "went wrong" not in reply["text"]


def test_a_group_that_became_a_supergroup_gets_its_answer_at_the_new_id(served):
    from tests.fake_bot_api import BOT_USERNAME

    api = served.api
    old, new = -904, -1000000000904
    api.fail_chat("sendMessage", old, 400, "Bad Request: group chat was upgraded to a supergroup chat",
                  migrate_to_chat_id=new)
    api.push(message(904, f"@{BOT_USERNAME} how much do medical assistants make", chat_id=old, chat_type="group"))
    reply = api.wait_replies(new, 1, timeout=60)[-1]
    report("group migrated", sent_to_new_chat=len(api.replies_to(new)), sent_to_old_chat=len(api.replies_to(old)))
    assert "Source:" in reply["text"] and not api.replies_to(old)
    no_trouble(served, new)
