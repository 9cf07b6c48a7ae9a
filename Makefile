# partybuilding: two commands set everything up on a fresh machine, `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
GEN := build/gen
PROTOS := $(shell find protos -name '*.proto')
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: setup protos run run-distributed test test-unit test-integration bench lint clean services

setup: $(STAMP) $(GEN)/.stamp

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade 'pip>=24'
	$(PY) -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-*; touch $@

# Generated stubs live in build/gen (ignored) and reach the venv through a .pth file.
# google/longrunning/operations.proto comes from googleapis-common-protos, which ships it as
# operations_proto.proto; build/include gives it the name its generated module registers.
$(GEN)/.stamp: $(PROTOS) $(STAMP)
	@rm -rf $(GEN) build/include; mkdir -p $(GEN) build/include/google/longrunning
	@site=$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'); \
	cp $$site/google/longrunning/operations_proto.proto build/include/google/longrunning/operations.proto; \
	$(PY) -m grpc_tools.protoc -Iprotos -Ibuild/include -I$$site --python_out=$(GEN) --pyi_out=$(GEN) \
	  --grpc_python_out=$(GEN) $(PROTOS)
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

lint: setup
	$(VENV)/bin/ruff check services tests bench

clean:
	rm -rf $(VENV) build var .pytest_cache
