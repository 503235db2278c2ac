# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast bench loadtest faults lint format install install-test browser-deps migrate seed clean check-deploy messages

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install --quiet -e ".[test]"
	@touch $(VENV)/.installed $@

# The design system (Wikimedia Codex's CSS and design tokens) comes from npm into node_modules/,
# pinned in package.json; installed again only when package.json changes. No lock file (.npmrc).
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json .npmrc
	@command -v npm >/dev/null 2>&1 || { echo "Node.js 20 and npm are needed to install the design system: apt install nodejs npm"; exit 1; }
	npm install --no-package-lock --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed $(NODE_STAMP)
install-test: $(VENV)/.installed-test $(NODE_STAMP)

migrate: install
	$(MANAGE) migrate --no-input

seed: migrate
	$(MANAGE) seed_demo

run: seed
	@echo ""
	@echo "  Accord is starting at http://$(HOST):$(PORT)/"
	@echo "  Admin: http://$(HOST):$(PORT)/admin/  login: admin / accord-demo"
	@echo ""
	$(MANAGE) runserver $(HOST):$(PORT)

# Debian's Chromium drives the browser tests; Playwright never downloads its own.
browser-deps:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

# pytest exits 5 when it collected no test: that is a failure here too.
# Browser tests run in a second session: they need transactional tests (the live server reads
# what the test wrote), and mixing those with the fast rollback-per-test majority in one
# session left later transactional tests on a flushed database.
# The main session runs on every core (pytest-xdist, one test database per worker, copied from
# one migrated template: tests/db_template.py). Tests go out one by one in pytest-django's order,
# so on each worker the transactional tests, which empty the database, run after the others.
# (Handing out whole files breaks that order.) The browser session
# runs alongside it in one process with its own database: it spends most of its time waiting
# for Chromium and the live server, so it fits in the gaps. Its report follows the main one.
# TEST_WORKERS=0 runs the main session in one process.
TEST_WORKERS ?= auto
BROWSER_LOG := .browser-tests.log
PYTEST := $(PY) -m pytest -q -p no:cacheprovider
test: install-test browser-deps
	@$(PYTEST) -n 0 -m browser > $(BROWSER_LOG) 2>&1 & browser=$$!; \
	$(PYTEST) -n $(TEST_WORKERS) -m "not browser and not faults"; main=$$?; \
	wait $$browser; status=$$?; \
	echo; echo "Browser tests (Debian's Chromium), run alongside:"; cat $(BROWSER_LOG); \
	[ $$main -eq 0 ] && [ $$status -eq 0 ]

test-fast: install-test
	$(PYTEST) -n $(TEST_WORKERS) -m "not browser and not faults"

bench: install-test
	$(PY) benchmarks/run.py

# The dress rehearsal (benchmarks/loadtest.py): the deployment `manage.py seed_scale` builds, in
# a PostgreSQL database of its own (accord_loadtest, dropped afterwards), served by gunicorn
# (4 workers) with a private Redis, under a mixed load at half the capacity it measures first;
# then every accepted write is checked in the database. One JSON line per measure.
LOADTEST_SECONDS ?= 75
LOADTEST_SCALE ?= 1
loadtest: install-test
	$(PY) benchmarks/loadtest.py --seconds $(LOADTEST_SECONDS) --scale $(LOADTEST_SCALE)

# Faults of a real deployment (tests/faults/, marker `faults`, left out of `make test`):
# PostgreSQL restarting under load, a gunicorn worker killed mid-ballot, Redis disappearing, on a
# private PostgreSQL cluster, Redis and gunicorn on free ports (never the shared services).
# The first run migrates and seeds the private cluster (minutes); later runs copy it.
faults: install-test
	$(PYTEST) -n 0 -m faults tests/faults

# lint-imports checks the dependency contracts between apps (pyproject.toml [tool.importlinter]).
lint: install-test
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-deploy: install
	DJANGO_SETTINGS_MODULE=policysite.settings.production \
	DJANGO_SECRET_KEY=throwaway-$$(date +%s)-not-used-anywhere-else-0123456789abcdefghijklmnop \
	DJANGO_ALLOWED_HOSTS=accord.example.org \
	$(MANAGE) check --deploy --fail-level WARNING

# Interface translations (German): one catalogue per app that has a locale/ directory, and the
# project's own in locale/ for templates/, policysite/ and search/. Each app's strings are extracted from
# inside the app with no settings, so they land in its own catalogue. The compiled .mo files are
# committed: `make run` needs no gettext. Needs GNU gettext (msgfmt, xgettext).
LANGUAGES_TO_TRANSLATE := de
APP_CATALOGUES := $(patsubst %/locale,%,$(wildcard */locale))
MESSAGE_FLAGS := $(foreach l,$(LANGUAGES_TO_TRANSLATE),-l $(l)) --add-location=file --no-obsolete
messages: install
	@for app in $(APP_CATALOGUES); do \
	  echo "$$app/locale"; \
	  (cd $$app && env -u DJANGO_SETTINGS_MODULE ../$(VENV)/bin/django-admin makemessages $(MESSAGE_FLAGS)) || exit 1; \
	done
	@echo "locale (templates/, policysite/, search/)"
	DJANGO_SETTINGS_MODULE=policysite.settings.dev $(MANAGE) makemessages $(MESSAGE_FLAGS) \
	  $(foreach d,$(APP_CATALOGUES) .venv tests benchmarks static media,-i "$(d)/*")
	$(MANAGE) compilemessages -i .venv -i static -i media

clean:
	rm -rf $(VENV) node_modules db.sqlite3 static media
