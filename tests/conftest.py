"""Shared fixtures: the real packaged model (loaded once), real FAISS indexes, real SQLite files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")

from bot.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KB = Path(__file__).parent / "fixtures" / "knowledge"


def make_settings(tmp: Path, knowledge: Path) -> Settings:
    base = Settings.from_env({})
    return Settings(data_dir=tmp / "data", knowledge_dir=knowledge, index_dir=tmp / "index",
                    model_path=base.model_path, model_id=base.model_id)


@pytest.fixture(scope="session")
def encoder():
    from bot.knowledge.embed import Encoder

    base = Settings.from_env({})
    return Encoder(base.model_dir(), base.model_id)


@pytest.fixture
def small_kb(tmp_path) -> Path:
    """A writable copy of the small fixture knowledge base."""
    dest = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KB, dest)
    return dest


@pytest.fixture(scope="session")
def gate_vectors(tmp_path_factory, encoder) -> Path:
    """An embedding cache holding the vectors of the gate's and the crisis classifier's examples
    (about 1,350 texts, 6 s to embed), so each small index a test builds fits its gate from it."""
    from bot.answer.gate import Gate
    from bot.knowledge.embed import EmbeddingCache

    path = tmp_path_factory.mktemp("gate") / "embeddings.db"
    cache = EmbeddingCache(path)
    Gate.from_examples(encoder, cache)
    cache.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    cache.db.close()
    return path


@pytest.fixture
def small_settings(tmp_path, small_kb, gate_vectors) -> Settings:
    settings = make_settings(tmp_path, small_kb)
    settings.embedding_cache_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(gate_vectors, settings.embedding_cache_path)
    return settings


@pytest.fixture
def small_assistant(small_settings, encoder):
    from bot.assistant import Assistant
    from bot.knowledge.admin import build_index

    report, error = build_index(small_settings, encoder)
    assert error is None, error
    return Assistant.create(small_settings)


@pytest.fixture(scope="session")
def kb_settings(tmp_path_factory) -> Settings:
    """Settings over the real knowledge base, with a session-wide index and embedding cache."""
    return make_settings(tmp_path_factory.mktemp("kb"), ROOT / "knowledge")


@pytest.fixture(scope="session")
def kb_assistant(kb_settings, encoder):
    from bot.assistant import Assistant
    from bot.knowledge.admin import build_index

    report, error = build_index(kb_settings, encoder)
    assert error is None, error
    return Assistant.create(kb_settings)


@pytest.fixture
def question_log(tmp_path):
    from bot.review.log import QuestionLog

    log = QuestionLog(tmp_path / "botdata")
    yield log
    log.close()


@pytest.fixture
def fake_api():
    from tests.bot_runner import TOKEN
    from tests.fake_bot_api import FakeBotAPI

    api = FakeBotAPI(TOKEN).start()
    yield api
    api.stop()


ADMIN_ID = 4242


@pytest.fixture
def telegram_bot(kb_assistant, question_log, fake_api, kb_settings):
    """The real Application answering from the real knowledge base, through the fake Bot API."""
    from bot.telegram.handlers import Services
    from bot.telegram.reindex import Reindexer
    from tests.bot_runner import BotRunner

    services = Services(assistant=kb_assistant, log=question_log, admins=frozenset({ADMIN_ID}),
                        reindex=Reindexer(kb_settings, question_log))
    runner = BotRunner(services, fake_api).start()
    yield runner
    runner.stop()


def pytest_terminal_summary(terminalreporter):
    """The reliability figures, at the end of the run (also recorded in the README)."""
    from tests.reliability.conftest import FIGURES

    if FIGURES:
        terminalreporter.section("reliability figures")
        for name, figures in FIGURES.items():
            terminalreporter.write_line(f"{name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))
