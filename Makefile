# Cap Partagé — the two commands of the quick start are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
TOOLS := .tools
# uv comes from PyPI into a project-local folder when the machine has none.
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test lint typecheck pytest bench services stop-services system-deps demo migrate messages

help:
	@echo "make run    — installe, migre, charge la démo et sert http://$(HOST):$(PORT) avec un worker Celery (et beat)"
	@echo "make test   — ruff, mypy et toute la suite pytest (dont les tests navigateur) sur PostgreSQL"
	@echo "make bench  — mesures de performance (make bench only=chain), écrites dans bench/RESULTS.md"

$(TOOLS)/bin/uv:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

system-deps:
	@scripts/system_deps.sh

# Starts project-local PostgreSQL and Redis under var/ unless DATABASE_URL / REDIS_URL are set, and writes their
# URLs to var/services.env, which the settings read: every target that runs Django depends on this one.
services: $(VENV)/.synced
	@$(PY) -m config.local_services start

stop-services: $(VENV)/.synced
	@$(PY) -m config.local_services stop

migrate: services
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) demo

run: system-deps demo
	@echo "Cap Partagé : http://$(HOST):$(PORT)/  (Ctrl-C pour arrêter)"
	@# Both in the background of one shell, in make's process group: Ctrl-C, or a TERM to the group, reaches the
	@# shell, whose trap stops the two and waits for them (the worker finishes its task).
	@# -B: the worker also runs Celery beat (config/celery.py: the nightly purge of personal data), one machine only.
	@$(VENV)/bin/celery -A config worker -B --loglevel=info --concurrency=2 & worker=$$!; \
	$(MANAGE) runserver $(HOST):$(PORT) & server=$$!; \
	trap 'kill $$server $$worker 2>/dev/null; wait $$server $$worker 2>/dev/null; exit 0' INT TERM; \
	wait $$server; status=$$?; kill $$worker 2>/dev/null; wait $$worker 2>/dev/null; exit $$status

# The French catalogue: the texts are French already; it carries French's plural rule (needs Debian's gettext).
messages: $(VENV)/.synced services
	$(MANAGE) makemessages -l fr --add-location=file --ignore=.venv --ignore=.tools --ignore=var --ignore=tests --ignore=bench
	$(PY) scripts/french_plurals.py
	$(MANAGE) compilemessages -l fr --ignore=.venv --ignore=.tools --ignore=var

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.synced services
	$(VENV)/bin/mypy .

pytest: $(VENV)/.synced services system-deps
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: system-deps lint typecheck pytest

bench: $(VENV)/.synced services system-deps
	$(PY) bench/run.py $(only)
