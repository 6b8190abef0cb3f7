# The two commands in the README: `make run` and `make test`. Each does its own setup.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON_313 := $(shell command -v python3.13 2>/dev/null || command -v python3 2>/dev/null)
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/clinic

.PHONY: run serve test lint check-deploy check-nginx backup-drill scaleout-check setup clean bench

setup: $(VENV)/.installed

$(VENV)/bin/python:
	@if [ -z "$(PYTHON_313)" ] || ! "$(PYTHON_313)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))'; then \
		echo "This project needs Python 3.13 (found: $$($(PYTHON_313) --version 2>&1))."; \
		echo "Install it (for example: pyenv install 3.13) and run make again."; \
		exit 1; \
	fi
	"$(PYTHON_313)" -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## Run the app with demo data on http://127.0.0.1:8000 (SQLite unless DATABASE_URL is set),
## with the background worker that sends reminder emails (they print in this console).
## The worker stops when the server stops.
run: setup
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	@echo "Open http://127.0.0.1:$(PORT) and log in with a demo account above: after the password, choose \"Use a recovery code\" and type the code printed next to it."
	@# The worker's emails link to this server, on whatever PORT it runs.
	export SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"; \
	DEBUG=1 $(PY) manage.py reminders_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

## The app with production settings on this machine (docs/DEPLOY.md): static files,
## migrations, gunicorn with deploy/gunicorn.conf.py on 127.0.0.1:$(PORT) (or GUNICORN_BIND)
## and the background worker, which stops with the server. Needs SECRET_KEY and ALLOWED_HOSTS
## in the environment, like every production setting.
serve: setup
	@if [ -z "$$SECRET_KEY" ]; then \
		echo "make serve did not start: SECRET_KEY is not set."; \
		echo "With production settings the app signs sessions and patients' links with it, so it must"; \
		echo "be a long random string that stays the same across restarts. Make one with"; \
		echo "  $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))'"; \
		echo "and run: SECRET_KEY=<that string> ALLOWED_HOSTS=<your host name> make serve"; \
		exit 1; \
	fi
	@if [ -z "$$ALLOWED_HOSTS" ]; then \
		echo "make serve did not start: ALLOWED_HOSTS is not set."; \
		echo "With production settings the app answers only the host names listed there, so every"; \
		echo "request would be refused. Set it, e.g. ALLOWED_HOSTS=clinic.example.org make serve"; \
		exit 1; \
	fi
	DEBUG=0 $(PY) manage.py collectstatic --noinput -v0
	DEBUG=0 $(PY) manage.py migrate --noinput
	DEBUG=0 $(PY) manage.py reminders_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=0 GUNICORN_BIND="$${GUNICORN_BIND:-127.0.0.1:$(PORT)}" \
		$(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py

## Run the whole test suite against PostgreSQL (DATABASE_URL, default the local server).
test: setup
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" $(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

## Django's deployment checklist with production-like settings.
check-deploy: setup
	DEBUG=0 SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		ALLOWED_HOSTS=clinic.example.org $(PY) manage.py check --deploy --fail-level WARNING

## nginx -t on deploy/nginx/clinic.conf inside a throwaway configuration (needs nginx).
check-nginx:
	deploy/check-nginx.sh

## Back up a demo database with deploy/backup.sh, restore it with deploy/restore.sh into a new
## one, compare every table's rows and serve a page from the copy (docs/DEPLOY.md, "Backups").
## Needs PostgreSQL (DRILL_SERVER_URL, default the local server); drops its scratch databases.
backup-drill: setup
	deploy/backup-drill.sh

## Two app servers behind nginx, two reminder workers and one PostgreSQL database on this
## machine: shared sessions, lockout and throttles, racing bookings, reminders sent once,
## one server stopped under load (docs/SCALING.md). Needs nginx and PostgreSQL
## (SCALEOUT_SERVER_URL); creates and drops the database scaleout_check.
scaleout-check: setup
	$(PY) deploy/scaleout_check.py

## Benchmark the pages under load, each against a bare baseline page, with production
## settings (docs/BENCHMARKS.md). Needs PostgreSQL and wrk; builds the data set with
## seed_scale on first use (BENCH_DATABASE_URL, default .../clinic_bench). BENCH_QUICK=1:
## 500 patients (.../clinic_bench_quick unless BENCH_DATABASE_URL is set), 1 s a page.
bench: setup
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }
	$(PY) -m benchmarks.pages $(if $(BENCH_QUICK),--quick) \
		$(if $(BENCH_DATABASE_URL),--database-url "$(BENCH_DATABASE_URL)")

clean:
	rm -rf $(VENV) staticfiles
