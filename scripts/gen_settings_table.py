"""Write terraform/modules/functions/settings.json: every setting a Lambda function reads.

For each field of `faceauth.settings.Settings` that some function reads in AWS (its
``used_by``), the environment variable, the functions that read it and faceauth's default
(as the string the function would be given, or null when there is none). The functions
module gives each function every variable it reads from this table, so Terraform and the
Python code cannot drift apart (tests/terraform/test_settings_table.py fails when this file
is stale; `make settings-table` rewrites it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from faceauth.settings import FUNCTIONS, Settings, settings_used_by

TABLE = (
    Path(__file__).resolve().parents[1] / "terraform" / "modules" / "functions" / "settings.json"
)


def _as_environment_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return ",".join(str(item) for item in value)  # list settings read comma-separated
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 90.0 -> "90", as Terraform's tostring(90) writes it
    return str(value)


def settings_table() -> dict[str, dict[str, Any]]:
    """Environment variable -> {"used_by": [functions], "default": str | None}, sorted."""
    table: dict[str, dict[str, Any]] = {}
    for function in FUNCTIONS:
        for variable, field in settings_used_by(function).items():
            entry = table.setdefault(
                variable,
                {
                    "default": _as_environment_value(Settings.model_fields[field].default),
                    "used_by": [],
                },
            )
            entry["used_by"].append(function)
    return dict(sorted(table.items()))


def render() -> str:
    return json.dumps(settings_table(), indent=2) + "\n"


def main() -> None:
    TABLE.write_text(render())
    print(f"{TABLE}: {len(settings_table())} settings")


if __name__ == "__main__":
    main()
