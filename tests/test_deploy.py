"""The deployment files: the Dockerfile (linted with hadolint; Docker cannot run here), compose,
and the locked requirements a container or a platform installs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def stages() -> list[str]:
    return re.split(r"^FROM ", DOCKERFILE, flags=re.M)[1:]


def locked(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements" / name).read_text().splitlines():
        if m := re.match(r"^([A-Za-z0-9._-]+)==(\S+)", line):
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def requirement_names(specs: list[str]) -> set[str]:
    return {re.match(r"[A-Za-z0-9._-]+", s).group(0).lower().replace("_", "-") for s in specs}


def test_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    out = subprocess.run([hadolint, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_dockerfile_builds_the_index_in_one_stage_and_serves_without_torch_in_the_next():
    build, runtime = stages()
    assert build.split()[0] == runtime.split()[0] == "${PYTHON_IMAGE}" and " AS build" in build.splitlines()[0]
    assert "requirements/build.lock" in build and "deploy/build-index.sh" in build
    assert "build.lock" not in runtime and "torch" not in runtime.lower()
    assert "COPY --from=build /opt/serve " in runtime and "COPY --from=build /opt/index " in runtime
    user = re.search(r"^USER (\S+)", runtime, re.M).group(1)
    assert user.split(":")[0] not in ("0", "root")
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", runtime, re.M)
    assert re.search(r'^VOLUME \["/data"\]', runtime, re.M) and "CAREERBOT_DATA_DIR=/data" in runtime


def test_compose_runs_the_bot_and_the_counselor_view_on_one_named_volume_read_only():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    bot, faq = compose["services"]["bot"], compose["services"]["faq"]
    (volume,) = compose["volumes"]
    assert f"{volume}:/data" in bot["volumes"]
    assert f"{volume}:/data:ro" in faq["volumes"]
    assert faq["command"][:3] == ["careerbot", "faq", "serve"]


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".venv", "index", "data", ".git"} <= ignored


def test_locks_pin_every_dependency_and_torch_is_the_cpu_build():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    serve, build = locked("serve.lock"), locked("build.lock")
    assert requirement_names(project["dependencies"]) <= set(serve)
    assert requirement_names(project["dependencies"] + project["optional-dependencies"]["build"]) <= set(build)
    assert not {"torch", "sentence-transformers", "scikit-learn", "transformers"} & set(serve)
    assert build["torch"].endswith("+cpu") and not any(n.startswith("nvidia") for n in build)
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in (ROOT / "requirements/build.lock").read_text()
    # What both sets share is pinned alike: the image's two environments agree.
    assert {n: v for n, v in serve.items() if n in build} == {n: build[n] for n in serve if n in build}


def test_requirements_txt_installs_the_serving_set_and_the_package():
    lines = [x for x in (ROOT / "requirements.txt").read_text().splitlines() if x and not x.startswith("#")]
    assert lines == ["-r requirements/serve.lock", "."]
