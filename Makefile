# Two entry points for people and CI; see README.md.
#   make run   set up everything (system packages, .venv) and build the example leaflets into out/
#   make test  set up everything and run the whole test suite
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test setup system-deps clean

run: setup
	$(VENV)/bin/leafletgen build

test: setup
	$(VENV)/bin/python -m pytest

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
