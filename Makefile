# The two commands a newcomer needs: `make run` and `make test`. Both start from a fresh clone on a
# machine with only Python: they create .venv, install requirements-dev.txt (the runtime
# requirements.txt plus tests and tooling) and, unless DATABASE_URL
# is set, start the embedded PostgreSQL under .data/.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Four test processes on two cores: many tests wait on a real worker, browser or server, so the
# extra processes keep the cores busy while they wait (measured: 439 s with 4 against 466 s with 3,
# same machine, same hour).
TEST_WORKERS ?= 4
export DEBUG ?= 1
# The suite and `make run` start many Python processes (test workers, Celery workers, gunicorn,
# commands): let them keep compiled modules instead of compiling every module again in each one.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install run test lint format stop-db bench clean-data

# pip --no-compile: compiling every installed module took half the install; a process compiles
# (and keeps, see above) only the modules it imports.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## make run: migrate, seed the demo, then web + worker + beat under one process manager (Ctrl-C stops all)
run: install
	$(PY) manage.py migrate_schemas --noinput -v 0
	$(PY) manage.py ensure_template
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_content_demo
	$(PY) manage.py collectstatic --noinput -v 0
	@echo ""
	@echo "Agency admin:   http://localhost:8000/admin/"
	@echo "Brand admin:    http://kopi-nusantara.localhost:8000/admin/  (also batik-lestari, warung-sehat)"
	@echo "Client reports: http://kopi-nusantara.localhost:8000/reports/incidents/"
	@echo "API docs:       http://kopi-nusantara.localhost:8000/api/docs/"
	@echo "Logins above, each with the address where it signs in; password for all: tanggap-demo"
	@echo ""
	$(PY) -m honcho start -f Procfile

## make test: the whole suite, in parallel, against a real PostgreSQL
test: install
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder -q

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

stop-db: install
	$(PY) -c "from platform.embedded_db import embedded_database_stop; embedded_database_stop()"

bench: install
	$(PY) bench/provision.py
	$(PY) bench/ingest.py
	$(PY) bench/detect.py
	$(PY) bench/review.py
	$(PY) bench/survey_submit.py
	$(PY) bench/publish.py
	$(PY) bench/portfolio.py
