# The connector side (issue 6): OpenAPI document, client error types, schemathesis, camera page.
# Included by the top Makefile, which defines VENV, PY and PYTEST_ARGS.

.PHONY: openapi schemathesis test-browser test-client

openapi: $(VENV)/.installed ## Regenerate api/openapi.yaml and the client's error types (from the error table)
	$(PY) scripts/gen_openapi.py
	$(PY) scripts/gen_client_errors.py

schemathesis: $(VENV)/.installed ## Fuzz a fresh local server from api/openapi.yaml (no 5xx, answers match the spec)
	$(PY) -m pytest tests/contract/test_schemathesis.py $(PYTEST_ARGS)

test-browser: $(VENV)/.installed ## Camera page in headless Chromium: register -> PASS dashboard, FAIL (screenshots in test-artifacts/)
	$(PY) -m pytest tests/browser $(PYTEST_ARGS)

test-client: $(VENV)/.installed ## Typed client and faceauth CLI against a fake API
	$(PY) -m pytest tests/client $(PYTEST_ARGS)
