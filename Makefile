# partybuilding: two commands set everything up on a fresh machine, `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
GEN := build/gen
PROTOS := $(shell find protos -name '*.proto')
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: setup protos run run-distributed test test-unit test-integration bench faults lint clean services

setup: $(STAMP) $(GEN)/.stamp

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade 'pip>=24'
	$(PY) -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-*; touch $@

# Generated stubs live in build/gen (ignored) and reach the venv through a .pth file.
$(GEN)/.stamp: $(PROTOS) $(STAMP)
	@rm -rf $(GEN); mkdir -p $(GEN)
	$(PY) -m grpc_tools.protoc -Iprotos --python_out=$(GEN) --pyi_out=$(GEN) --grpc_python_out=$(GEN) $(PROTOS)
	@echo "$(CURDIR)/$(GEN)" > $$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/partybuilding-gen.pth
	@touch $@

protos: $(GEN)/.stamp

# One process, SQLite files under ./var, demo county 宜君县 loaded on first start.
run: setup
	$(VENV)/bin/pbctl serve --demo

# Production wiring: PostgreSQL + RabbitMQ, one process per role (gRPC server, relay, worker).
run-distributed: setup services
	$(VENV)/bin/pbctl run-distributed

services:
	@bash scripts/ensure-services.sh

test: setup services
	$(PY) -m pytest -q tests

test-unit: setup
	$(PY) -m pytest -q tests/unit

test-integration: setup services
	$(PY) -m pytest -q tests/integration tests/e2e

bench: setup services
	$(PY) -m bench

# The event backbone's four outages at full length (broker stopped 60 s, relay killed mid-batch,
# server killed, database unreachable 15 s) on PostgreSQL + RabbitMQ; prints a [faults] report.
faults: setup services
	set -o pipefail; PB_FAULT_BROKER_SECONDS=60 PB_FAULT_DB_SECONDS=15 $(PY) -m pytest -q -s -p no:cacheprovider \
		tests/integration/test_events_rabbitmq.py -k scenario 2>&1 | grep -E '^\[faults\]|passed|failed|^E  '

lint: setup
	$(VENV)/bin/ruff check services tests bench

clean:
	rm -rf $(VENV) build var .pytest_cache
