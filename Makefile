# Two entry points for people and CI; see README.md.
#   make run   set up everything (system packages, .venv) and build the example leaflets into out/
#   make test  set up everything and run the whole test suite (lint included)
#   make test-fast  the same without the slow tests, for an edit loop
#   make translations  extract the fixed strings, update every catalogue, check they compile
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test test-fast translations setup system-deps clean

run: setup
	$(VENV)/bin/leafletgen build

# tests run in TEST_WORKERS processes (pytest-xdist), a fixed count so a run is the same on
# every machine; each test file runs whole in one process, so its fixtures are made once
TEST_WORKERS ?= 2
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist loadfile

test: setup
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy
	$(VENV)/bin/python -m pytest $(PYTEST_PARALLEL)

# the edit loop: lint and the tests that render little (< 30 s); CI runs `make test`
test-fast: setup
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy
	$(VENV)/bin/python -m pytest -q -m "not slow" $(PYTEST_PARALLEL)

# message catalogues (styles/locale/): after changing a template's or variant's text, then
# translate the new strings in each .po file; builds read the .po files, no .mo is needed
translations: setup
	$(VENV)/bin/leafletgen messages extract
	$(VENV)/bin/leafletgen messages update
	$(VENV)/bin/leafletgen messages compile

setup: system-deps $(STAMP)

system-deps:
	PYTHON=$(PYTHON) bash scripts/install-system-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf out $(VENV)
