"""Chunking: one passage per heading, title and heading kept, short merged, long split at sentences."""

import datetime as dt
from dataclasses import replace
from pathlib import Path

from bot.knowledge.passages import MAX_WORDS, MIN_WORDS, meta_problems, sentences, split_document, words
from bot.types import Document


def doc(body: str) -> Document:
    return Document(id="d", title="Doc title", topic="job", sources=("src",), reviewed_on=dt.date(2026, 1, 1),
                    reviewed_by="r", status="published", states=(), body=body, path=Path("d.md"))


def sentence(i: int) -> str:
    return f"Sentence number {i} tells the reader one more useful thing about the job today."


def test_split_at_headings_keeps_title_and_heading():
    intro = " ".join(sentence(i) for i in range(5))
    part = " ".join(sentence(i) for i in range(5, 10))
    passages = split_document(doc(f"{intro}\n\n## First part\n\n{part}\n"))
    assert [p.section for p in passages] == ["Doc title", "First part"]
    assert passages[1].embed_text.startswith("Doc title: First part.")
    assert passages[0].embed_text.startswith("Doc title.")


def test_short_sections_are_merged():
    long = " ".join(sentence(i) for i in range(6))
    passages = split_document(doc(f"{long}\n\n## Tiny\n\nJust a few words here.\n\n## Big\n\n{long}\n"))
    assert len(passages) == 2
    assert "Tiny: Just a few words here." in passages[0].text
    assert all(words(p.text) >= MIN_WORDS for p in passages)


def test_long_sections_split_at_sentence_boundaries():
    body = "## Long\n\n" + " ".join(sentence(i) for i in range(60))
    passages = split_document(doc(body))
    assert len(passages) >= 4
    for p in passages:
        assert words(p.text) <= MAX_WORDS
        assert p.text.endswith("today.")  # never cut mid-sentence
        assert p.section.startswith("Long (")
    assert " ".join(p.text for p in passages) == " ".join(sentence(i) for i in range(60))


def test_markdown_is_cleaned_for_reading():
    body = "## Steps\n\n- **Finish** the program\n- Pass the [exam](http://x)\n\n" + " ".join(
        sentence(i) for i in range(4))
    text = split_document(doc(body))[0].text
    assert "• Finish the program" in text and "Pass the exam" in text and "**" not in text


def test_a_section_of_a_several_state_document_is_about_the_states_it_names():
    filler = " ".join(sentence(i) for i in range(4))
    body = (f"Several states have rules of their own. {filler}\n\n"
            f"## North Dakota\n\nNorth Dakota limits medication tasks to credentialed staff. {filler}\n\n"
            f"## Both\n\nSouth Dakota and Delaware each keep a list of approved programs. {filler}\n")
    several = Document(id="d", title="Doc title", topic="scope", sources=("src",), reviewed_on=dt.date(2026, 1, 1),
                       reviewed_by="r", status="published", states=("SD", "ND", "DE"), body=body, path=Path("d.md"))
    assert [p.states for p in split_document(several)] == [("SD", "ND", "DE"), ("ND",), ("SD", "DE")]


def test_a_section_declares_the_gaps_near_it_by_name():
    filler = " ".join(sentence(i) for i in range(4))
    body = (f"{filler}\n\n## Where MAs work\n<!--\nasks:\n  - where do mas work\ngaps:\n"
            f"  working from home as an MA:\n    - can an ma work from home\n    - remote ma jobs\n-->\n\n{filler}\n")
    passages = split_document(doc(body))
    assert [(g.name, g.question) for g in passages[1].gaps] == [
        ("working from home as an MA", "can an ma work from home"), ("working from home as an MA", "remote ma jobs")]
    assert passages[1].asks == ("where do mas work",) and passages[0].gaps == ()


def test_a_malformed_gaps_list_is_reported_with_how_to_write_it():
    body = f"## Where MAs work\n<!--\ngaps:\n  - can an ma work from home\n-->\n\n{sentence(1)}\n"
    [(line, message)] = meta_problems(doc(body))
    assert line == 1 and "under 'Where MAs work'" in message and "working from home as an MA:" in message


def test_abbreviations_do_not_end_a_sentence():
    text = ("An MA works under a provider on the premises (Cal. Business and Professions Code 2069-2070). "
            "Mt. Hood Community College runs a program. The U.S. Bureau of Labor Statistics counts MAs. "
            "No. You do not need college first.")
    assert sentences(text) == [
        "An MA works under a provider on the premises (Cal. Business and Professions Code 2069-2070).",
        "Mt. Hood Community College runs a program.", "The U.S. Bureau of Labor Statistics counts MAs.",
        "You do not need college first."]


def test_an_editorial_section_credits_its_uncited_sentences_to_the_editors():
    """`sources: editorial`: general advice no source gives is not credited to the section's first
    source (the FAFSA advice had been credited to a page comparing program costs); a sentence that
    cites a source still credits it."""
    from bot.knowledge.passages import EDITORIAL

    base = Document(id="d", title="Doc title", topic="job", sources=("BLS wage data, via healthjob.org (2024)",),
                    reviewed_on=dt.date(2026, 1, 1), reviewed_by="r", status="published", states=(),
                    body="", path=Path("d.md"))
    advice = " ".join(sentence(i) for i in range(4))
    body = (f"## Questions to ask\n<!--\nsources: editorial\n-->\n\n{advice} Pay was about $21 an hour "
            f"(BLS data, via healthjob.org). Ask about the schedule before you say yes.\n")
    (passage,) = split_document(replace(base, body=body))
    by_sentence = dict(zip(sentences(passage.text), passage.cites))
    assert {passage.sources[i] for i in by_sentence["Ask about the schedule before you say yes."]} == {EDITORIAL}
    cited = next(s for s in by_sentence if "$21" in s)
    assert {passage.sources[i] for i in by_sentence[cited]} == {base.sources[0]}
    unmarked = body.replace("sources: editorial", "sources: [1]")
    assert EDITORIAL not in split_document(replace(base, body=unmarked))[0].sources


def test_a_sources_value_that_is_neither_numbers_nor_editorial_says_how_to_write_it():
    problems = meta_problems(doc("## Part\n<!--\nsources: the bls\n-->\n\n" + sentence(1) + "\n"))
    assert any("editorial" in what for _, what in problems)
