#!/usr/bin/env bash
# What CI runs for the Terraform checks: build the toolchain (or reuse the cache in
# $FACEAUTH_TOOLS_DIR, by default ~/.cache/faceauth-tools), then `make tf-check`.
# Prints how long each part took.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

elapsed() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

start=$(date +%s)
make --no-print-directory tools
tools_done=$(date +%s)
status=0
make --no-print-directory tf-check || status=$?
end=$(date +%s)

echo "ci-tf-check: make tools $(elapsed $((tools_done - start))), make tf-check $(elapsed $((end - tools_done))), total $(elapsed $((end - start))) (exit $status)"
exit "$status"
