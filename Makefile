# Safe Passage. `make run` serves the app; `make test` installs everything and runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
PYSTAMP := $(VENV)/.installed
NODESTAMP := node_modules/.installed

.DEFAULT_GOAL := help
.PHONY: help setup run test fuzz vectors bench screens security-figures system-deps clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

$(PYSTAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q -r requirements-dev.txt 2>&1 | { grep -v "is ignored" || true; }
	@$(PY) -m pip install -q --no-deps -e . 2>&1 | { grep -v "is ignored" || true; }
	@$(PY) -c "import flask, flask_talisman, cryptography, sqlalchemy, argon2, alembic, psycopg, playwright, hypothesis, bandit, ruff, server, spcrypto"
	@touch $@

$(NODESTAMP): package.json package-lock.json
	@npm ci --omit=optional --no-audit --no-fund --loglevel=error
	@touch $@

pwa/vendor/.built: $(NODESTAMP) tools/vendor.mjs
	@node tools/vendor.mjs
	@touch $@

setup: $(PYSTAMP) pwa/vendor/.built ## Create the venv, install Python and npm packages, vendor browser libraries
	@$(PY) tools/build_release.py >/dev/null

run: setup ## Migrate the database (SQLite in instance/, or DATABASE_URL) and serve on http://127.0.0.1:8000
	@$(PY) -m server

system-deps: ## Install Chromium, PostgreSQL, Node.js from Debian's packages if missing
	@tools/system-deps.sh

test: system-deps setup ## Run every test: SQLite, then PostgreSQL (throwaway cluster); CI=true makes skips failures
	@tools/run-tests.sh

fuzz: setup ## The input-hardening fuzz (tests/hardening), 40x the examples of make test, fresh draws (~15 min)
	@HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -q --durations=10 tests/hardening

screens: setup ## Screenshots of every screen at 360x740 in every language, into docs/screens/
	@tools/system-deps.sh fonts
	@$(PY) tools/screenshots.py

security-figures: system-deps setup ## Run the security checks and write docs/SECURITY-FIGURES.md (about 10 min)
	@$(PY) tools/security_figures.py

vectors: $(PYSTAMP) ## Regenerate crypto/vectors/ from the Python reference
	@$(PY) crypto/vectors/generate.py

bench: setup ## Run the benchmarks in bench/ (ratios against same-run baselines)
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean: ## Remove the venv, node_modules, vendored files and the local instance database
	rm -rf $(VENV) node_modules pwa/vendor pwa/release.js instance
