# The README's commands. Everything the project needs is installed from here, on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := chromium fonts-liberation fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench install system-deps translations migrate seed clean help

help:
	@echo "make run    install what is missing, migrate, seed the demo, serve on http://$(HOST):$(PORT)"
	@echo "make test   install what is missing and run the whole suite (unit, integration, browser)"
	@echo "make lint   ruff check, ruff format --check and the import contracts (lint-imports)"
	@echo "make bench  run the benchmarks in bench/"

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --no-warn-script-location -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages: Chromium for the browser tests (Playwright's own download cannot work here),
# Pango for WeasyPrint's PDF, poppler for reading PDFs back in tests.
system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

translations: $(BIN)/.installed
	$(BIN)/pybabel compile -d challenge/translations -f

install: system-deps $(BIN)/.installed node_modules/.installed translations

migrate: install
	$(BIN)/flask --app wsgi db upgrade

seed: migrate
	$(BIN)/flask --app wsgi seed-demo

run: seed
	PUBLIC_URL=$${PUBLIC_URL:-http://$(HOST):$(PORT)} $(BIN)/flask --app wsgi serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Refresh the message catalogues after changing user-facing strings.
messages: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o challenge/translations/messages.pot .
	$(BIN)/pybabel update -i challenge/translations/messages.pot -d challenge/translations

clean:
	rm -rf $(VENV) node_modules instance test-artifacts
