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

from faceauth.settings import FUNCTIONS, Settings, settings_used_by

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


def test_the_defaults_terraform_passes_read_back_as_faceauths_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given every default of the table set as the environment variable a function is given
    table = json.loads(TABLE.read_text())
    for variable, entry in table.items():
        if entry["default"] is not None:
            monkeypatch.setenv(variable, entry["default"])
    monkeypatch.setenv("FACEAUTH_DATABASE_URL", "sqlite://")
    # When faceauth reads its settings
    settings = Settings()
    # Then each is the field's own default (the string form means the same value)
    for variable, entry in table.items():
        field = variable.removeprefix("FACEAUTH_").lower()
        if entry["default"] is not None:
            assert getattr(settings, field) == Settings.model_fields[field].default, variable
