# fangpin — the two commands are `make demo` and `make test`; both install what they need.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
FANGPIN := $(BIN)/fangpin
COUNTY ?= 433124
HOUSEHOLDS ?= 20000
SEED ?= 20241
# PostgreSQL for the second test run; .ci/run sets it. Empty: the PostgreSQL run is skipped, loudly.
FANGPIN_TEST_POSTGRES_URL ?=
PYTEST_ARGS ?=

.PHONY: help install demo serve test check test-sqlite test-postgres bench lock clean format screenshots

help:
	@echo "make demo   install, load $(COUNTY)'s regions, generate $(HOUSEHOLDS) households, serve"
	@echo "make test   install, run every gate (make check) and the tests on SQLite and PostgreSQL"
	@echo "make check  ruff, mypy, import-linter, bandit, manage.py check (and --deploy), makemigrations --check"
	@echo "make serve  web server and background worker on http://127.0.0.1:8000"
	@echo "make bench  benchmarks; results in docs/benchmarks.md"
	@echo "make screenshots  rebuild the demo in a temp dir and redo the user guide's docs/images/*.jpg"

$(VENV)/.installed: pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11（$(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "需要 Node.js 与 npm（npm not found)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

demo: install
	$(FANGPIN) demo --county $(COUNTY) --households $(HOUSEHOLDS) --seed $(SEED)

serve: install
	$(FANGPIN) serve

# `manage.py check --deploy` under the production settings, which refuse to load without a secret
# key, a host name and the PI keys. These values are throwaway, for this check only: they never
# serve anything, and the keys decode to "deploy-check-only-not-a-real-key". docs/security-gates.md.
# tests/security/test_release_gates.py runs the check with this very line.
DEPLOY_CHECK_ENV := FANGPIN_MODE=production FANGPIN_DEBUG=false FANGPIN_ALLOWED_HOSTS=fangpin.example \
  FANGPIN_SECRET_KEY=deploy-check-only-throwaway-secret-never-used-to-serve-anything \
  FANGPIN_FIELD_KEYS=check:ZGVwbG95LWNoZWNrLW9ubHktbm90LWEtcmVhbC1rZXk= \
  FANGPIN_INDEX_KEY=ZGVwbG95LWNoZWNrLW9ubHktbm90LWEtcmVhbC1rZXk=

check: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy fangpin
	$(BIN)/lint-imports
	$(BIN)/bandit -q -r fangpin -lll
	FANGPIN_MODE=test $(PY) manage.py check --fail-level WARNING
	$(DEPLOY_CHECK_ENV) $(PY) manage.py check --deploy --fail-level WARNING
	FANGPIN_MODE=test $(PY) manage.py makemigrations --check --dry-run

test-sqlite: install
	FANGPIN_MODE=test DATABASE_URL= $(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-postgres: install
	@if [ -z "$(FANGPIN_TEST_POSTGRES_URL)" ]; then \
	  echo "SKIPPED: the PostgreSQL run — FANGPIN_TEST_POSTGRES_URL is not set (.ci/run sets it)"; \
	else \
	  echo "== tests on PostgreSQL ($(FANGPIN_TEST_POSTGRES_URL))"; \
	  FANGPIN_MODE=test DATABASE_URL=$(FANGPIN_TEST_POSTGRES_URL) $(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS); \
	fi

test: check test-sqlite test-postgres

bench: install
	$(PY) -m benchmarks

screenshots: install
	$(PY) scripts/screenshots.py

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lock: $(VENV)/.installed
	$(PY) -m pip freeze --exclude-editable | grep -v '^fangpin' > constraints.txt

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
