# Two commands on a fresh machine: `make run` and `make test`. Everything else is optional.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint type golden-update bench fuzz clean

# Tests of work still in progress, kept in the tree but not yet part of `make test` (none at the moment);
# e.g. WIP=--ignore=tests/some_test.py, run them anyway with `make test WIP=`.
WIP ?=

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
	bash tools/ensure-postgres.sh
	$(BIN)/ruff check edi processor tests tools
	$(BIN)/mypy
	$(BIN)/pytest -q -n 2 $(WIP)

lint: install
	$(BIN)/ruff check edi processor tests tools

type: install
	$(BIN)/mypy

golden-update: install
	GOLDEN_UPDATE=1 $(BIN)/pytest -q tests/golden

# Benchmarks (not tests): generated inputs, one process per measurement, pinned to one core; the table
# is printed and saved as bench/results.md. QUICK=1 scales the inputs down 10x (minutes instead of ~12).
bench: $(STAMP)
	bash tools/ensure-postgres.sh
	$(BIN)/python -m bench.run $(if $(QUICK),--quick)

# The long fuzz run (not a test; `make test` runs a short, fixed profile of the same properties): FUZZ_INPUTS
# fresh inputs through the validator, the acknowledgments, translation and, every 200 inputs, a whole batch;
# prints the counts and exits 1 if any input raised or hung (each one saved under var/fuzz with its traceback).
# About 0.03 s of CPU per input: the default 100,000 take some 25 minutes on two free cores.
FUZZ_INPUTS ?= 100000
FUZZ_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
fuzz: $(STAMP)
	$(BIN)/python tools/fuzz.py --inputs $(FUZZ_INPUTS) --jobs $(FUZZ_JOBS)

clean:
	rm -rf $(VENV) var build *.egg-info
