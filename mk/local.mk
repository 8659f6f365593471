# The local stack (issue 9 item 7, issue 10 items 7-8): `make run` serves the compare API with
# gunicorn workers over a state folder (.local/) that survives restarts: SQLite and versitygw's
# S3 on disk, or any MySQL (DATABASE_URL) and S3 endpoint (FACEAUTH_S3_ENDPOINT_URL).
# Included by the top Makefile, which defines VENV and PY.

PORT ?= 8080
WORKERS ?= 1

.PHONY: run run-reset s3-server

# `make setup` builds the S3 server too (a few minutes the first time, then reused).
setup: s3-server

s3-server: ## Build/reuse the local S3 server (versitygw) in ~/.cache/faceauth-tools/bin
	@scripts/s3-server.sh build

run: $(VENV)/.installed s3-server ## Start the API on http://127.0.0.1:$(PORT)/v1 (WORKERS=N processes; state kept in .local/)
	PORT=$(PORT) WORKERS=$(WORKERS) $(PY) -m faceauth_local

run-reset: $(VENV)/.installed s3-server ## Like run, after deleting the local database and images
	PORT=$(PORT) WORKERS=$(WORKERS) $(PY) -m faceauth_local --reset
