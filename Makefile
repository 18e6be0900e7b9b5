# gigafleet: two commands from a fresh clone.
#   make run   - create .venv, install, plan the openai-100x build-out (out/plan.html, out/gigafleet.duckdb)
#                and check the "100M GPUs" press claim (out/report.html, out/estimate.json)
#   make test  - create .venv, install with test extras, lint, type-check, run the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format typecheck pytest bench docs screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/gigafleet plan openai-100x --report out/plan.html --store out/gigafleet.duckdb
	$(BIN)/gigafleet run --out out

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check gigafleet tests benchmarks scripts
	$(BIN)/ruff format --check gigafleet tests benchmarks scripts

format: $(STAMP)
	$(BIN)/ruff check --fix gigafleet tests benchmarks scripts
	$(BIN)/ruff format gigafleet tests benchmarks scripts

screenshots: $(STAMP)
	GIGAFLEET_DOCS_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/test_web_browser.py

typecheck: $(STAMP)
	$(BIN)/mypy gigafleet

pytest: $(STAMP)
	$(BIN)/gigafleet catalog check
	$(BIN)/python -m pytest -q -m "not benchmark" -n 2 --dist worksteal
	$(BIN)/python -m pytest -q --doctest-modules gigafleet

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_samples.py
	$(BIN)/python benchmarks/bench_estimate.py
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_plan.py
	$(BIN)/python benchmarks/bench_power.py
	$(BIN)/python benchmarks/bench_reliability.py
	$(BIN)/python benchmarks/bench_sweep.py

docs: $(STAMP)
	$(BIN)/python -m gigafleet.docsgen docs
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict
	@echo "site built in site/ (open site/index.html)"

clean:
	rm -rf $(VENV) out site test-artifacts .pytest_cache .mypy_cache .ruff_cache .hypothesis
