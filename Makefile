# Bridgework: `make run` serves the demo, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails point where this server answers, unless told otherwise.
SITE_URL ?= http://$(HOST):$(PORT)
PIP_QUIET := --quiet --disable-pip-version-check
export PIP_NO_INPUT := 1

.PHONY: run test test-fast lint format bench load faults mutants messages install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	@echo "Installing Bridgework and its pinned dependencies into $(VENV)…"
	@$(BIN)/pip install $(PIP_QUIET) --upgrade pip 2>&1 | grep -v "is ignored" || true
	@set -o pipefail; $(BIN)/pip install $(PIP_QUIET) -c constraints.txt -e '.[test,lint,rq]' 2>&1 | grep -v "is ignored" || test $${PIPESTATUS[0]} -eq 0
	@touch $@

install: $(VENV)/.installed

# The access log names the path, never the query string: calendar feeds carry their token there.
ACCESS_LOG_FORMAT := %(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms

# Background work beside the web server: the task worker of the selected backend (README,
# "Background work") and the scheduler that enqueues the periodic jobs.
ifeq ($(TASK_BACKEND),rq)
WORKER := $(BIN)/bridgework rqworker --job-class django_tasks_rq.Job --with-scheduler default
else
WORKER := $(BIN)/bridgework db_worker --queue-name '*' --no-reload
endif

run: export SITE_URL := $(SITE_URL)
run: install
	@$(BIN)/bridgework migrate --no-input -v 0
	@$(BIN)/bridgework compilemessages -v 0 --ignore=.venv 2>/dev/null || true
	@$(BIN)/bridgework collectstatic --no-input -v 0
	@$(BIN)/bridgework load_demo
	@echo
	@echo "Bridgework is at http://$(HOST):$(PORT)/  (Ctrl+C stops it, its task worker and scheduler)"
	@trap 'kill $$(jobs -p) 2>/dev/null; wait' EXIT; trap 'exit 130' INT TERM; \
	$(WORKER) & \
	$(BIN)/bridgework scheduler & \
	$(BIN)/gunicorn bridgework.wsgi --bind $(HOST):$(PORT) --workers 3 --threads 4 \
		--no-control-socket --access-logfile - --access-logformat '$(ACCESS_LOG_FORMAT)' \
		--error-logfile - & \
	wait -n

# Tests run on every core (pytest-xdist), each test class on one worker: TEST_WORKERS=0 runs
# them in one process.
TEST_WORKERS ?= auto
TEST_PARALLEL := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadscope)

test: install
	@$(BIN)/bridgework compilemessages -v 0 --ignore=.venv 2>/dev/null || true
	$(BIN)/pytest $(TEST_PARALLEL) $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest $(TEST_PARALLEL) -m "not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bridgework

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

mutants: install
	$(BIN)/python -m tests.mutation $(MUTANTS)

# Lists, 3W and throughput (docs/benchmarks.md), then indicator roll-ups (docs/benchmarks-plans.md),
# then the knowledge search (docs/benchmarks-knowledge.md), then the funding lists at 20,000
# applications beside Hypha's figure (docs/benchmarks-funding.md). On PostgreSQL when DATABASE_URL
# names one: each run in a database of its own, each report in docs/benchmarks-*-postgresql.md.
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)
	$(BIN)/python -m bench.plans_run $(PLANS_BENCH_ARGS)
	$(BIN)/python -m bench.knowledge_run $(KNOWLEDGE_BENCH_ARGS)
	$(BIN)/python -m bench.funding_run $(FUNDING_BENCH_ARGS)

# Locust for `make load`, an extra of its own (it brings gevent, which nothing else needs).
$(VENV)/.installed-load: $(VENV)/.installed
	@set -o pipefail; $(BIN)/pip install $(PIP_QUIET) -c constraints.txt -e '.[load]' 2>&1 | grep -v "is ignored" || test $${PIPESTATUS[0]} -eq 0
	@touch $@

# A mixed load at 60 % of measured capacity for LOAD_SECONDS (default 600) on SQLite, then on
# PostgreSQL when DATABASE_URL names it (in a database of its own, bw_load); writes docs/load.md.
load: $(VENV)/.installed-load
	$(BIN)/python -m bench.load $(LOAD_ARGS)

# Breaks the server on purpose (a killed worker, PostgreSQL stopped when DATABASE_URL names a
# local cluster, a read-only or full SQLite disk) and prints PASS/FAIL for what people see.
# For maintainers, not CI: run as root for the full-disk check; it stops the local PostgreSQL.
faults: install
	$(BIN)/python -m bench.faults $(FAULTS_ARGS)

messages: install
	cd bridgework && ../$(BIN)/bridgework makemessages -l fr -l ar --ignore=*/demo.py && ../$(BIN)/bridgework compilemessages

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
