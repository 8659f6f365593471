"""api/openapi.yaml is generated from the handler: it must match the code and be valid 3.0."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from openapi_spec_validator import validate

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC = REPO_ROOT / "api" / "openapi.yaml"


def test_committed_spec_matches_the_handler() -> None:
    # Given the committed api/openapi.yaml
    # When the generator compares it with a fresh document from functions/compare
    done = subprocess.run(
        [sys.executable, "scripts/gen_openapi.py", "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Then they are identical (otherwise: run `make openapi` and commit)
    assert done.returncode == 0, done.stdout + done.stderr


def test_committed_spec_is_valid_openapi_30() -> None:
    # Given the committed spec
    document = yaml.safe_load(SPEC.read_text())
    # When it is validated against the OpenAPI schema
    validate(document)
    # Then it is 3.0.x, which low-code platforms import
    assert document["openapi"].startswith("3.0.")


def test_every_operation_but_health_needs_the_api_key() -> None:
    # Given the spec's global x-api-key requirement
    document = yaml.safe_load(SPEC.read_text())
    scheme = document["components"]["securitySchemes"]["apiKey"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "x-api-key")
    assert document["security"] == [{"apiKey": []}]
    # When the operations that opt out are listed
    open_operations = [
        (path, method)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if operation.get("security") == []
    ]
    # Then only the health check is open
    assert open_operations == [("/health", "get")]
