# The local stack's S3 server (versitygw), built once into ~/.cache/faceauth-tools/bin.
# Included by the top Makefile.

.PHONY: s3-server

# `make setup` builds the S3 server too (a few minutes the first time, then reused).
setup: s3-server

s3-server: ## Build/reuse the local S3 server (versitygw) in ~/.cache/faceauth-tools/bin
	@scripts/s3-server.sh build
