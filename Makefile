# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PYTHON := .venv/bin/python
CHROMIUM := /usr/bin/chromium

help:
	@echo "make run    set everything up and serve the app with its worker (SQLite, no servers needed)"
	@echo "make test   set everything up and run the whole test suite"
	@echo "make bench  print timings and query counts at regional scale (needs DATABASE_URL for PostgreSQL)"
	@echo "make lint   check formatting and lint"
	@echo "make audit  scan the code (bandit) and the locked dependencies (pip-audit, npm audit)"
	@echo "make backup [BACKUP_DIR=dir]           back up the database and the uploaded files"
	@echo "make restore BACKUP=dir [FORCE=1]      restore a backup into a new database and verify it"

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python python3
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/build/app.css: node_modules/.installed $(shell find static/scss static/js -type f 2>/dev/null)
	npm run build

install: .venv/.synced static/build/app.css

run: export DEBUG ?= true
run: install
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py seed_demo
	@echo "Serving on http://127.0.0.1:8000 with a background worker. Press Ctrl+C to stop."
	@trap 'kill 0' EXIT INT TERM; \
	  .venv/bin/celery -A cse worker --beat --pool=solo --loglevel=INFO \
	    --schedule=var/celerybeat-schedule & \
	  $(PYTHON) manage.py runserver 127.0.0.1:8000

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi; \
	fi

test: install chromium
	$(PYTHON) manage.py makemigrations --check --dry-run --settings=cse.settings_test
	$(PYTHON) -m pytest

lint: .venv/.synced
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

# Fails on a bandit finding of medium severity or more, on any known vulnerability
# in the locked Python packages, and on a high or critical one in the npm packages.
audit: .venv/.synced node_modules/.installed
	.venv/bin/bandit -c pyproject.toml -r cse screening meetings missing disruption reports -ll -q
	@mkdir -p var
	$(UV) export --frozen --format requirements-txt --no-emit-project --quiet > var/requirements-audit.txt
	$(PYTHON) .ci/audit_deps.py python var/requirements-audit.txt
	$(PYTHON) .ci/audit_deps.py npm

# Backup and restore (README, "Backup and restore"). Both run as the database owner
# (MIGRATION_DATABASE_URL, when set) and print no personal data; the backup directory
# is readable by the user running it only.
backup: .venv/.synced
	$(PYTHON) manage.py backup $(if $(BACKUP_DIR),--output "$(BACKUP_DIR)")

restore: .venv/.synced
	@if [ -z "$(BACKUP)" ]; then \
	  echo "Name the backup: make restore BACKUP=var/backups/cse-backup-... [FORCE=1]"; \
	  exit 2; fi
	$(PYTHON) manage.py restore "$(BACKUP)" $(if $(FORCE),--force)

bench: install
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) benchmarks/bench.py

.PHONY: help install run chromium test lint audit backup restore bench
