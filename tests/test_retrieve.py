"""Hybrid retrieval finds the right document for paraphrases; states rank as they should."""

import pytest

from bot.answer.followup import is_follow_up
from bot.answer.query import expand
from bot.answer.retrieve import fts_query
from bot.states import find_state
from bot.types import Context

PARAPHRASES = [
    ("how many questions are on the cma test", "cma-exam"),
    ("whats the pass mark for the aama exam", "cma-exam"),
    ("what do mas earn per hour", "pay"),
    ("do outpatient clinics pay more than doctors offices", "pay"),
    ("are medical assistants allowed to give shots", "injections"),
]


@pytest.mark.parametrize("question, doc_id", PARAPHRASES)
def test_paraphrases_find_the_document(small_assistant, question, doc_id):
    answer = small_assistant.ask(question)
    assert answer.status == "answered" and answer.top_doc == doc_id


def test_state_specific_guidance_ranks_by_state(small_assistant):
    q = "can a medical assistant give injections"
    assert small_assistant.rank(q, Context(state="CA"))[0] == "california-injections"
    assert small_assistant.rank(q, Context(state="TX"))[0] == "injections"
    assert small_assistant.rank(q)[0] == "injections"
    answer = small_assistant.ask(q)
    assert any("differ by state" in n for n in answer.notes)
    named = small_assistant.ask("can an MA give injections in California?")
    assert named.top_doc == "california-injections" and named.state == "CA"
    assert any("specific to California" in n for n in named.notes)


def test_follow_up_uses_the_previous_question(small_assistant):
    answer = small_assistant.ask("and how much does it cost?", Context(previous_question="tell me about the cma exam"))
    assert answer.status == "answered" and answer.top_doc == "cma-exam" and "$125" in answer.answer
    alone = small_assistant.ask("and how much does it cost?")
    assert alone.top_doc != "cma-exam"


def test_weak_match_is_no_answer_with_topics(small_assistant):
    answer = small_assistant.ask("what is the best externship site in Ohio for pediatrics")
    assert answer.status == "no_answer" and "vetted guidance" in answer.answer


def test_answer_carries_source_reviewed_date_and_timings(small_assistant):
    answer = small_assistant.ask("what is the median pay for a medical assistant")
    assert answer.sources[0].source.startswith("BLS") and answer.sources[0].reviewed_on == "2026-01-15"
    assert "Source: BLS" in answer.answer and "reviewed 2026-01-15" in answer.answer
    assert answer.passages[0].doc_id == "pay" and answer.timings_ms["total"] > 0


@pytest.mark.parametrize("text, state", [
    ("can an MA give injections in California?", "CA"), ("rules in WA", "WA"), ("and in texas", "TX"),
    ("is an MA the same as a PA", None), ("what can MAs do in Washington DC", "DC"),
    ("how much do ma make in west virginia", "WV"), ("ok so what about in OR", None),
    ("what does ma-r mean", "WA"), ("is an MA-C better than a cma", "WA"),
    ("do i need to be certified in cali", "CA"), ("ma jobs in seattle", "WA"), ("ma pay in chicago", "IL"),
    ("my friend austin is an ma", None), ("i need to calibrate the scale", None),
    # a code typed in lower case where a state ends the question; never a two-letter word
    ("do i need to be certified to work as an ma in ca", "CA"), ("ma pay in tx?", "TX"),
    ("im from nc, can i work", "NC"), ("what about in pa", None), ("is it hard in ma", None),
])
def test_state_detection(text, state):
    assert find_state(text) == state


def test_follow_up_detection():
    assert is_follow_up("and how much does it cost?") and is_follow_up("what about texas")
    assert is_follow_up("how long does it take?")
    assert not is_follow_up("what is the difference between the cma and the rma exam")
    # what is compared or counted was named before (blind8, read)
    assert is_follow_up("which one is quicker to finish school for") and is_follow_up("how many can i take at once")
    assert not is_follow_up("which is better cma or rma")


def test_fts_query_is_safe_for_any_input():
    assert fts_query('"; DROP TABLE passages; -- AND NEAR(') == '"drop" OR "table" OR "passages" OR "near"'
    assert fts_query(expand("ma cert")) == '"medical" OR "assistant" OR "certification"'
    assert expand("can u give shots as an MA") == "can you give shots as an medical assistant"
    assert expand("r u an ma-r or an ma-c") == "are you an ma-r or an ma-c"  # credentials stay whole


@pytest.mark.parametrize("question, subject", [
    ("what should i expect to make as a brand new ma", "pay"), ("what will i earn after school", "pay"),
    ("how much do mas make an hour", "pay"), ("what does it take to make it as an ma", None),
    ("what can i do to make sure i pass", None), ("how much do ma's make here on average", "pay"),
])
def test_a_question_about_pay_is_read_as_one(question, subject):
    """The subject ranks the pay guidance above a passage that shares the question's other words
    ("no experience" pulled the job-search advice above starting pay)."""
    from bot.answer.entities import subjects

    assert ("pay" in subjects(question)) is (subject == "pay")
