# partybuilding: two commands set everything up on a fresh machine, `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
GEN := build/gen
PROTODEPS := build/protodeps
PROTOS := $(shell find protos -name '*.proto')
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: setup protos run run-distributed test test-unit test-integration bench faults lint lint-protos clean services

setup: $(STAMP) $(GEN)/.stamp

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade 'pip>=24'
	$(PY) -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-*; touch $@

# Generated stubs live in build/gen (ignored) and reach the venv through a .pth file.
$(GEN)/.stamp: $(PROTOS) $(STAMP) $(PROTODEPS)/.stamp
	@rm -rf $(GEN); mkdir -p $(GEN)
	$(PY) -m grpc_tools.protoc -Iprotos -I$(PROTODEPS) --python_out=$(GEN) --pyi_out=$(GEN) \
	  --grpc_python_out=$(GEN) $(PROTOS)
	@echo "$(CURDIR)/$(GEN)" > $$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/partybuilding-gen.pth
	@touch $@

# The googleapis protos of googleapis-common-protos, where protoc and buf can import them.
# The package ships google/longrunning/operations.proto as operations_proto.proto; here it gets
# the name its generated module registers (and that our protos import).
$(PROTODEPS)/.stamp: $(STAMP)
	@rm -rf $(PROTODEPS); mkdir -p $(PROTODEPS)
	@cd $$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') && \
		find google -name '*.proto' -exec cp --parents {} $(CURDIR)/$(PROTODEPS)/ \;
	@mv $(PROTODEPS)/google/longrunning/operations_proto.proto $(PROTODEPS)/google/longrunning/operations.proto
	@touch $@

protos: $(GEN)/.stamp

# One process, SQLite files under ./var, demo county 宜君县 loaded on first start.
run: setup
	$(VENV)/bin/pbctl serve --demo

# Production wiring: PostgreSQL + RabbitMQ, one process per role (gRPC server, relay, worker);
# REPLICAS=2 runs two of each, called round robin (docs/scaling.md).
REPLICAS ?= 1
run-distributed: setup services
	$(VENV)/bin/pbctl run-distributed --replicas $(REPLICAS)

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

lint: setup lint-protos
	$(VENV)/bin/ruff check services tests bench

# buf from the pinned npm package (package.json, package-lock.json) into ./node_modules.
BUF := node_modules/.bin/buf
# The protos before the change; on a branch, `make lint BUF_AGAINST=main` (or a release tag).
BUF_AGAINST ?= HEAD~1
AGAINST := build/buf-against

$(BUF): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

# buf breaking compares with an image of the earlier protos compiled by protoc with the same
# imports, so it works whether or not that commit had buf.yaml or imported googleapis protos.
lint-protos: $(BUF) $(PROTODEPS)/.stamp
	$(BUF) lint protos
	@rm -rf $(AGAINST); mkdir -p $(AGAINST)
	@if ! git rev-parse -q --verify '$(BUF_AGAINST)^{commit}' >/dev/null; then \
		echo "buf breaking skipped: no commit $(BUF_AGAINST) (shallow clone?); set BUF_AGAINST" >&2; \
	else \
		git archive '$(BUF_AGAINST)' protos | tar -x -C $(AGAINST) && \
		cd $(AGAINST)/protos && $(abspath $(PY)) -m grpc_tools.protoc -I. -I$(CURDIR)/$(PROTODEPS) \
			--include_imports -o ../image.binpb $$(find . -name '*.proto' | sed 's|^\./||') && \
		cd $(CURDIR) && echo "$(BUF) breaking protos --against $(BUF_AGAINST)" && \
		$(BUF) breaking protos --against $(AGAINST)/image.binpb; \
	fi

clean:
	rm -rf $(VENV) build var .pytest_cache node_modules
