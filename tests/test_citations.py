"""Citations: each sentence cites the front-matter sources its own parenthetical (or the next one in
its paragraph) names, and an answer's Source line lists only those, each once, the review date once."""


from bot.answer import render
from bot.cli import main
from bot.knowledge import citations
from bot.knowledge.load import parse, warnings
from bot.knowledge.passages import sentences
from bot.types import Answer, Source
from tests.conftest import ROOT

SOURCES = (
    "American Association of Medical Assistants (AAMA), CMA (AAMA) exam application steps: aama-ntl.org (current)",
    "American Medical Technologists (AMT), Stay Certified: americanmedtech.org (current)",
    "certilyst.com, CMA (AAMA) exam guide (accessed 2026)",
    "AAMA legal counsel, aamalegaleye.wordpress.com (2019, 2022)",
)


def cited(text: str, section: tuple[int, ...] = (1, 2, 3)) -> list[list[int]]:
    """1-based positions each sentence of a one-paragraph text cites."""
    per_sentence = citations.sentence_sources([sentences(text)], SOURCES, section)
    return [[i + 1 for i in c] for c in per_sentence]


def test_a_credential_name_or_a_spelled_out_acronym_is_not_a_citation():
    text = ("The CMA (AAMA) comes from the American Association of Medical Assistants. The RMA comes from "
            "American Medical Technologists (AMT). Both renew on a cycle (certilyst.com).")
    assert [c.text for c in citations.read(text, SOURCES)] == ["(certilyst.com)"]
    # So the first two sentences are covered by the paragraph's citation, not by "(AAMA)" or "(AMT)".
    assert cited(text) == [[3], [3], [3]]
    assert list(citations.read("The CCMA (Certified Clinical Medical Assistant) is from the NHA.", SOURCES)) == []


def test_a_sentence_cites_its_own_parenthetical_else_the_next_in_its_paragraph():
    text = ("The exam has 200 questions (AAMA). It takes 160 minutes. You need a scaled 430 "
            "(AAMA legal counsel, 2019; certilyst.com).")
    # "AAMA" alone is the association (in the section's list); "AAMA legal counsel" its counsel.
    assert cited(text) == [[1], [3, 4], [3, 4]]


def test_a_citation_naming_no_source_falls_back_to_the_section_sources():
    assert cited("The cycle is 5 years (the bodies' sites).", section=(1, 2)) == [[1, 2]]
    assert cited("The cycle is 5 years (AMT; an unnamed forum).", section=(1, 3)) == [[1, 2, 3]]
    assert cited("No citation anywhere in this paragraph.", section=(2,)) == [[2]]
    assert list(citations.unmatched("The cycle is 5 years (AMT; an unnamed forum).", SOURCES)) == [
        (21, "an unnamed forum")]


def test_a_date_after_a_name_cites_the_name():
    text = "One prep site, open-exam-prep.com (2026), lists $250. AAMA legal counsel (2017) says so."
    sources = (*SOURCES, "open-exam-prep.com, CMA exam fees (2026)")
    found = [sorted(c.sources) for c in citations.read(text, sources)]
    assert found == [[4], [3]]


def test_every_citation_in_the_knowledge_base_names_a_source_but_a_few():
    docs = [parse(p)[0] for p in sorted((ROOT / "knowledge").glob("*.md"))]
    warned = [w for d in docs if d is not None for w in warnings(d)]
    # Measured: 4 of about 400 citations (README, Knowledge): nhanow.com, "the bodies' sites" three times.
    assert len(docs) == 59 and len(warned) <= 4


def test_the_warning_names_file_line_and_citation_and_does_not_block(tmp_path, monkeypatch, capsys):
    kb = tmp_path / "knowledge"
    kb.mkdir()
    (kb / "fees.md").write_text(
        "---\nid: fees\ntitle: Fees\ntopic: certification\nsources:\n  - \"mometrix.com, CMA guide (2026)\"\n"
        "reviewed_on: 2026-01-02\nreviewed_by: A. Reviewer\nstatus: published\n---\n\n"
        "The CMA exam costs $125 for members\nand $250 for others (mometrix.com; madeup-prep.com, 2024).\n")
    monkeypatch.setenv("CAREERBOT_KNOWLEDGE_DIR", str(kb))
    monkeypatch.setenv("CAREERBOT_DATA_DIR", str(tmp_path / "data"))
    assert main(["knowledge", "check"]) == 0
    out = capsys.readouterr().out
    assert f"warning: {kb / 'fees.md'}:13: citation:" in out and "'madeup-prep.com, 2024'" in out
    assert "add the source to sources" in out and "1 warning(s)" in out


def test_cma_or_rma_shows_only_the_sources_its_sentences_cite(kb_assistant):
    answer = kb_assistant.ask("cma or rma which is better")
    assert answer.body.endswith("(AAMA; AMT; certilyst.com; mometrix.com; open-exam-prep.com, 2026).")
    shown = [s.source.split(",")[0] for s in answer.sources]
    assert shown == ["American Association of Medical Assistants (AAMA)", "American Medical Technologists (AMT)",
                     "open-exam-prep.com", "certilyst.com", "mometrix.com"]  # the front matter's order
    assert "vivian.com" not in answer.answer and "Older medical assisting textbook" not in answer.answer
    assert answer.answer.count("reviewed 2026-11-26") == 1
    # "More" shows the whole section, so all it cites, the fees sentence's vivian.com and textbook too.
    more = kb_assistant.more(answer.more_ref)
    assert more is not None and len(more.sources) == 7 and "vivian.com" in more.answer


def test_the_reviewed_date_is_said_once_per_document_and_escaped():
    answer = Answer(status="answered", answer="", body="Body.", sources=[
        Source("a", "A", "mometrix.com (2026)", "2026-11-26"), Source("a", "A", "R&D <guide>", "2026-11-26"),
        Source("b", "B", "BLS, May 2024", "2026-01-15")])
    assert render.source_line(answer) == ("Source: mometrix.com (2026); R&D <guide> · reviewed 2026-11-26; "
                                          "BLS, May 2024 · reviewed 2026-01-15")
    assert ("<b>Source:</b> mometrix.com (2026); R&amp;D &lt;guide&gt; · reviewed 2026-11-26; "
            "BLS, May 2024 · reviewed 2026-01-15") in render.to_html(answer)
