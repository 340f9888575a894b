# Set-up and checks. `make run` and `make check` are the two commands in the README.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run migrate sample admin-login serve check lint typecheck test test-postgres bench screenshots clean

help:
	@echo "make run    install, migrate, import the bundled samples, print a local admin login, serve"
	@echo "           at HOST:PORT (127.0.0.1:8000 unless given: make run PORT=8777)"
	@echo "make check  ruff, mypy, import contracts and the whole test suite"
	@echo "make bench  the import and admin benchmark (see README, Performance)"
	@echo "make screenshots  PNGs of the reading list and a meter point page in screenshots/"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10 or newer is needed (set PYTHON=python3.x)"'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

sample: migrate
	$(BIN)/python manage.py import_d0010 readings/samples/

admin-login: migrate
	$(BIN)/python manage.py local_admin --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

run: sample admin-login serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy .

test: install
	$(BIN)/pytest

check: lint typecheck test

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/d0010} $(BIN)/pytest

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

screenshots: install
	$(BIN)/python -m tests.functional.browser.screenshots --out screenshots

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis db.sqlite3*
