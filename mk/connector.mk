# The connector side (issue 6): OpenAPI document, schemathesis, camera page in Chromium.
# Included by the top Makefile, which defines VENV, PY and PYTEST_ARGS.

.PHONY: openapi schemathesis test-browser test-client

openapi: $(VENV)/.installed ## Regenerate api/openapi.yaml (OpenAPI 3.0) from the compare handler
	$(PY) scripts/gen_openapi.py

schemathesis: $(VENV)/.installed ## Fuzz a fresh local server from api/openapi.yaml (no 5xx, answers match the spec)
	$(PY) -m pytest tests/contract/test_schemathesis.py $(PYTEST_ARGS)

test-browser: $(VENV)/.installed ## Camera page in headless Chromium: register -> PASS dashboard, FAIL (screenshots in test-artifacts/)
	$(PY) -m pytest tests/browser $(PYTEST_ARGS)

test-client: $(VENV)/.installed ## Typed client and faceauth CLI against a fake API
	$(PY) -m pytest tests/client $(PYTEST_ARGS)
