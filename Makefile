# careerbot: `make run` to chat (or serve Telegram when TELEGRAM_BOT_TOKEN is set), `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run typecheck test eval bench soak lock

# The locked set first (torch's CPU build included), so tests run on what a container installs.
$(STAMP): pyproject.toml requirements/build.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --retries 2 -r requirements/build.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/careerbot run

# mypy over the modules [tool.mypy] lists in pyproject.toml; about 17 s from a cold cache.
typecheck: $(STAMP)
	$(BIN)/mypy

test: typecheck
	$(BIN)/python -m pytest

eval: $(STAMP)
	$(BIN)/careerbot eval

bench: $(STAMP)
	$(BIN)/python bench/faq_groups.py
	$(BIN)/python bench/run.py

soak: $(STAMP)
	CAREERBOT_SOAK=1 $(BIN)/python -m pytest tests/reliability -s

# The locked sets a container or a platform installs (requirements/*.lock), from pyproject.toml:
# serve.lock answers (no torch); build.lock also builds the index, with torch's CPU build.
LOCK := $(BIN)/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --pip-args "--retries 0"
lock: $(STAMP)
	$(LOCK) --output-file requirements/serve.lock pyproject.toml
	$(LOCK) --extra build --constraint requirements/torch-cpu.txt --output-file requirements/build.lock pyproject.toml
	sed -i '1i --extra-index-url https://download.pytorch.org/whl/cpu' requirements/build.lock
