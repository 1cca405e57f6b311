# cchc-analysis: developer and CI targets. `make help` lists them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup lock registry demo demo-province lab pictures test lint format clean bench mutation

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-8s %s\n", $$1, $$2}'

setup: $(STAMP) ## Create .venv and install the package with its dev extra

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	@touch $(STAMP)

lock: ## Pin the versions installed now into requirements.lock (after changing pyproject.toml's dependencies)
	$(PYTHON) -m venv --clear /tmp/cchc-lock-venv
	/tmp/cchc-lock-venv/bin/python -m pip install --quiet --upgrade pip
	/tmp/cchc-lock-venv/bin/python -m pip install --quiet -e ".[dev]"
	{ sed -n '1,3p' requirements.lock; /tmp/cchc-lock-venv/bin/python -m pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

registry: setup ## Rebuild the national unit registry (cchc_analysis/data/units.csv, successions.csv) from its sources
	$(BIN)/python tools/build_registry.py

demo: setup ## Generate the demo district (2022 to 09/2026) and run the pipeline on it
	$(BIN)/cchc demo

demo-province: setup ## Generate every commune of Hải Phòng (07/2025-09/2026) and run its last quarter (about 5 min)
	$(BIN)/cchc demo --province

pictures: ## The README's pictures, from `make demo`'s run (needs poppler-utils' pdftoppm)
	mkdir -p docs/img
	pdftoppm -png -r 60 -f 1 -l 1 -singlefile reports/demo/2023Q4/thanh-giang_2023Q4.pdf docs/img/brief-unit
	pdftoppm -png -r 60 -f 1 -l 1 -singlefile reports/demo/2023Q4/huyen-thanh-mien_2023Q4.pdf docs/img/brief-group

lab: setup ## Open JupyterLab on the project (run `make demo` first for the demo data)
	$(BIN)/jupyter lab --ServerApp.root_dir=.

test: setup ## Run the test suite
	$(BIN)/python -m pytest

bench: setup ## Run the benchmarks (about 30 minutes) and write benchmarks/RESULTS.md
	$(BIN)/python -m benchmarks.run_all

mutation: setup ## Mutation-test the rule modules (about 25 minutes) and write docs/mutation-report.md
	$(BIN)/python -m benchmarks.mutation

lint: setup ## Check code style (ruff)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup ## Reformat code (ruff)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## Remove the virtual environment and caches (never data/raw)
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis mutants
