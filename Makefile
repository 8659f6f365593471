# faceauth: the one entry point. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export FACEAUTH_TEST_DATABASE_URL ?= mysql+pymysql://root@127.0.0.1:3307/
PYTEST_ARGS ?=

APT_PACKAGES := mariadb-server mariadb-client chromium chromium-driver

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  %-16s %s\n", $$1, $$2}'

.PHONY: setup
setup: system-packages $(VENV)/.installed ## Install everything: Debian packages (MariaDB, Chromium) and the Python venv

.PHONY: system-packages
system-packages: ## Install the Debian packages the tests need (needs root or sudo)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(VENV)/.installed: requirements/*.txt pyproject.toml client/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements/dev.txt
	$(PY) -m pip install -q --no-deps -e . -e ./client
	@touch $@

.PHONY: db-start db-stop
db-start: ## Start the private MariaDB test server (127.0.0.1:3307)
	@scripts/mariadb.sh start
db-stop: ## Stop it
	@scripts/mariadb.sh stop

.PHONY: test
# The tests that run OpenTofu (marker tofu) need `make tools` and run in `make tf-check`.
test: $(VENV)/.installed db-start ## Run every test: unit, integration (MariaDB, moto S3), contract, browser, Terraform invariants
	$(PY) -m pytest -m "not tofu" $(PYTEST_ARGS)

# The one CI definition: .ci/run and .github/workflows/ci.yml both run `make ci`. It starts
# with the README's two commands, then builds or reuses the Terraform toolchain and checks
# terraform/ (scripts/ci-tf-check.sh prints how long each part took), then lints.
.PHONY: ci
ci: ## What CI checks: make setup, make test, make tools tf-check, make lint
	$(MAKE) --no-print-directory setup
	$(MAKE) --no-print-directory test
	bash scripts/ci-tf-check.sh
	$(MAKE) --no-print-directory lint

.PHONY: test-concurrency
test-concurrency: $(VENV)/.installed db-start ## The concurrency suite REPEAT times in a row (default 1; the bar is 20)
	@for i in $$(seq 1 $(or $(REPEAT),1)); do \
	  echo "== concurrency run $$i"; \
	  $(PY) -m pytest -q -p no:cacheprovider tests/integration/test_concurrency.py $(PYTEST_ARGS) || exit 1; \
	done

# The handler fuzz (tests/integration/test_handler_fuzz.py, docs/testing.md): `make test` runs
# 150 scenarios under a fixed seed; `make fuzz` runs FUZZ_EXAMPLES scenarios (about 2.6
# requests each) under FUZZ_SEED, random unless given, in FUZZ_SHARDS xdist workers.
FUZZ_EXAMPLES ?= 10000
FUZZ_SHARDS ?= 2
FUZZ_SEED ?=

.PHONY: fuzz
fuzz: $(VENV)/.installed db-start ## Fuzz the compare handler: FUZZ_EXAMPLES scenarios (~24,000 requests), FUZZ_SEED (printed) to replay
	@seed=$(FUZZ_SEED); seed=$${seed:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; \
	echo "fuzz: FUZZ_SEED=$$seed FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SHARDS=$(FUZZ_SHARDS)"; \
	FUZZ_SEED=$$seed FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SHARDS=$(FUZZ_SHARDS) \
	  $(PY) -m pytest -q -p no:cacheprovider --show-capture=no -n $(FUZZ_SHARDS) \
	  tests/integration/test_handler_fuzz.py $(PYTEST_ARGS)

.PHONY: test-unit
test-unit: $(VENV)/.installed ## Unit tests only (no database)
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

.PHONY: typecheck
typecheck: $(VENV)/.installed ## mypy --strict on our packages
	$(VENV)/bin/mypy

.PHONY: bench
bench: $(VENV)/.installed db-start s3-server ## Compare-path latency, cold import, local engine time, throughput at WORKERS=1/2
	$(PY) bench/bench_compare.py
	$(PY) bench/bench_local_engine.py
	$(PY) bench/bench_lockout_burst.py
	$(PY) bench/bench_workers.py

.PHONY: clean
clean: ## Remove build output and caches
	rm -rf build .pytest_cache .mypy_cache .ruff_cache

-include mk/*.mk
