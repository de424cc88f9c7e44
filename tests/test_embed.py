"""The encoders: the ONNX export used to answer agrees with sentence-transformers, is reused while
the model is unchanged, and lets `careerbot ask` run with torch made unimportable."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from bot.answer.encoder import OnnxEncoder
from bot.errors import BuildError
from bot.knowledge.export import verify
from bot.knowledge.index import read_manifest

TEXTS = ["cma or rma?", "can an ma give injections in california",
         "how much does a medical assistant make per hour in a hospital compared with a clinic " * 8, "x"]


def _onnx(settings):
    manifest = read_manifest(settings.index_dir)
    return OnnxEncoder(settings.index_dir / manifest["encoder"], manifest["model_id"])


def test_onnx_vectors_match_sentence_transformers(small_assistant, small_settings, encoder):
    onnx = _onnx(small_settings)
    cos = np.sum(onnx.encode(TEXTS) * encoder.encode(TEXTS), axis=1)
    assert cos.min() >= 0.9999  # padding to the longest input and truncation at 256 tokens included
    one_by_one = np.vstack([onnx.encode([t]) for t in TEXTS])
    assert np.allclose(one_by_one, onnx.encode(TEXTS), atol=1e-5)  # batch padding changes nothing


def test_the_export_is_reused_and_recorded_in_the_manifest(small_assistant, small_settings, encoder):
    from bot.knowledge.admin import build_index

    first = read_manifest(small_settings.index_dir)
    folder = small_settings.index_dir / first["encoder"]
    mtime = (folder / "model.onnx").stat().st_mtime_ns
    report, error = build_index(small_settings, encoder, force=True)
    assert error is None and report.min_cosine >= 0.9999
    second = read_manifest(small_settings.index_dir)
    assert second["version"] != first["version"]
    assert second["encoder"] == first["encoder"] and second["model_hash"] == first["model_hash"]
    assert (folder / "model.onnx").stat().st_mtime_ns == mtime  # not exported again


def test_a_drifting_export_stops_the_build(small_assistant, small_settings, encoder):
    onnx = _onnx(small_settings)
    reference = encoder.encode(TEXTS)
    reference[1] = reference[0]  # as if the export disagreed on one passage
    with pytest.raises(BuildError, match="disagrees with sentence-transformers"):
        verify(onnx, TEXTS, reference, onnx.folder)


def test_ask_runs_with_torch_unimportable(small_assistant, small_settings, tmp_path):
    """Answering imports neither torch nor sentence-transformers: a blocker makes them fail."""
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    for name in ("torch", "sentence_transformers", "transformers", "sklearn"):
        (blocker / f"{name}.py").write_text(f"raise ImportError('{name} is not allowed when answering')\n")
    env = {**os.environ, "PYTHONPATH": f"{blocker}{os.pathsep}{os.getcwd()}",
           "CAREERBOT_DATA_DIR": str(small_settings.data_dir), "CAREERBOT_INDEX_DIR": str(small_settings.index_dir),
           "CAREERBOT_KNOWLEDGE_DIR": str(small_settings.knowledge_dir)}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "--json", "how much does the cma exam cost"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["status"] == "answered" and "$125" in answer["answer"]


def test_embedding_reports_progress_and_keeps_what_it_embedded(encoder, tmp_path):
    from bot.knowledge.embed import PROGRESS_EVERY, EmbeddingCache, embed_with_cache

    texts = [f"medical assistant question number {i}" for i in range(PROGRESS_EVERY * 2 + 3)]
    cache = EmbeddingCache(tmp_path / "cache.db")
    seen = []
    vectors, embedded = embed_with_cache(texts, encoder, cache, lambda done, total: seen.append((done, total)))
    total = len(texts)
    assert embedded == total and seen == [(PROGRESS_EVERY, total), (2 * PROGRESS_EVERY, total), (total, total)]
    again = []
    same, embedded = embed_with_cache(texts, encoder, cache, lambda *a: again.append(a))
    assert embedded == 0 and again == [] and np.allclose(same, vectors)
    cache.close()


def test_index_build_shows_progress_on_a_terminal(small_settings):
    import pty

    env = dict(os.environ, CAREERBOT_INDEX_DIR=str(small_settings.index_dir),
               CAREERBOT_DATA_DIR=str(small_settings.data_dir), CAREERBOT_KNOWLEDGE_DIR=str(small_settings.knowledge_dir))
    main, child = pty.openpty()
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "index", "build"], env=env, stderr=child,
                          stdout=subprocess.PIPE, text=True, timeout=600)
    os.close(child)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    passages = read_manifest(small_settings.index_dir)["passages"]
    assert proc.returncode == 0
    assert f"embedding passages: {passages} of {passages}".encode() in shown
