# fmgate: `make demo` runs the decision job on the example memos, `make test`
# runs every check. Both set everything up first (.venv, OPA, Regal).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools/bin
FMGATE := $(BIN)/fmgate
COVERAGE_MIN := 95

export PATH := $(CURDIR)/$(TOOLS):$(PATH)

.PHONY: setup demo test test-python test-rego lint-python lint-workflows lab clean chromium postgres site

setup: $(VENV)/.installed .tools/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=23"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null
	@touch $@

.tools/.installed: scripts/install-tools.sh tools/regal/go.mod
	scripts/install-tools.sh all
	@touch $@

demo: setup
	@$(BIN)/python scripts/demo.py

test: setup lint-python test-rego lint-workflows test-python

test-rego: setup
	$(TOOLS)/opa fmt --fail --list policies
	$(TOOLS)/opa check --strict policies
	$(TOOLS)/regal lint policies
	$(BIN)/python scripts/opa_coverage.py --min $(COVERAGE_MIN) policies

lint-python: setup
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

lint-workflows: setup
	$(TOOLS)/actionlint

chromium:
	scripts/install-chromium.sh

postgres:
	scripts/install-postgres.sh

test-python: setup chromium postgres
	$(BIN)/python -m pytest

site: setup
	$(FMGATE) site

lab: setup
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(VENV) .tools build site
