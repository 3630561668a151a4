# Conventio — the two commands a newcomer needs:
#   make run    set everything up (virtual environment, SQLite database, demo data) and run the whole app
#               (web server, background worker, daily jobs) on 127.0.0.1:8000; PORT=8122 for another port
#   make test   run the whole test suite (SQLite; PostgreSQL when DATABASE_URL is set)

VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
JOBS ?= 2
PYTEST_ARGS ?=

.PHONY: run install setup test lint typecheck check-deploy worker clean backup restore doctor

$(VENV)/.installed: requirements.lock
	@set -e; if [ ! -x "$(PY)" ]; then \
	  PYTHON=$$(sh scripts/find-python.sh); \
	  echo "→ Création de l'environnement virtuel avec $$PYTHON"; \
	  "$$PYTHON" -m venv $(VENV); \
	fi
	@echo "→ Installation des dépendances (versions figées dans requirements.lock)"
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

install: $(VENV)/.installed
	@sh scripts/check-libraries.sh

setup: install
	@mkdir -p var
	@DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py migrate --noinput -v0
	@DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py load_demo

run: setup
	@echo ""
	@echo "Identifiants ci-dessus, mot de passe conventio-demo. API : http://$(HOST):$(PORT)/api/v1/docs"
	@DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py serve $(HOST):$(PORT)

# One archive of the database and the stored documents (var/backups/ unless FILE=…).
backup: install
	@DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} $(PY) manage.py backup $(FILE)

# Put an archive back: make restore FILE=var/backups/conventio-….tar.gz [REPLACE=1]
restore: install
	@test -n "$(FILE)" || { echo "Indiquez l'archive : make restore FILE=var/backups/conventio-….tar.gz" >&2; exit 2; }
	@DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} $(PY) manage.py migrate --noinput -v0
	@DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} $(PY) manage.py restore "$(FILE)" $(if $(REPLACE),--replace,)

worker: setup
	@DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py db_worker

test: install
	@$(PY) -m pytest -n $(JOBS) $(PYTEST_ARGS)

lint: install
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .
	@$(VENV)/bin/lint-imports

typecheck: install
	@$(PY) -m mypy .

check-deploy: install
	@DJANGO_SETTINGS_MODULE=config.settings.production \
	 SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	 ALLOWED_HOSTS=conventio.example.org $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var/conventio.sqlite3* var/static
