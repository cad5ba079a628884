# Two commands on a fresh machine: `make run` and `make test`. Everything else is optional.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint type golden-update bench clean

$(STAMP): requirements.txt requirements-dev.txt setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python tools/demo.py

test: install
	bash tools/ensure-sshd.sh
	$(BIN)/ruff check edi processor tests tools
	$(BIN)/mypy
	$(BIN)/pytest -q -n 2

lint: install
	$(BIN)/ruff check edi processor tests tools

type: install
	$(BIN)/mypy

golden-update: install
	GOLDEN_UPDATE=1 $(BIN)/pytest -q tests/golden

clean:
	rm -rf $(VENV) var build *.egg-info
