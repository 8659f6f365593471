"""schemathesis against the running local server, from the committed api/openapi.yaml.

Every generated request (valid and invalid) must get no 5xx, and every answer must match the
spec: documented status, content type, headers and body schema. `make schemathesis` runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.local_server import LocalServer, run_local_server

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC = REPO_ROOT / "api" / "openapi.yaml"
CONFIG = Path(__file__).with_name("schemathesis.toml")
REPORTS = REPO_ROOT / "test-artifacts" / "schemathesis"
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "30")  # per operation
SEED = os.environ.get("SCHEMATHESIS_SEED", "20261126")  # fixed: the same cases in every CI run


@pytest.fixture(scope="module")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    with run_local_server(tmp_path_factory.mktemp("faceauth-schemathesis")) as server:
        yield server


def test_local_server_conforms_to_the_spec(local_server: LocalServer) -> None:
    # Given the local server and the committed spec
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(CONFIG),
        "run",
        str(SPEC),
        "--url",
        local_server.api_url,
        "--header",
        f"x-api-key: {local_server.api_key}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        MAX_EXAMPLES,
        "--seed",
        SEED,
        "--workers",
        "1",  # the local server runs one request at a time, like one Lambda container
        "--continue-on-failure",
        "--request-timeout",
        "30",
        "--report",
        "junit",
        "--report-dir",
        str(REPORTS),
    ]
    # When schemathesis generates requests for every operation
    done = subprocess.run(
        command,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    # Then no answer is a server error or strays from the spec
    assert done.returncode == 0, done.stdout[-20000:] + done.stderr[-5000:]
