"""`tofu validate` against the hashicorp/aws schema catches the mistakes a schema can show.

Each test plants one mistake in a scratch copy of the schedule module and runs the engine:
the validation must fail, say what is wrong, and name the file and line. Needs `make tools`
(marker ``tofu``: `make tf-check` runs these).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.terraform.tofu import REPO_ROOT, scratch_copy, tool_versions, toolchain

pytestmark = pytest.mark.tofu

MODULE = "schedule"


def _plant(main_tf: Path, old: str, new: str, where: str | None = None) -> int:
    """Replace the one occurrence of old by new in main.tf; the 1-based line of `where` (by
    default the planted text) in the changed file: where tofu should point."""
    text = main_tf.read_text()
    assert text.count(old) == 1, f"{old!r} is not in {main_tf.name} exactly once"
    planted = text.replace(old, new)
    main_tf.write_text(planted)
    anchor = where or (new.strip().splitlines()[0] if new.strip() else old)
    return planted[: planted.index(anchor)].count("\n") + 1


def _validate(module: Path) -> subprocess.CompletedProcess[str]:
    tofu = toolchain()
    init = tofu.run("init", "-backend=false", "-input=false", cwd=module)
    assert init.returncode == 0, init.stdout + init.stderr
    return tofu.run("validate", cwd=module)


def test_the_unchanged_module_validates(tmp_path: Path) -> None:
    # Given a scratch copy of the module as committed
    module = scratch_copy(MODULE, tmp_path)
    # When tofu validates it
    result = _validate(module)
    # Then it is valid (so each failure below is the planted mistake's)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("mistake", "old", "new", "where", "message"),
    [
        pytest.param(
            "unknown argument",
            "  message_retention_seconds = 1209600",
            "  retention_period_days     = 14\n  message_retention_seconds = 1209600",
            None,
            'Unsupported argument.*An argument named "retention_period_days" is not expected',
            id="unknown-argument",
        ),
        pytest.param(
            "missing required argument",
            "  schedule_expression          = var.schedule_expression\n",
            "",
            'resource "aws_scheduler_schedule" "purge" {',
            'Missing required argument.*The argument "schedule_expression" is required',
            id="missing-required-argument",
        ),
        pytest.param(
            "wrong block name",
            "  flexible_time_window {",
            "  flexible_window {",
            None,
            'Unsupported block type.*Blocks of type "flexible_window" are not expected',
            id="wrong-block-name",
        ),
    ],
)
def test_validate_fails_on_a_planted_mistake_naming_file_and_line(
    tmp_path: Path, mistake: str, old: str, new: str, where: str | None, message: str
) -> None:
    # Given a scratch copy of the module with one mistake planted in main.tf
    module = scratch_copy(MODULE, tmp_path)
    line = _plant(module / "main.tf", old, new, where)
    # When tofu validates it against the hashicorp/aws schema
    result = _validate(module)
    # Then validation fails, says what is wrong and where
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"{mistake} was not caught:\n{output}"
    assert re.search(message, output, flags=re.DOTALL), output
    assert re.search(rf"on main\.tf line {line}\b", output), (
        f"{mistake}: no mention of main.tf line {line}:\n{output}"
    )


def test_make_tf_check_names_the_file_and_line_of_an_unknown_argument(tmp_path: Path) -> None:
    # Given a terraform/ tree whose schedule module has an unknown argument
    module = scratch_copy(MODULE, tmp_path)
    line = _plant(
        module / "main.tf",
        "  message_retention_seconds = 1209600",
        "  retention_period_days     = 14\n  message_retention_seconds = 1209600",
    )
    # (only that module, so the check stays short)
    for other in module.parent.iterdir():
        if other != module:
            subprocess.run(["rm", "-rf", str(other)], check=True)
    tofu = toolchain()
    # When `make tf-validate` (the validate step of `make tf-check`) runs on that tree
    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-C",
            str(REPO_ROOT),
            "tf-validate",
            f"TF_ROOT={tmp_path / 'terraform'}",
            f"TF_WORK={tmp_path / 'work'}",
            f"TF_AWS_SCHEMAS={tool_versions()['AWS_SCHEMA_LOWEST']}",
        ],
        env=tofu.environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    # Then it fails, naming the module's file from the tree's root and the line
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Unsupported argument" in output, output
    assert f"on {tmp_path}/terraform/modules/{MODULE}/main.tf line {line}" in output, output
