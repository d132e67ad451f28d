# Commands of the Créteil CLS portal (see README.md).
#   make run      fresh machine → venv, install, migrate, content, admin account, dev server
#   make test     the whole pytest suite (SQLite, or DATABASE_URL=postgres://…)
#   make quality  ruff, djlint, missing migrations, pip-audit      make fix  reformat and autofix
#   make css      the Bootstrap subset the pages load (after adding a Bootstrap class to a template)

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Written after a successful install: reinstall only when a requirements file changes.
STAMP := $(VENV)/.installed
# Development commands run in debug mode (production is the settings' default).
DEV := DJANGO_DEBUG=1
HOST ?= 127.0.0.1
PORT ?= 8000
# The address of the links in mails and calendars: where `make run` serves (an exported
# DJANGO_SITE_URL wins).
DJANGO_SITE_URL ?= http://$(HOST):$(PORT)
# Extra pytest arguments, e.g. make test PYTEST_ARGS="-k axe --create-db"
PYTEST_ARGS ?=
# Tests spread over every core (pytest-xdist); `make test PYTEST_PARALLEL=` runs them in one process.
PYTEST_PARALLEL ?= -n auto --dist worksteal

.PHONY: help venv install run test quality lint format-check templates-check migrations-check audit fix requirements clean

help:
	@echo "make run       installe, migre, charge le contenu et sert le portail sur http://$(HOST):$(PORT)"
	@echo "make test      lance toute la suite de tests (SQLite, ou DATABASE_URL=postgres://…)"
	@echo "make quality   ruff, djlint, migrations manquantes et vulnérabilités connues (make audit)"
	@echo "make fix       reformate le code et les gabarits"
	@echo "make install   crée .venv et installe requirements.txt et requirements-dev.txt"
	@echo "make requirements  recompile les fichiers épinglés depuis les .in (pip-compile)"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	@touch $@

venv install: $(STAMP)

run: $(STAMP)
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py load_cls_content
	@has_superuser=$$($(DEV) $(PY) manage.py shell -c "from django.contrib.auth import get_user_model; print(get_user_model().objects.filter(is_superuser=True).exists())" | tail -n 1); \
	if [ "$$has_superuser" = "False" ]; then \
		password=$$($(PY) -c "import secrets; print(secrets.token_urlsafe(18))"); \
		DJANGO_SUPERUSER_PASSWORD="$$password" $(DEV) $(PY) manage.py createsuperuser --noinput \
			--username admin --email admin@localhost >/dev/null || exit 1; \
		echo ""; \
		echo "================================================================"; \
		echo " Compte d'administration créé (ce mot de passe ne sera plus affiché) :"; \
		echo "   identifiant  : admin"; \
		echo "   mot de passe : $$password"; \
		echo "   connexion    : http://$(HOST):$(PORT)/admin/"; \
		echo " Pour le changer : $(DEV) $(PY) manage.py changepassword admin"; \
		echo "================================================================"; \
		echo ""; \
	else \
		echo "Un compte administrateur existe déjà : mot de passe inchangé (manage.py changepassword pour le modifier)."; \
	fi
	$(DEV) DJANGO_SITE_URL=$(DJANGO_SITE_URL) $(PY) manage.py runserver $(HOST):$(PORT)

# pytest exits with 5 when it collected no test: said plainly, not counted as a failure.
# Bytecode written even where the environment turns it off (PYTHONDONTWRITEBYTECODE, set on CI's
# machines): pytest keeps its rewritten test modules there; without them every process (each xdist
# worker, each pass) rewrote the asserts of the 260 test modules again, 9 s of its 10 s of collection.
test: $(STAMP)
	@PYTHONDONTWRITEBYTECODE= $(PY) -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest : aucun test collecté."; exit 0; fi; \
	exit $$status

# One target per check: `make -k quality` (as CI runs it) reports every failing check at once.
quality: lint format-check templates-check migrations-check audit

lint: $(STAMP)
	$(BIN)/ruff check .

format-check: $(STAMP)
	$(BIN)/ruff format --check .

templates-check: $(STAMP)
	$(BIN)/djlint --check templates/
	$(BIN)/djlint --lint templates/

migrations-check: $(STAMP)
	$(DEV) $(PY) manage.py makemigrations --check --dry-run

# Known vulnerabilities of the pinned requirements (pip-audit, PyPI's advisories; docs/securite.md).
# A package PyPI could not answer for is a warning, or an error with `make audit AUDIT_STRICT=1`.
AUDIT_STRICT ?=
audit: $(STAMP)
	$(PY) scripts/audit_dependencies.py $(if $(AUDIT_STRICT),--strict) requirements.txt requirements-dev.txt

# Each step goes on when the previous one leaves something to fix by hand.
fix: $(STAMP)
	-$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	-$(BIN)/djlint --reformat templates/

requirements: | $(PY)
	$(PY) -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

# static/css/bootstrap.subset.css: the Bootstrap rules the pages use (PurgeCSS from npm, installed
# in scripts/css on first use). Run after adding a Bootstrap class to a template; commit the file.
.PHONY: css
css: $(STAMP)
	PY=$(PY) scripts/css/build.sh

# Load and fault test, on demand only (never in CI): 200 interest submissions on two gunicorn
# instances, one killed and restarted; PostgreSQL and Redis on the loopback (docs/production.md).
# e.g. make load-fault LOAD_FAULT_ARGS="--database cls_essai --redis-url redis://127.0.0.1:6379/4"
LOAD_FAULT_ARGS ?=
.PHONY: load-fault
load-fault: $(STAMP)
	$(PY) bench/load_and_fault.py $(LOAD_FAULT_ARGS)

# Benchmark on demand (never in CI): PostgreSQL and Redis on 127.0.0.1, wrk from Debian, Lighthouse
# from npm (bench/lighthouse, installed here on first use) driving /usr/bin/chromium; see bench/run.py.
# e.g. make bench N="10 1000 10000" BENCH_ARGS="--duration 10 --ports 18100-18199"
N ?= 1000
BENCH_ARGS ?=
.PHONY: bench
bench: $(STAMP)
	@[ -x bench/lighthouse/node_modules/.bin/lighthouse ] || npm ci --prefix bench/lighthouse --no-audit --no-fund
	$(PY) -m bench.run $(N) $(BENCH_ARGS)

clean:
	rm -rf staticfiles .pytest_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
