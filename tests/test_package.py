"""The package as an operator installs it: a wheel in a fresh virtual environment outside the
repository, from the locked requirements, building its index with deploy/build-index.sh and
answering. Slow by nature (it installs torch's CPU build): about 2-3 minutes on two cores."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("kb_assistant")  # its embedding cache spares re-embedding


def run(cmd, cwd, env, timeout=600):
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def files_code_reads() -> set[str]:
    """Every file under bot/ that is not Python source: the code opens each of them."""
    return {str(p.relative_to(ROOT)) for p in (ROOT / "bot").rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}


def installed_mb(venv: Path) -> float:
    return sum(p.stat().st_size for p in venv.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src)
    shutil.copytree(ROOT / "bot", src / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    out = run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(src / "dist")], src,
              dict(os.environ))
    assert out.returncode == 0, out.stderr[-2000:]
    return next((src / "dist").glob("careerbot-*.whl"))


def test_the_wheel_carries_every_file_the_code_reads(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert files_code_reads() and files_code_reads() <= names
    assert not any(n.startswith(("tests/", "knowledge/", "index/")) for n in names)


def test_a_fresh_install_builds_its_index_and_answers_outside_the_repository(wheel, tmp_path, kb_settings):
    venv = tmp_path / "venv"
    assert subprocess.run([sys.executable, "-m", "venv", str(venv)]).returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAREERBOT_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(PATH=f"{venv / 'bin'}:{env['PATH']}", PIP_RETRIES="0", PIP_DISABLE_PIP_VERSION_CHECK="1")
    work = tmp_path / "site"  # where the operator runs it: no checkout in sight
    shutil.copytree(ROOT / "knowledge", work / "knowledge")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]

    # Serving first: the locked serving set has no torch, so a missing index cannot be built,
    # and says how to fix that in one line.
    out = run([*pip, "-r", str(ROOT / "requirements" / "serve.lock"), str(wheel)], work, env)
    assert out.returncode == 0, out.stderr[-2000:]
    # The runtime image's budget: under 600 MB with python:3.11-slim (about 130 MB) and the
    # index (about 95 MB, most of it the ONNX encoder), so the serving set must stay well under 375.
    size_mb = installed_mb(venv)
    print(f"\nserving install (requirements/serve.lock + careerbot): {size_mb:.0f} MB")
    assert size_mb < 375
    out = run(["careerbot", "ask", "what is a cma"], work, env)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "careerbot[build]" in out.stderr

    # Then the build set, and the build-stage script the Dockerfile runs.
    out = run([*pip, "-r", str(ROOT / "requirements" / "build.lock")], work, env)
    assert out.returncode == 0, out.stderr[-2000:]
    cache = tmp_path / "build-data"
    cache.mkdir()
    shutil.copy(kb_settings.embedding_cache_path, cache / "embeddings.db")
    out = run(["sh", str(ROOT / "deploy" / "build-index.sh")], work, env | {"CAREERBOT_BUILD_DATA_DIR": str(cache)})
    assert out.returncode == 0, out.stdout + out.stderr
    assert "published v" in out.stdout and re.search(r"^careerbot \S+; index v", out.stdout, re.M)
    assert (work / "index" / "current" / "manifest.json").is_file()
    assert not (work / "data").exists()  # the embedding cache stayed out of the data directory

    out = run(["careerbot", "ask", "what is a cma"], work, env)
    assert out.returncode == 0, out.stderr
    assert "Certified Medical Assistant" in out.stdout and "Source:" in out.stdout
    located = run([str(venv / "bin" / "python"), "-c", "import bot; print(bot.__file__)"], work, env)
    assert located.stdout.startswith(str(venv))  # the installed package, not the checkout
