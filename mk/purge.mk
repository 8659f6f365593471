# The purge (issue 3): one local run against the stack of `make run`, and its benchmark.

BENCH_PURGE_N ?= 10000 100000
BENCH_PURGE_NAIVE_N ?= 2000

.PHONY: purge purge-dry-run bench-purge

purge: $(VENV)/.installed ## Run the purge once against the local stack (`make run`); ARGS=--dry-run to only report
	$(PY) -m purge $(ARGS)

purge-dry-run: $(VENV)/.installed ## Report what the purge would delete from the local stack, change nothing
	$(PY) -m purge --dry-run $(ARGS)

bench-purge: $(VENV)/.installed db-start ## Purge rate on MariaDB + moto's S3 server vs the naive baseline (BENCH_PURGE_N="10000 100000")
	$(PY) bench/bench_purge.py --n $(BENCH_PURGE_N) --naive-n $(BENCH_PURGE_NAIVE_N)
