"""The encoders: batching concurrent questions, and the encoder process the server uses."""

import concurrent.futures as cf
import os
import signal

import numpy as np
import pytest

from bot.knowledge.embed import ProcessEncoder
from bot.settings import Settings


def test_concurrent_questions_share_batches_and_get_their_own_rows(encoder):
    questions = [f"how much does a medical assistant make in state number {i}" for i in range(24)]
    alone = encoder.encode(questions)
    calls = []
    original = encoder.model.encode

    def counting(texts, **kw):
        calls.append(len(texts))
        return original(texts, **kw)

    encoder.model.encode = counting
    try:
        with cf.ThreadPoolExecutor(8) as pool:
            rows = list(pool.map(lambda q: encoder.encode([q])[0], questions))
    finally:
        encoder.model.encode = original
    assert np.allclose(np.stack(rows), alone, atol=1e-5)
    assert sum(calls) == 24 and len(calls) < 24  # some questions rode in a shared batch


@pytest.fixture(scope="module")
def process_encoder():
    base = Settings.from_env({})
    enc = ProcessEncoder(base.model_path, base.model_id)
    yield enc
    enc.close()


def test_process_encoder_matches_and_survives_a_killed_child(process_encoder, encoder):
    texts = ["cma or rma?", "can an ma give injections in california"]
    assert process_encoder.dim == encoder.dim
    assert np.allclose(process_encoder.encode(texts), encoder.encode(texts), atol=1e-5)
    os.kill(process_encoder._proc.pid, signal.SIGKILL)
    process_encoder._proc.join(10)
    with pytest.raises(RuntimeError, match="restarted"):
        process_encoder.encode(texts)
    assert np.allclose(process_encoder.encode(texts), encoder.encode(texts), atol=1e-5)


def test_missing_model_directory_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="CAREERBOT_MODEL"):
        ProcessEncoder(tmp_path / "nope", "x")
