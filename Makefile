# LabelOps: `make run` starts everything on SQLite, `make test` proves it on SQLite and PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
# Whole files per worker, in collection order: tests/conftest.py puts the long files first.
XDIST := -n 2 --dist loadfile --no-loadscope-reorder

# htmx and Chart.js for the console, pinned in its package-lock.json, fetched from the npm registry into
# services/console/node_modules (git-ignored) and served from there.
CONSOLE_ASSETS := services/console/node_modules/.package-lock.json

.PHONY: install migrate run test test-sqlite test-postgres bench load lint clean label-studio-check

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

$(CONSOLE_ASSETS): services/console/package.json services/console/package-lock.json
	npm ci --prefix services/console --no-audit --no-fund --silent
	touch $(CONSOLE_ASSETS)

install: $(STAMP) $(CONSOLE_ASSETS)

migrate: install
	$(BIN)/python -m shared.cli migrate

run: migrate
	$(BIN)/python scripts/dev_env.py
	$(BIN)/honcho -f Procfile -e var/dev.env start

test: test-sqlite test-postgres

test-sqlite: install
	LABELOPS_TEST_DATABASE=sqlite $(BIN)/pytest $(XDIST) tests

# tests/unit touches no database: it runs once, with the SQLite half.
test-postgres: install
	LABELOPS_TEST_DATABASE=postgresql LABELOPS_TEST_PG_URL=$(PG_URL) $(BIN)/pytest $(XDIST) tests --ignore=tests/unit

bench: install
	$(BIN)/python -m bench.assignment

# Bounded (8 users, 30 s) mixed load through the gateway; fails when tool, metrics and database disagree.
load: install
	$(BIN)/python -m bench.load

# Real Label Studio (label-studio==1.23.2 from PyPI, in a throwaway venv outside the project's) imports
# a LabelOps export and config, and its own export comes back (scripts/label_studio_roundtrip.py).
label-studio-check: install
	$(BIN)/python scripts/label_studio_roundtrip.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var/*.db var/*.db-wal var/*.db-shm
