# Two commands: `make run` (embedded platform on SQLite) and `make test` (everything CI checks).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DATA_DIR ?= var
export PORT DATA_DIR

.PHONY: run test lint imports typecheck pytest migrations-check bench clean messages screens

$(VENV)/.base: requirements/base.lock
	$(PYTHON) scripts/bootstrap_venv.py $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/base.lock
	touch $@

$(VENV)/.dev: $(VENV)/.base requirements/dev.lock
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.lock
	touch $@

run: $(VENV)/.base
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_demo
	$(PY) manage.py load_par_demo
	$(PY) manage.py generate_demo --dossiers 3000 --years 1 --once
	$(PY) manage.py serve --port $(PORT)

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Imports run one way between the apps (contracts in pyproject.toml, docs/architecture.md).
imports: $(VENV)/.dev
	$(VENV)/bin/lint-imports --no-cache --no-logo

typecheck: $(VENV)/.dev
	$(PY) -m mypy cchc

migrations-check: $(VENV)/.dev
	$(PY) manage.py makemigrations --check --dry-run

pytest: $(VENV)/.dev
	$(PY) -m pytest

test: lint imports typecheck migrations-check pytest

bench: $(VENV)/.dev
	$(PY) bench/run.py

# Screenshots of the main screens at their real sizes into docs/screens/ (demo data in var/screens).
# docs/screens/: the demo's pages by role (scripts/screens.py), then the counter receipt's steps
# and the citizen's pages as the browser tests walk them.
screens: $(VENV)/.dev
	$(PY) scripts/screens.py
	CCHC_SCREENS=docs/screens $(PY) -m pytest -q -p no:cacheprovider \
		cchc/dossiers/tests/test_counter_browser.py cchc/portal/tests/browser/test_screens_citizen.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Refresh the English catalogue after changing user-facing text (needs GNU gettext), then
# translate the new entries in cchc/locale/en/LC_MESSAGES/django.po and run it again.
messages: $(VENV)/.dev
	$(PY) manage.py makemessages -l en --ignore=".venv/*" --ignore="bench/*"
	$(PY) manage.py compilemessages -l en
