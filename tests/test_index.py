"""Index build and publish: cache hits, atomic publish, manifest checks, status without torch."""

import json
import os
import subprocess
import sys

import pytest

from bot.knowledge.admin import build_index
from bot.knowledge.index import IndexStore, IndexUnavailable, LoadedIndex, published_path, read_manifest, versions


def test_build_publishes_a_complete_version(small_settings, encoder):
    report, error = build_index(small_settings, encoder)
    assert error is None and report.published
    path = published_path(small_settings.index_dir)
    assert path.name == report.version
    assert {"vectors.faiss", "passages.db", "manifest.json"} <= {p.name for p in path.iterdir()}
    manifest = read_manifest(small_settings.index_dir)
    assert manifest["documents"] == 4 and manifest["dim"] == 384
    assert manifest["model_id"] == small_settings.model_id
    loaded = LoadedIndex(path, small_settings.model_id, 384)
    assert loaded.faiss.ntotal == manifest["passages"] == len(loaded.passages)
    assert "externship-tips" not in loaded.documents  # drafts never enter an index
    assert loaded.lexical('"premises"', 5)  # the FTS5 table answers


def test_rebuild_reuses_cached_vectors_and_embeds_only_changes(small_settings, encoder):
    first, _ = build_index(small_settings, encoder)
    assert first.passages_embedded == first.passages_reused + first.passages_embedded > 0
    second, _ = build_index(small_settings, encoder)
    assert second.passages_embedded == 0 and second.passages_reused == first.passages_embedded
    pay = small_settings.knowledge_dir / "pay.md"
    pay.write_text(pay.read_text().replace("$43,880", "$43,880 (BLS, May 2024)"))
    third, _ = build_index(small_settings, encoder)
    assert third.passages_embedded == 1 and third.changed == 1 and third.unchanged == 3


def test_publish_is_one_atomic_symlink_swap(small_settings, encoder):
    first, _ = build_index(small_settings, encoder)
    store = IndexStore(small_settings.index_dir, small_settings.model_id, 384)
    old = store.get()
    (small_settings.knowledge_dir / "pay.md").unlink()
    second, _ = build_index(small_settings, encoder)
    assert second.removed == 1 and second.version != first.version
    link = small_settings.index_dir / "current"
    assert link.is_symlink() and os.readlink(link) == second.version
    new = store.get()
    assert new is not old and new.version == second.version  # picked up without a restart
    assert old.passages  # the old version still serves anything in flight
    assert not [p for p in small_settings.index_dir.iterdir() if ".building-" in p.name]


def test_invalid_document_stops_the_build_and_keeps_the_published_index(small_settings, encoder):
    first, _ = build_index(small_settings, encoder)
    bad = small_settings.knowledge_dir / "pay.md"
    bad.write_text(bad.read_text().replace("reviewed_on: 2026-01-15", "reviewed_on: soon"))
    report, error = build_index(small_settings, encoder)
    assert report is None and "pay.md" in error and "reviewed_on" in error
    assert read_manifest(small_settings.index_dir)["version"] == first.version
    assert versions(small_settings.index_dir) == [first.version]


def test_old_versions_are_pruned_keeping_three(small_settings, encoder):
    made = []
    for i in range(5):
        pay = small_settings.knowledge_dir / "pay.md"
        pay.write_text(pay.read_text() + f"\nRevision {i}.\n")
        made.append(build_index(small_settings, encoder)[0].version)
    assert versions(small_settings.index_dir) == made[-3:]


def test_manifest_model_mismatch_fails_clearly(small_settings, encoder):
    build_index(small_settings, encoder)
    path = published_path(small_settings.index_dir)
    with pytest.raises(IndexUnavailable) as err:
        LoadedIndex(path, "some-other-model", 768)
    assert "careerbot index build" in str(err.value) and "some-other-model" in str(err.value)


def test_no_published_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexUnavailable, match="careerbot index build"):
        IndexStore(tmp_path, "m").get()


def test_index_status_does_not_import_torch(small_settings, encoder):
    build_index(small_settings, encoder)
    code = ("import sys, json; from bot.cli import main; rc = main(['index', 'status', '--json']); "
            "assert 'torch' not in sys.modules and 'faiss' not in sys.modules; sys.exit(rc)")
    env = dict(os.environ, CAREERBOT_INDEX_DIR=str(small_settings.index_dir),
               CAREERBOT_DATA_DIR=str(small_settings.data_dir))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["version"] == read_manifest(small_settings.index_dir)["version"]


def test_gate_is_stored_with_each_version_and_reused_when_its_examples_are_unchanged(small_settings, encoder):
    first, _ = build_index(small_settings, encoder)
    (small_settings.knowledge_dir / "pay.md").unlink()
    second, _ = build_index(small_settings, encoder)
    gates = [(small_settings.index_dir / v / "gate.npz").read_bytes() for v in (first.version, second.version)]
    assert gates[0] == gates[1]
    loaded = LoadedIndex(published_path(small_settings.index_dir), small_settings.model_id, 384)
    assert loaded.gate is not None
