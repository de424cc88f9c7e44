"""Front matter validation: every problem names the file, the line and field, and what to do."""

import datetime as dt
from pathlib import Path

import pytest

from bot.knowledge.load import KnowledgeError, load_documents, load_publishable, parse

GOOD = """---
id: sample
title: A sample
topic: pay
sources:
  - "BLS, May 2024"
reviewed_on: 2026-01-02
reviewed_by: A. Reviewer
status: published
---

Some body text.
"""


def problems_for(tmp_path: Path, text: str, name: str = "sample.md"):
    path = tmp_path / name
    path.write_text(text)
    doc, problems = parse(path, today=dt.date(2026, 6, 1))
    return doc, problems


def test_good_document_parses(tmp_path):
    doc, problems = problems_for(tmp_path, GOOD)
    assert problems == []
    assert doc.id == "sample" and doc.reviewed_on == dt.date(2026, 1, 2) and doc.publishable


@pytest.mark.parametrize("old, new, field, hint", [
    ("reviewed_by: A. Reviewer\n", "", "reviewed_by", "missing"),
    ("reviewed_on: 2026-01-02", "reviewed_on: last tuesday", "reviewed_on", "YYYY-MM-DD"),
    ("reviewed_on: 2026-01-02", "reviewed_on: 2027-01-02", "reviewed_on", "future"),
    ("topic: pay", "topic: money", "topic", "use one of"),
    ("id: sample", "id: other-name", "id", "rename the file"),
    ("id: sample", "id: Not_Valid", "id", "lowercase"),
    ("status: published", "status: live", "status", "'draft' or 'published'"),
    ("status: published", "status: published\nreviewd_on: 2026-01-01", "reviewd_on", "not a known field"),
    ("status: published", "status: published\nstates: [CA, XX]", "states", "two-letter"),
    ("sources:\n  - \"BLS, May 2024\"\n", "", "sources", "missing"),
    ("status: published", "status: published\nshort_title: A label far too long to show on one button", "short_title",
     "keep it to 32"),
    ("status: published", "status: published\norder: 0", "order", "whole number from 1"),
    ("status: published", "status: published\norder: first", "order", "whole number from 1"),
])
def test_each_problem_names_field_line_and_fix(tmp_path, old, new, field, hint):
    text = GOOD.replace(old, new)
    assert text != GOOD
    doc, problems = problems_for(tmp_path, text)
    assert doc is None
    mine = [p for p in problems if p.field == field]
    assert mine, problems
    message = str(mine[0])
    assert "sample.md" in message and hint in message
    if field in text:  # the line number points at the field's own line
        assert text.splitlines()[mine[0].line - 1].startswith(field)


def test_short_title_and_order_are_read(tmp_path):
    doc, problems = problems_for(tmp_path, GOOD.replace("status: published", "status: published\nshort_title: Sample\norder: 3"))
    assert problems == [] and doc.short_title == "Sample" and doc.order == 3


def test_invalid_yaml_reports_line(tmp_path):
    doc, problems = problems_for(tmp_path, GOOD.replace("title: A sample", "title: [unclosed"))
    assert doc is None and problems[0].field == "front matter" and "YAML" in problems[0].message
    assert problems[0].line >= 2


def test_missing_front_matter(tmp_path):
    doc, problems = problems_for(tmp_path, "Just text\n")
    assert doc is None and "---" in problems[0].message


def test_draft_may_lack_review_fields_but_is_not_publishable(tmp_path):
    text = "---\nid: sample\ntitle: T\ntopic: job\nstatus: draft\n---\n\nBody.\n"
    doc, problems = problems_for(tmp_path, text)
    assert problems == [] and not doc.publishable


def test_duplicate_ids_and_all_problems_listed(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "sample.md").write_text(GOOD)
    (tmp_path / "a" / "sample.md").write_text(GOOD)
    (tmp_path / "broken.md").write_text(GOOD.replace("id: sample", "id: broken").replace("topic: pay", "topic: x"))
    docs, problems = load_documents(tmp_path, today=dt.date(2026, 6, 1))
    assert {p.field for p in problems} == {"id", "topic"}
    with pytest.raises(KnowledgeError) as err:
        load_publishable(tmp_path, today=dt.date(2026, 6, 1))
    assert "broken.md" in str(err.value) and "unique" in str(err.value)


def test_fixture_kb_skips_drafts():
    from tests.conftest import FIXTURE_KB

    docs = load_publishable(FIXTURE_KB)
    assert sorted(d.id for d in docs) == ["california-injections", "cma-exam", "injections", "pay"]


def test_a_file_that_is_not_utf8_is_a_problem_with_its_line(tmp_path):
    (tmp_path / "sample.md").write_text(GOOD)
    (tmp_path / "latin.md").write_bytes(GOOD.replace("sample", "latin").encode() + "Caf\u00e9\n".encode("latin-1"))
    docs, problems = load_documents(tmp_path, dt.date(2026, 6, 1))
    assert [d.id for d in docs] == ["sample"]
    assert len(problems) == 1 and "latin.md:13: encoding: is not UTF-8" in str(problems[0])
    assert "save the file as UTF-8" in str(problems[0])


def test_links_that_loop_or_lead_nowhere_are_problems_not_crashes(tmp_path):
    (tmp_path / "sample.md").write_text(GOOD)
    (tmp_path / "a.md").symlink_to(tmp_path / "b.md")
    (tmp_path / "b.md").symlink_to(tmp_path / "a.md")
    (tmp_path / "gone.md").symlink_to(tmp_path / "deleted.md")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path, target_is_directory=True)
    docs, problems = load_documents(tmp_path, dt.date(2026, 6, 1))
    assert [d.id for d in docs] == ["sample"]
    text = "\n".join(str(p) for p in problems)
    assert f"{tmp_path / 'a.md'}: link: is a symlink loop" in text and f"{tmp_path / 'b.md'}: link:" in text
    assert f"{tmp_path / 'gone.md'}: link: points to {tmp_path / 'deleted.md'}, which does not exist" in text
    assert f"{tmp_path / 'sub' / 'up'}: link: leads back to" in text
    assert len(problems) == 4


def test_a_document_over_200_kb_is_refused_with_its_size(tmp_path):
    big = tmp_path / "big.md"
    big.write_text(GOOD.replace("sample", "big") + "Padding sentence for size. " * 20_000)
    with pytest.raises(KnowledgeError) as caught:
        load_publishable(tmp_path, dt.date(2026, 6, 1))
    size = big.stat().st_size
    assert f"big.md: size: is {size:,} bytes; a document may be at most 200 KB" in str(caught.value)
