# storefleet — the two commands people need are `make dev` and `make test`.
# Everything else here is a building block of those two.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

UV_VERSION := 0.13.8
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(shell command -v uv 2>/dev/null)
PYTEST_ARGS ?=

.PHONY: help
help:
	@echo "make dev        start the local control plane and storefleet on it; prints URLs and login"
	@echo "make test       install what is needed and run every test tier this machine can run"
	@echo "make toolchain  build the pinned etcd/kube-*/kubectl/kwok/helm/promtool binaries from Go modules"
	@echo "make lint       ruff, mypy (strict), import-linter, generated-file checks"
	@echo "make perf       run the benchmarks in tests/perf"

# ---------- installation ----------
.PHONY: uv
uv:
	@if ! uv --version 2>/dev/null | grep -q "^uv $(UV_VERSION)"; then \
	  echo "installing uv $(UV_VERSION)"; $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"; fi

# requirements.lock pins every Python package by version and hash (exported from uv's resolver by
# `make lock`); installs are exactly that set, then our own package editable on top.
# --compile-bytecode: the kubernetes client's API modules are megabytes of source; where no .pyc is
# written at import (PYTHONDONTWRITEBYTECODE, read-only images) every start compiled them again,
# which cost the operator ~20 s and ~65 MiB of peak RSS.
.PHONY: python-deps
python-deps: uv
	@test -x $(PY) || uv venv --quiet --python $(PYTHON) $(VENV)
	uv pip sync --quiet --compile-bytecode --python $(PY) requirements.lock
	uv pip install --quiet --python $(PY) --no-deps -e .

.PHONY: lock
lock: uv
	uv lock --upgrade-package storefleet
	uv export --frozen --all-groups --no-emit-project --format requirements-txt --no-header -o requirements.lock

.PHONY: system-deps
system-deps:
	bash deploy/scripts/install-system-deps.sh

.PHONY: toolchain
toolchain:
	@command -v go >/dev/null || { echo "Go 1.26 is needed to build the local control plane toolchain"; exit 1; }
	bash deploy/toolchain/build.sh >/dev/null
	@# promtool, for the alert rules' checks and unit tests (a cache directory of its own).
	bash deploy/toolchain/build.sh observability >/dev/null
	@# The real node's binaries only where a real node can run (root, Linux); see realnode.py.
	@if [ "$$(uname -s)" = Linux ] && [ "$$(id -u)" = 0 ]; then bash deploy/toolchain/build.sh node >/dev/null; fi

.PHONY: deps
deps: system-deps python-deps toolchain

# ---------- checks ----------
.PHONY: lint
lint: python-deps storefront-lint frontend-lint
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) -m storefleet_operator.crdgen --check

# ---------- tests ----------
.PHONY: test
test: deps lint medusa-deps storefront-test frontend-test frontend-build
	$(PY) -m pytest -m "not perf" $(PYTEST_ARGS)

.PHONY: test-unit
test-unit: python-deps
	$(PY) -m pytest -m unit $(PYTEST_ARGS)

.PHONY: perf
# The dashboard benchmark serves and measures the production build (frontend/dist).
perf: deps frontend-build
	$(PY) -m pytest -m perf -s $(PYTEST_ARGS)

# ---------- storefront and the real Medusa backend ----------
# Both npm projects install from their committed lockfiles, once per lockfile (a stamp in
# node_modules holds its hash). deploy/images/medusa is the Medusa image's own project, so the
# `medusa` test tier runs exactly what the image runs. The browser tests build the SPA themselves
# (into a temporary directory), so `test` does not run storefront-build.
MEDUSA_PROJECT := deploy/images/medusa
STOREFRONT := storefront-medusa

.PHONY: medusa-deps storefront-deps storefront-lint storefront-test storefront-build
medusa-deps: python-deps
	$(PY) tests/medusa/npm_once.py $(MEDUSA_PROJECT)

storefront-deps: python-deps
	$(PY) tests/medusa/npm_once.py $(STOREFRONT)

storefront-lint: storefront-deps
	cd $(STOREFRONT) && npm run --silent typecheck

storefront-test: storefront-deps
	cd $(STOREFRONT) && npm test --silent

storefront-build: storefront-deps
	cd $(STOREFRONT) && npm run --silent build

# ---------- local platform ----------
.PHONY: dev
dev: deps frontend-build
	$(PY) -m storefleet_localcluster dev

.PHONY: cluster
cluster: deps
	$(PY) -m storefleet_localcluster up

# ---------- dashboard (frontend/) ----------
# Node and npm come from the machine; packages are exactly package-lock.json (npm ci), reinstalled
# only when the lock file is newer than the last install.
FRONTEND := frontend
NPX := cd $(FRONTEND) && npx --no-install

.PHONY: frontend-deps
frontend-deps:
	@command -v npm >/dev/null || { echo "the dashboard needs Node.js 20.19+ with npm"; exit 1; }
	@if [ ! -f $(FRONTEND)/node_modules/.package-lock.json ] || \
	    [ $(FRONTEND)/package-lock.json -nt $(FRONTEND)/node_modules/.package-lock.json ]; then \
	  cd $(FRONTEND) && npm ci --no-audit --no-fund; fi

# The production build the gateway serves at / (STOREFLEET_DASHBOARD_DIR=frontend/dist).
.PHONY: frontend-build
frontend-build: frontend-deps
	$(NPX) vite build --logLevel warn

.PHONY: frontend-test
frontend-test: frontend-deps
	$(NPX) vitest run

.PHONY: frontend-lint
frontend-lint: frontend-deps frontend-api-check
	$(NPX) tsc --noEmit
	$(NPX) eslint --max-warnings 0 .

# TypeScript types and form rules generated from the gateway itself (storefleet_api.export), into the
# absolute directory $(1).
FRONTEND_GENERATED = $(PY) -m storefleet_api.export store-name-rules > $(1)/store-name-rules.json && \
	$(PY) -m storefleet_api.export openapi > $(1)/openapi.json && \
	(cd $(FRONTEND) && npx --no-install openapi-typescript $(1)/openapi.json -o $(1)/schema.d.ts \
	  >/dev/null) && rm $(1)/openapi.json

.PHONY: frontend-api-types
frontend-api-types: python-deps frontend-deps
	$(call FRONTEND_GENERATED,$(CURDIR)/$(FRONTEND)/src/api)

.PHONY: frontend-api-check
frontend-api-check: python-deps frontend-deps
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(call FRONTEND_GENERATED,$$tmp); \
	for file in schema.d.ts store-name-rules.json; do \
	  diff -u $(FRONTEND)/src/api/$$file $$tmp/$$file >/dev/null || { \
	    echo "frontend/src/api/$$file is out of date with the gateway; run make frontend-api-types"; exit 1; }; done
