# careerbot: `make run` to chat (or serve Telegram when TELEGRAM_BOT_TOKEN is set), `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test eval bench soak

$(STAMP): pyproject.toml requirements/torch-cpu.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --retries 2 -r requirements/torch-cpu.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/careerbot run

test: $(STAMP)
	$(BIN)/python -m pytest

eval: $(STAMP)
	$(BIN)/careerbot eval

bench: $(STAMP)
	$(BIN)/python bench/faq_groups.py
	$(BIN)/python bench/run.py

soak: $(STAMP)
	CAREERBOT_SOAK=1 $(BIN)/python -m pytest tests/reliability -s
