"""An index that heals itself: every file of a version is checked against the SHA-256 its manifest
recorded; a corrupt published version is passed over for the newest intact one (answers go on), a
refresh rebuilds it even with no document changed and never copies a file from it."""

import json
import logging

import numpy as np
import pytest

from bot.assistant import Assistant
from bot.errors import IndexUnavailable
from bot.knowledge.admin import build_index
from bot.knowledge.index import check_version, published_path, read_manifest, versions


def two_versions(settings, encoder):
    """Build, change one document, build again: (older, newer published)."""
    first, _ = build_index(settings, encoder)
    pay = settings.knowledge_dir / "pay.md"
    pay.write_text(pay.read_text() + "\nRevised.\n")
    second, _ = build_index(settings, encoder)
    return first.version, second.version


def corrupt(path):
    if path.suffix == ".json":
        path.write_text(path.read_text()[:40])  # cut short, as by a full disk
    else:
        data = bytearray(path.read_bytes())
        for i in range(0, len(data), max(1, len(data) // 64)):
            data[i] ^= 0xFF
        path.write_bytes(bytes(data))


@pytest.mark.parametrize("name", ["vectors.faiss", "passages.db", "gate.npz", "manifest.json"])
def test_a_corrupt_file_is_passed_over_and_answers_continue_from_the_previous_version(
        small_settings, encoder, name, caplog):
    older, newer = two_versions(small_settings, encoder)
    corrupt(small_settings.index_dir / newer / name)
    assert check_version(small_settings.index_dir / newer) is not None
    with caplog.at_level(logging.ERROR, logger="careerbot.index"):
        assistant = Assistant.create(small_settings)
        answer = assistant.ask("how much do medical assistants make")
    assert answer.status == "answered" and answer.index_version == older
    lines = [r.getMessage() for r in caplog.records if r.name == "careerbot.index"]
    assert len(lines) == 1 and newer in lines[0] and older in lines[0] and "refresh" in lines[0]


def test_no_intact_version_stops_with_one_clear_line(small_settings, encoder):
    build_index(small_settings, encoder)
    corrupt(published_path(small_settings.index_dir) / "passages.db")
    with pytest.raises(IndexUnavailable, match="no intact index version.*passages.db.*index build"):
        Assistant.create(small_settings)


def test_passages_db_overwritten_while_serving_moves_answers_to_an_intact_version(small_settings, encoder):
    import sqlite3

    older, newer = two_versions(small_settings, encoder)
    assistant = Assistant.create(small_settings)
    assert assistant.ask("how much do medical assistants make").index_version == newer
    db = small_settings.index_dir / newer / "passages.db"
    db.write_bytes(b"\0" * db.stat().st_size)
    # SQLite keeps the pages it has read; a fresh connection is what a page not yet cached meets.
    loaded = assistant.store.get()
    loaded.db = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    during = assistant.ask("what does a medical assistant earn")   # the question that finds out
    after = assistant.ask("how much do medical assistants make")
    assert during.status == "answered"  # on dense search alone
    assert after.status == "answered" and after.index_version == older
    restarted = Assistant.create(small_settings).ask("how much do medical assistants make")
    assert restarted.index_version == older


def test_refresh_rebuilds_a_corrupt_published_version_without_copying_its_gate(small_settings, encoder, caplog):
    first, _ = build_index(small_settings, encoder)
    gate = small_settings.index_dir / first.version / "gate.npz"
    corrupt(gate)
    report, error = build_index(small_settings, encoder, force=False)  # no document changed
    assert error is None and report.published and report.version != first.version
    new = published_path(small_settings.index_dir)
    assert check_version(new) is None
    with np.load(new / "gate.npz") as fitted:  # fitted again, not the corrupt copy
        assert set(fitted.files) == {"weights", "bias", "crisis_terms", "crisis_idf", "crisis_ngram_weights",
                                     "crisis_vector_weights", "crisis_bias"}
    assert (new / "gate.npz").read_bytes() != gate.read_bytes()
    again, _ = build_index(small_settings, encoder, force=False)
    assert not again.published  # intact and unchanged: nothing to do


def test_manifest_records_a_hash_for_every_file(small_settings, encoder):
    build_index(small_settings, encoder)
    path = published_path(small_settings.index_dir)
    manifest = read_manifest(small_settings.index_dir)
    assert set(manifest["files"]) == {p.name for p in path.iterdir()} - {"manifest.json"}
    assert {"model.onnx", "tokenizer.json"} <= set(manifest["encoder_files"])


def test_index_verify_names_the_corrupt_version_and_file(small_settings, encoder, monkeypatch, capsys):
    from bot.cli import main

    older, newer = two_versions(small_settings, encoder)
    monkeypatch.setenv("CAREERBOT_INDEX_DIR", str(small_settings.index_dir))
    assert main(["index", "verify"]) == 0
    assert capsys.readouterr().out.count("intact") == 2
    corrupt(small_settings.index_dir / newer / "vectors.faiss")
    assert main(["index", "verify"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{newer} (published): ") and "vectors.faiss" in out[0]
    assert out[1] == f"{older}: intact"
