# One command per dev task; CI calls the same ones.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench openapi screenshots clean

# A local .env (copied from .env.example) configures `make run`.
ifneq (,$(wildcard .env))
include .env
export
endif

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## migrate, seed the demo workspace, start web + worker + scheduler + sandbox
	$(BIN)/inviteflow run

test: $(STAMP)  ## the whole suite: SQLite always, PostgreSQL when reachable
	bash scripts/test.sh

lint: $(STAMP)  ## ruff (lint and format), mypy, migrations and OpenAPI drift
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/inviteflow makemigrations --check --dry-run

bench: $(STAMP)  ## benchmarks: each prints its figures and ratios
	bash scripts/bench.sh

openapi: $(STAMP)  ## regenerate the committed OpenAPI document
	$(BIN)/inviteflow export_openapi > docs/openapi.json

screenshots: $(STAMP)  ## the README's screenshots, taken from the running demo
	$(BIN)/python scripts/screenshots.py --out docs/screenshots

clean:
	rm -rf $(VENV) var
