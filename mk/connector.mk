# The connector side (issues 6, 12): OpenAPI document, client error types, schemathesis, the
# camera page and the liveness page. Included by the top Makefile, which defines VENV, PY and
# PYTEST_ARGS.

.PHONY: openapi schemathesis test-browser test-client liveness-page clean-liveness-page

# The liveness page (web/liveness-app, React + Amplify UI) is built with npm from its lockfile
# into web/liveness/, which the local server serves at /liveness/index.html.
LIVENESS_APP := web/liveness-app
LIVENESS_PAGE := web/liveness/index.html
NODE_MIN := 20.19

setup: liveness-page
test test-browser: liveness-page
clean: clean-liveness-page

liveness-page: $(LIVENESS_PAGE) ## Build the liveness page: npm ci + vite build, web/liveness-app -> web/liveness/

# npm ci writes node_modules/.package-lock.json last: it stands for a complete install.
# --ignore-scripts: nothing the page needs runs an install script.
$(LIVENESS_APP)/node_modules/.package-lock.json: $(LIVENESS_APP)/package.json $(LIVENESS_APP)/package-lock.json
	@node -e 'const [a, b] = process.versions.node.split(".").map(Number); const [x, y] = "$(NODE_MIN)".split(".").map(Number); process.exit(a > x || (a === x && b >= y) ? 0 : 1)' \
	  || { echo "the liveness page needs Node.js $(NODE_MIN) or newer (found $$(node --version 2>&1))" >&2; exit 1; }
	npm ci --prefix $(LIVENESS_APP) --ignore-scripts --no-audit --no-fund

$(LIVENESS_PAGE): $(LIVENESS_APP)/node_modules/.package-lock.json $(LIVENESS_APP)/index.html \
  $(LIVENESS_APP)/vite.config.js $(wildcard $(LIVENESS_APP)/src/*) web/styles.css
	npm run --prefix $(LIVENESS_APP) --silent build

clean-liveness-page:
	rm -rf web/liveness $(LIVENESS_APP)/node_modules

openapi: $(VENV)/.installed ## Regenerate api/openapi.yaml and the client's error types (from the error table)
	$(PY) scripts/gen_openapi.py
	$(PY) scripts/gen_client_errors.py

schemathesis: $(VENV)/.installed ## Fuzz a fresh local server from api/openapi.yaml (no 5xx, answers match the spec)
	$(PY) -m pytest tests/contract/test_schemathesis.py $(PYTEST_ARGS)

test-browser: $(VENV)/.installed ## Camera, liveness and CORS pages in headless Chromium (screenshots in test-artifacts/)
	$(PY) -m pytest tests/browser $(PYTEST_ARGS)

test-client: $(VENV)/.installed ## Typed client and faceauth CLI against a fake API
	$(PY) -m pytest tests/client $(PYTEST_ARGS)
