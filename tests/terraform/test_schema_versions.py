"""tf-check validates and tests against the lowest hashicorp/aws release the environments
allow (scripts/tool-versions.env AWS_SCHEMA_LOWEST) and the newest one we have."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.terraform.parsed import ENVIRONMENTS, parse
from tests.terraform.tofu import tool_versions

ENVIRONMENT_DIRS = sorted(path for path in ENVIRONMENTS.iterdir() if path.is_dir())


def _lowest_allowed(constraint: str) -> tuple[int, ...]:
    """The lowest release a `~> X.Y` or `>= X.Y[.Z]` constraint allows."""
    match = re.fullmatch(r"(?:~>|>=)\s*([0-9]+(?:\.[0-9]+)*)", constraint.strip())
    assert match, f"unexpected provider constraint {constraint!r}"
    parts = tuple(int(part) for part in match.group(1).split("."))
    return parts + (0,) * (3 - len(parts))


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


@pytest.mark.parametrize("environment", ENVIRONMENT_DIRS, ids=lambda p: p.name)
def test_the_pinned_schema_is_the_lowest_release_the_environment_allows(
    environment: Path,
) -> None:
    # Given the environment's hashicorp/aws constraint
    aws = parse(environment / "versions.tf")["terraform"][0]["required_providers"][0]["aws"]
    # Then tf-check's lowest schema is the lowest release it allows
    assert _lowest_allowed(aws["version"]) == _version(tool_versions()["AWS_SCHEMA_LOWEST"])


def test_the_newest_schema_is_newer_than_the_lowest() -> None:
    versions = tool_versions()
    assert _version(versions["AWS_SCHEMA_NEWEST"]) > _version(versions["AWS_SCHEMA_LOWEST"])
