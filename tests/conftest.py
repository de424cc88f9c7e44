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
    from bot.embed import Encoder

    base = Settings.from_env({})
    return Encoder(base.model_path, base.model_id)


@pytest.fixture
def small_kb(tmp_path) -> Path:
    """A writable copy of the small fixture knowledge base."""
    dest = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KB, dest)
    return dest


@pytest.fixture
def small_settings(tmp_path, small_kb) -> Settings:
    return make_settings(tmp_path, small_kb)


@pytest.fixture
def small_assistant(small_settings, encoder):
    from bot.assistant import Assistant
    from bot.cli import build_index

    report, error = build_index(small_settings, encoder)
    assert error is None, error
    return Assistant.create(small_settings, encoder)


@pytest.fixture(scope="session")
def kb_settings(tmp_path_factory) -> Settings:
    """Settings over the real knowledge base, with a session-wide index and embedding cache."""
    return make_settings(tmp_path_factory.mktemp("kb"), ROOT / "knowledge")


@pytest.fixture(scope="session")
def kb_assistant(kb_settings, encoder):
    from bot.assistant import Assistant
    from bot.cli import build_index

    report, error = build_index(kb_settings, encoder)
    assert error is None, error
    return Assistant.create(kb_settings, encoder)
