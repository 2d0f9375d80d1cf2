# Quick start: `make run` (the demo at http://127.0.0.1:8000) and `make test`. See README.md.
#
# Needs only python3 (3.11+) and make. The virtual environment lives in $(VENV) (override: make VENV=/tmp/v test);
# dependencies are (re)installed only when pyproject.toml's dependency lists change (a stamp file in the venv).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
export VENV

# Hash of pyproject.toml's dependency lists; empty if python3 is missing or too old (the venv rule says why).
DEPS_HASH := $(shell $(PYTHON) scripts/requirements.py --hash 2>/dev/null)
RUN_STAMP := $(VENV)/.installed-run-$(DEPS_HASH)
TEST_STAMP := $(VENV)/.installed-test-$(DEPS_HASH)

PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)
MSGFMT := $(shell command -v msgfmt 2>/dev/null)

.PHONY: help run test install install-test translations migrate seed lint loadbench

help:
	@echo "make run      install, migrate, load the demo data, install the beat schedule, start web + Celery worker/beat"
	@echo "             at http://127.0.0.1:8000 (scripts/run-demo.sh)"
	@echo "make test     install the test extras and run pytest (SQLite unless DATABASE_URL is set)"
	@echo "make install / install-test / translations / migrate / seed / lint (ruff and the import contracts)"
	@echo "make loadbench [LOADBENCH_ARGS='--size small']  the production layout under load (docs/benchmarks.md)"

run: install translations migrate seed
	@scripts/run-demo.sh

test: install-test translations
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

# The production layout on a scratch PostgreSQL database and Redis db 13, driven by N logged-in users
# (scripts/loadbench.py --help; docs/benchmarks.md, "Load benchmark").
loadbench: install
	$(PY) scripts/loadbench.py $(LOADBENCH_ARGS)

install: $(RUN_STAMP)

install-test: $(TEST_STAMP)

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed, found " + sys.version.split()[0] + ": run make PYTHON=python3.11 ...")' \
		|| { echo "Cannot run '$(PYTHON)': install Python 3.11+ or pass PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): | $(PY)
	@echo "Installing the runtime dependencies into $(VENV) (pinned in pyproject.toml; the first time takes a minute)"
	$(PY) scripts/requirements.py > $(VENV)/requirements-run.txt
	$(PIP) install --quiet -r $(VENV)/requirements-run.txt
	@rm -f $(VENV)/.installed-run-*
	@touch $@

$(TEST_STAMP): | $(PY)
	@echo "Installing the runtime and test dependencies into $(VENV) (pinned in pyproject.toml)"
	$(PY) scripts/requirements.py test > $(VENV)/requirements-test.txt
	$(PIP) install --quiet -r $(VENV)/requirements-test.txt
	@rm -f $(VENV)/.installed-run-* $(VENV)/.installed-test-*
	@touch $@ $(RUN_STAMP)

# Compile translations when msgfmt (gettext) is there; otherwise the committed .mo files are used.
translations: $(MO_FILES)

locale/%.mo: locale/%.po
	@if [ -n "$(MSGFMT)" ]; then echo "msgfmt $<"; msgfmt --check-format -o $@ $<; \
	elif [ -f $@ ]; then echo "msgfmt not found: using the committed $@"; \
	else echo "msgfmt not found and no $@: install gettext to get the translations"; fi

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo
