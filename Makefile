# The two commands: `make up` (the whole system locally) and `make test` (the whole suite).
# Everything else is installed on demand: the virtualenv and Python packages here, the Kafka
# jars (Maven Central, cached in ~/.cache/pana) and PostgreSQL (Debian package) by the harness.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# mypy's cache lives with the downloads (`PANA_CACHE_DIR`, default ~/.cache/pana), not in the
# tree: a fresh clone (CI) checks only what changed. Entries are validated by each file's hash;
# the lock keeps two clones checking at once from writing the same entries.
MYPY_CACHE := $(or $(PANA_CACHE_DIR),$(HOME)/.cache/pana)/mypy
# The tests' Python processes keep their compiled modules under the virtualenv, never beside the
# sources, even where PYTHONDONTWRITEBYTECODE is set: otherwise every service process, operator
# command and benchmark the suite starts compiles every module it imports again (docs/testing.md).
TEST_ENV := env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=$(abspath $(VENV))/pycache

.PHONY: install up down reset status lint format test unit ops soak bench bench-scale bench-quick contracts clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q uv
	$(BIN)/uv pip install -q --python $(BIN)/python -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

up: install ## start Kafka, PostgreSQL and the four services; print where to look (DEMO=1: play a demo year)
	@if [ -n "$(DEMO)" ]; then PANA_DEFAULT_LOGFRAME=pana_peru_demo_v1 $(BIN)/python -m deploy.local.stack up; \
	else $(BIN)/python -m deploy.local.stack up; fi
	@if [ -n "$(DEMO)" ]; then $(BIN)/python -m deploy.demo --participants $(or $(PARTICIPANTS),2000) --rate $(or $(RATE),40) \
	  --key $${PANA_STATE_DIR:-.local}/auth/signing-key.pem; \
	  echo "Dashboard: http://127.0.0.1:$${PANA_INDICATORS_PORT:-8004}/dashboard"; fi

down: ## stop everything `make up` started
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m deploy.local.stack down; fi

reset: down ## stop the stack and delete its local data (databases, topics, keys, logs)
	rm -rf $${PANA_STATE_DIR:-.local}

status: install
	$(BIN)/python -m deploy.local.stack status

lint: install ## ruff (lint + format check), mypy and the import layers (lint-imports)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@mkdir -p $(MYPY_CACHE)
	flock $(MYPY_CACHE).lock env MYPY_CACHE_DIR=$(MYPY_CACHE) $(BIN)/mypy .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

contracts: install ## regenerate JSON Schemas and the AsyncAPI document
	$(BIN)/python -m contracts.generate

test: lint ## the whole suite: lint, types, unit, integration, end-to-end (starts its own infra)
	$(TEST_ENV) $(BIN)/pytest -p no:cacheprovider

unit: install ## the fast tier: unit tests only, no Kafka or PostgreSQL, not the slow trials (seconds)
	$(TEST_ENV) $(BIN)/pytest -p no:cacheprovider -q -m "not slow" tests/unit

ops: install ## an operator command on the local stack: make ops CMD="lag" (pana-ops --help)
	$(BIN)/pana-ops $(or $(CMD),--help)

bench: install ## the benchmark suite (own Kafka + PostgreSQL; at most 20 min); writes BENCHMARKS.md
	$(BIN)/python -m bench

bench-scale: install ## indicators at national scale (issue 24): EVENTS=10000000 by default; writes BENCHMARKS-scale.md
	$(BIN)/python -m bench.scale --events $(or $(EVENTS),10000000) --output BENCHMARKS-scale.md

bench-quick: install ## the quick form (it also runs in make test, as tests/bench)
	$(BIN)/python -m bench --quick --output /dev/null

soak: install ## the long reliability run: faults under load, races, hostile input (writes RELIABILITY.md)
	$(BIN)/python -m reliability --soak

clean: down
	rm -rf .local $(VENV)
