# The README names these targets. Everything installs into .venv and node_modules.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format audit migrate seed worker bench lock clean

$(BIN)/activate: requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $(BIN)/activate

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(BIN)/activate node_modules/.package-lock.json

migrate: install
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=true $(PY) manage.py seed_demo

# Serve the app with demo data. With REDIS_URL set, a Celery worker runs beside it;
# without, tasks run in-process. PORT reaches both, so links in emails (SITE_URL) use it.
run: seed
	@export PORT=$(PORT); \
	if [ -n "$$REDIS_URL" ]; then \
		DEBUG=true $(BIN)/celery -A smd worker --loglevel=info --concurrency=1 & \
		trap "kill $$!" EXIT INT TERM; \
		DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT); \
	else \
		DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT); \
	fi

worker: install
	DEBUG=$${DEBUG:-true} $(BIN)/celery -A smd worker --loglevel=info

# node's test runner for the phone app's JavaScript (static/js/offline), then pytest.
test: install
	node --test tests/js/
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

# Known vulnerabilities in the pinned Python and npm packages (.ci/audit-deps).
audit: install
	$(PY) .ci/audit-deps

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The load benchmark (docs/performance.md): gunicorn as in production, 20 users, against
# PostgreSQL and Redis. BENCH_DATABASE_URL names a database seed_scale has filled.
BENCH_ARGS ?=
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

# Re-pin requirements/*.txt from pyproject.toml.
lock:
	$(PYTHON) -m venv .lock-venv && .lock-venv/bin/pip install --quiet pip-tools
	.lock-venv/bin/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links -o requirements/base.txt pyproject.toml
	.lock-venv/bin/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links --extra dev -o requirements/dev.txt pyproject.toml
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
