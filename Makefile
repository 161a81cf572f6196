PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
ORDERS ?= 20000
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo install migrate seed serve test lint fmt bench clean vendor

$(BIN)/python:
	$(PY) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v 0

seed: migrate
	$(BIN)/python manage.py seed_demo --orders $(ORDERS) --if-empty

# The web app (gunicorn) plus a Celery worker with beat, all embedded under var/.
serve:
	$(BIN)/celery -A complaintloop worker -B -l info --concurrency 2 -s var/celerybeat-schedule & \
	WORKER=$$!; trap "kill $$WORKER" EXIT INT TERM; \
	$(BIN)/gunicorn complaintloop.wsgi -b $(HOST):$(PORT) -w 2 --threads 4 --access-logfile -

demo: seed serve

test: install
	$(BIN)/python -m pytest -n 2 --dist loadfile

TYPED = complaintloop/routing/dmn.py complaintloop/routing/tables.py \
	complaintloop/routing/services.py complaintloop/routing/selectors.py \
	complaintloop/tickets/services/assignment.py complaintloop/tickets/simulation.py \
	complaintloop/core/services.py complaintloop/processes/lint.py complaintloop/processes/diff.py

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/mypy $(TYPED)

fmt:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf var/

# Refresh the vendored front-end files from npm (they are committed; run only to upgrade).
vendor:
	npm install --no-save --silent
	cp node_modules/htmx.org/dist/htmx.min.js complaintloop/web/static/vendor/htmx.min.js
	cp node_modules/@alpinejs/csp/dist/cdn.min.js complaintloop/web/static/vendor/alpine-csp.min.js
	cp node_modules/echarts/dist/echarts.min.js complaintloop/web/static/vendor/echarts.min.js
	mkdir -p complaintloop/web/static/vendor/bpmn-js/bpmn-font/css complaintloop/web/static/vendor/bpmn-js/bpmn-font/font
	cp node_modules/bpmn-js/dist/bpmn-modeler.production.min.js node_modules/bpmn-js/dist/assets/diagram-js.css node_modules/bpmn-js/dist/assets/bpmn-js.css complaintloop/web/static/vendor/bpmn-js/
	cp node_modules/bpmn-js/dist/assets/bpmn-font/css/bpmn.css complaintloop/web/static/vendor/bpmn-js/bpmn-font/css/
	cp node_modules/bpmn-js/dist/assets/bpmn-font/font/* complaintloop/web/static/vendor/bpmn-js/bpmn-font/font/
	mkdir -p complaintloop/web/static/vendor/dmn-js/dmn-font/css complaintloop/web/static/vendor/dmn-js/dmn-font/font
	cp node_modules/dmn-js/dist/dmn-modeler.production.min.js node_modules/dmn-js/dist/assets/dmn-js-shared.css node_modules/dmn-js/dist/assets/dmn-js-decision-table.css node_modules/dmn-js/dist/assets/dmn-js-decision-table-controls.css complaintloop/web/static/vendor/dmn-js/
	cp node_modules/dmn-js/dist/assets/dmn-font/css/dmn-embedded.css complaintloop/web/static/vendor/dmn-js/dmn-font/css/
	cp node_modules/dmn-js/dist/assets/dmn-font/font/* complaintloop/web/static/vendor/dmn-js/dmn-font/font/
