"""The functions module's settings table is faceauth.settings, as the Lambda functions read it.

terraform/modules/functions/settings.json lists every FACEAUTH_* variable each function reads
in AWS (each Settings field's ``used_by``) with faceauth's default; the module gives every
function each variable it reads from it, and its `tofu test` checks that (configuration
parity). These tests keep the table equal to the code.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from faceauth.settings import FUNCTIONS, settings_used_by

REPO_ROOT = Path(__file__).resolve().parents[2]
TABLE = REPO_ROOT / "terraform" / "modules" / "functions" / "settings.json"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_settings_table", REPO_ROOT / "scripts" / "gen_settings_table.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_table_is_what_the_code_generates() -> None:
    # Given faceauth.settings as it is, When the table is generated
    expected = _generator().render()
    # Then it is the committed file, byte for byte
    assert TABLE.read_text() == expected, "stale settings.json: run `make settings-table`"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_the_table_lists_every_setting_a_function_reads(function: str) -> None:
    # Given the committed table, When it is read for one function
    table = json.loads(TABLE.read_text())
    listed = {name for name, entry in table.items() if function in entry["used_by"]}
    # Then it names exactly the variables that function reads
    assert listed == set(settings_used_by(function))


def test_the_purge_reads_the_threshold_compare_decides_with() -> None:
    # Given the table, Then the threshold goes to both compare and the purge (issue 11: the
    # purge lost it and fell back to a default that could differ from compare's)
    table = json.loads(TABLE.read_text())
    assert set(table["FACEAUTH_PASS_THRESHOLD"]["used_by"]) == {"compare", "purge"}
