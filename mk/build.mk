# Lambda artifacts: reproducible zips under build/ (see scripts/build_lambdas.py).

.PHONY: build build-check

build: ## Build the Lambda zips (functions, common layer, deps layer for arm64/py3.12) into build/
	$(PY) scripts/build_lambdas.py

build-check: ## Build the Lambda zips twice and fail unless they are byte-identical
	$(PY) scripts/build_lambdas.py --check
