# Developer entry points. `make setup && make test` is the whole quick start.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: setup test lint format docs bench dev stop image clean

setup: $(BIN)/maxpulse

$(BIN)/maxpulse: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

test: setup
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/cog --check --check-fail-msg='run `make docs`' README.md

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# README's command reference and configuration table, rendered from the CLI and settings.
docs: setup
	$(BIN)/cog -r README.md

bench: setup
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

dev: setup
	$(BIN)/maxpulse start

stop: setup
	$(BIN)/maxpulse stop

image:
	docker build -t maxpulse-functions .

clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
