"""The client's error classes are generated from the API's error table and kept in step with it."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fake_api import ERROR_TABLE_PATH

REPO_ROOT = Path(__file__).resolve().parents[2]
GENERATOR = REPO_ROOT / "scripts" / "gen_client_errors.py"
README_MARKERS = (
    "# Client\n\n"
    "<!-- gen_client_errors: start (generated from the error table; do not edit) -->\n"
    "<!-- gen_client_errors: end -->\n\nMore text.\n"
)
LONG_MESSAGE = (
    "The liveness check did not pass: ask the person to look at the camera in good light, "
    "without glasses or a mask, and to follow the instructions on the screen until it ends."
)


def generate(
    tmp_path: Path, table: dict[str, Any], *extra: str
) -> subprocess.CompletedProcess[str]:
    table_path = tmp_path / "error_codes.json"
    table_path.write_text(json.dumps(table))
    readme = tmp_path / "README.md"
    if not readme.exists():
        readme.write_text(README_MARKERS)
    return subprocess.run(
        [
            sys.executable,
            str(GENERATOR),
            "--table",
            str(table_path),
            "--module",
            str(tmp_path / "api_errors.py"),
            "--readme",
            str(readme),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("generated_api_errors", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def table_with(code: str, **row: Any) -> dict[str, Any]:
    table = json.loads(ERROR_TABLE_PATH.read_text())
    table["errors"][code] = {
        "status": 422,
        "retryable": False,
        "retryAfter": None,
        "message": "A new error.",
        **row,
    }
    return table


def test_committed_error_types_match_the_table() -> None:
    # Given the committed api_errors.py and client/README.md
    # When the generator compares them with a fresh generation from error_codes.json
    done = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Then they are identical (otherwise: run `make openapi` and commit)
    assert done.returncode == 0, done.stdout + done.stderr


def test_stale_module_is_reported(tmp_path: Path) -> None:
    # Given a generated module, then a new code in the table
    generate(tmp_path, table_with("FUTURE_CHECK"))
    table = table_with("FUTURE_CHECK")
    table["errors"]["FUTURE_REQUIRED"] = table["errors"]["FUTURE_CHECK"]
    # When the generator checks the module against the table
    done = generate(tmp_path, table, "--check")
    # Then it fails with a diff naming the new class
    assert done.returncode == 1
    assert "+class FutureRequiredError(FaceAuthApiError):" in done.stdout


def test_new_code_gets_its_class_without_hand_edits(tmp_path: Path) -> None:
    # Given a table with a code the client has never seen
    table = table_with("FUTURE_SESSION_EXPIRED", status=409, retryable=True, retryAfter=2)
    # When the module is generated and loaded
    assert generate(tmp_path, table).returncode == 0
    module = load(tmp_path / "api_errors.py")
    # Then the code has its named, exported class with its row, found by its code
    error_type = module.FutureSessionExpiredError
    assert (error_type.code, error_type.status, error_type.retryable) == (
        "FUTURE_SESSION_EXPIRED",
        409,
        True,
    )
    assert "FutureSessionExpiredError" in module.__all__
    assert module.ERRORS_BY_CODE["FUTURE_SESSION_EXPIRED"] is error_type
    assert "retryable after the answer's Retry-After (2 s)" in (error_type.__doc__ or "")


def test_new_code_gets_its_readme_row(tmp_path: Path) -> None:
    # Given a table with a new code
    table = table_with("FUTURE_CHECK", message="The liveness check did not pass.")
    # When the README table is generated
    generate(tmp_path, table)
    # Then the README lists it between the markers and keeps the rest
    readme = (tmp_path / "README.md").read_text()
    row = "| 422 | `FUTURE_CHECK` | `FutureCheckError` | no | The liveness check did not pass."
    assert row in readme
    assert readme.startswith("# Client\n")
    assert readme.endswith("More text.\n")


def test_generated_module_is_clean_for_ruff_with_long_messages(tmp_path: Path) -> None:
    # Given a code whose name ends in _ERROR and whose message is longer than a line
    table = table_with("FUTURE_SERVICE_ERROR", message=LONG_MESSAGE)
    # When the module is generated
    generate(tmp_path, table)
    module = tmp_path / "api_errors.py"
    # Then ruff's formatter and linter (with the repo's settings) accept it as it is
    ruff = [sys.executable, "-m", "ruff"]
    config = ["--config", str(REPO_ROOT / "pyproject.toml")]
    fmt = subprocess.run(
        [*ruff, "format", "--check", "--diff", *config, str(module)],
        capture_output=True,
        text=True,
        check=False,
    )
    lint = subprocess.run(
        [*ruff, "check", *config, str(module)], capture_output=True, text=True, check=False
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert load(module).FutureServiceError.default_message == LONG_MESSAGE


@pytest.mark.parametrize(
    ("row", "complaint"),
    [
        ({"retryable": "yes"}, "retryable must be true or false"),
        ({"status": 200}, "status must be an HTTP error status"),
        ({"retryAfter": "soon"}, "retryAfter must be null, seconds or 'computed'"),
        ({"message": ""}, "message must be a non-empty string"),
    ],
)
def test_malformed_row_is_refused_naming_the_code(
    tmp_path: Path, row: dict[str, Any], complaint: str
) -> None:
    # Given a table with a malformed row
    table = table_with("FUTURE_CHECK", **row)
    # When the generator reads it
    done = generate(tmp_path, table)
    # Then it refuses, naming the code and the field, and writes nothing
    assert done.returncode == 2
    assert f"FUTURE_CHECK: {complaint}" in done.stderr
    assert not (tmp_path / "api_errors.py").exists()


def test_package_works_alone_on_the_standard_library(tmp_path: Path) -> None:
    # Given a copy of the package outside the repo, and a Python without site-packages
    shutil.copytree(REPO_ROOT / "client" / "faceauth_client", tmp_path / "faceauth_client")
    script = (
        "import faceauth_client as fc\n"
        "assert fc.UserLockedError.code == 'USER_LOCKED' and fc.UserLockedError.retryable\n"
        "fc.Client('http://127.0.0.1:9/v1', 'k')\n"
        "print(len(fc.api_errors.ERRORS_BY_CODE))\n"
    )
    # When it is imported and a client is built
    done = subprocess.run(
        [sys.executable, "-E", "-s", "-S", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Then it works without the repo, third-party packages or the error table's file
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == len(json.loads(ERROR_TABLE_PATH.read_text())["errors"])
