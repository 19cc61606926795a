# SmartCustoms: two commands do everything on a fresh clone.
#   make demo   install, migrate an SQLite database, load reference + demo data, serve :8000
#   make test   install with dev extras, lint, type-check, check migrations, run every test
#   make bench  run every benchmark (BENCH_QUICK=1: CI-sized), figures in bench-results/
# SMARTCUSTOMS_PORT=8080 make demo serves on another port (SMARTCUSTOMS_HOST: another interface).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Reference data: what the operator points at, else the shared data beside this checkout
# (if present), else the platform downloads it or falls back to its built-in sample.
SMARTCUSTOMS_DATA_DIR ?= $(abspath $(wildcard ../shared/data))
export SMARTCUSTOMS_DATA_DIR
# PostgreSQL for the integration tests; .ci/run makes sure the server runs.
SMARTCUSTOMS_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
export SMARTCUSTOMS_TEST_POSTGRES_URL

.PHONY: demo test lint format install serve bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/smartcustoms demo

serve: $(STAMP)
	$(BIN)/smartcustoms serve

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m smartcustoms.db.check_drift

test: lint
	$(BIN)/pytest -q

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

# Every benchmark, full size (hours on 2 cores: what BENCHMARKS.md records); BENCH_QUICK=1 for
# CI-sized runs (minutes). Figures print and land as JSON in bench-results/.
bench: $(STAMP)
	SMARTCUSTOMS_BENCH_QUICK=$(BENCH_QUICK) $(BIN)/python bench/_run_all.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
