# The two commands: `make run` sets up and starts the whole portal; `make test`
# sets up and passes every test. Everything else here serves those two.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
ENV := set -a; . deploy/local/env.sh; set +a
PYTEST_WORKERS ?= 2

.PHONY: run test down setup infra services browser stop-services req-report bench lint schemas help

help:
	@echo "make run | test | down | req-report | bench | lint"

setup:
	@bash deploy/local/setup.sh

infra: setup
	@bash deploy/local/infra.sh up --no-setup

services: infra
	@bash deploy/local/services.sh start

# Debian's Chromium for the web client's browser tests (tests/browser).
browser:
	@bash deploy/local/browser.sh

# Instances per process: deploy/topology.toml, or e.g.
# PORTAL_INSTANCES_IDENTITY=2 PORTAL_INSTANCES_TRADE_ACCOUNTS_WORKER=3 make run
run: services
	@echo
	@$(ENV); echo "The C-TPAT Partner Portal is running: $$PORTAL_GATEWAY_URL  (API under /api/<service>/, docs at /openapi.json)"
	@echo "Stop everything with: make down"

stop-services:
	@bash deploy/local/services.sh stop

down:
	@bash deploy/local/services.sh stop || true
	@bash deploy/local/infra.sh down

# Every suite: unit, integration, API, gateway, system. Infrastructure and
# services come up once; tests reach them through the addresses env.sh exports.
test: services browser
	@rm -rf reports/req && mkdir -p reports/req
	@$(ENV); export PORTAL_REQ_REPORT_DIR=$$PWD/reports/req; \
	  .venv/bin/python -m pytest -n $(PYTEST_WORKERS) -p no:cacheprovider -q -m "not fault" \
	    libs services gateway web tests
	@# Fault tests break shared infrastructure (they kill the broker): alone, last.
	@$(ENV); export PORTAL_REQ_REPORT_DIR=$$PWD/reports/req; \
	  .venv/bin/python -m pytest -p no:cacheprovider -q -m fault tests/fault

req-report:
	@if ! ls reports/req/*.jsonl >/dev/null 2>&1; then $(MAKE) --no-print-directory test; fi
	@.venv/bin/python tests/req_report.py ../shared/spec/requirements.md reports/req

# `make bench` runs every measurement in bench/; `make bench BENCH="floor scale"` only those sections.
bench: services
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	@$(ENV); .venv/bin/python -m bench $(BENCH)

# ruff; vulture for dead code (names frameworks call are in lint/vulture_whitelist.py or
# ignored by decorator below: at 60% confidence it reports unused functions, methods,
# classes, attributes and variables, not just imports); the published event schemas
# only gain optional fields (libs/portal-events/published/, portal_events.compatibility).
VULTURE_IGNORE_DECORATORS := @router.*,@uploads.*,@app.*,@*.exception_handler,@field_validator,@model_validator,@computed_field,@pytest.fixture,@schemathesis.*
VULTURE_IGNORE_NAMES := model_config,revision,down_revision,branch_labels,depends_on,upgrade,downgrade,pytestmark,pytest_*
lint:
	@.venv/bin/ruff check libs services gateway web tests
	@.venv/bin/vulture libs services gateway web tests $(wildcard bench) lint/vulture_whitelist.py --min-confidence 60 \
	  --ignore-decorators '$(VULTURE_IGNORE_DECORATORS)' --ignore-names '$(VULTURE_IGNORE_NAMES)'
	@.venv/bin/python -m portal_events.schema_files check

schemas:
	@.venv/bin/python -m portal_events.schema_files write
