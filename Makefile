# Two commands matter: `make run` and `make test` (see README).
# Only Python >= 3.12 and make are needed: uv is installed into .tools/ and
# builds .venv from uv.lock.

PYTHON ?= $(shell command -v python3.13 || command -v python3.12 || command -v python3)
UV := .tools/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test install lint format bench worker beat clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.synced

# The embedded default: SQLite, tasks in-process, emails under var/mail/.
run: install
	DJANGO_DEBUG=true $(VENV)/bin/python manage.py migrate --noinput
	DJANGO_DEBUG=true $(VENV)/bin/python manage.py demo
	DJANGO_DEBUG=true $(VENV)/bin/python manage.py runserver 127.0.0.1:8000

test: install
	$(VENV)/bin/pytest

# Style, types (mypy; its Django plugin loads the settings, which need a secret
# key unless debug is on), import floors (.importlinter) and templates.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_DEBUG=true $(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/djlint --lint templates

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Every benchmark in bench/, one table; uses DATABASE_URL and CELERY_BROKER_URL.
bench: install
	$(VENV)/bin/python bench/run.py

worker: install
	$(VENV)/bin/celery -A consult worker -Q default,email,pdf,webhook --loglevel INFO

beat: install
	$(VENV)/bin/celery -A consult beat --loglevel INFO --schedule var/celerybeat-schedule

clean:
	rm -rf .tools $(VENV) var
