# Linters: every pre-commit hook over the whole repo (.pre-commit-config.yaml).

.PHONY: lint lint-install

lint: ## All linters over the repo (pre-commit, offline: ruff, mypy, tofu fmt, tflint, checkov, actionlint, secrets)
	$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure

lint-install: ## Install the git pre-commit hook for this clone
	$(VENV)/bin/pre-commit install
