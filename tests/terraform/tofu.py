"""The Terraform toolchain of `make tools` (tofu and the schema-only hashicorp/aws provider),
for the tests that run the engine itself (marker ``tofu``; `make tf-check` runs them)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def tool_versions() -> dict[str, str]:
    """scripts/tool-versions.env as a mapping (KEY=VALUE lines)."""
    versions: dict[str, str] = {}
    for line in (REPO_ROOT / "scripts" / "tool-versions.env").read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            versions[key.strip()] = value.strip()
    return versions


@dataclass(frozen=True)
class Toolchain:
    tofu: Path
    environment: dict[str, str]

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.tofu), *args, "-no-color"],
            cwd=cwd,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


def toolchain(schema_version: str | None = None) -> Toolchain:
    """tofu set up to install hashicorp/aws from the schema-only provider's mirror, or a
    test failure that says how to get what is missing."""
    tools_dir = Path(
        os.environ.get("FACEAUTH_TOOLS_DIR", Path.home() / ".cache" / "faceauth-tools")
    )
    schema_dir = Path(
        os.environ.get("FACEAUTH_TF_SCHEMA_DIR", REPO_ROOT.parent / "shared" / "terraform-schema")
    )
    version = schema_version or tool_versions()["AWS_SCHEMA_LOWEST"]
    tofu = tools_dir / "bin" / "tofu"
    cli_config = tools_dir / f"tofu-aws-{version}.rc"
    schema = schema_dir / f"aws-{version}.json"
    if not tofu.is_file() or not cli_config.is_file():
        pytest.fail(f"no tofu or schema-only provider in {tools_dir}: run `make tools` first")
    if not schema.is_file():
        pytest.fail(
            f"no {schema}: set FACEAUTH_TF_SCHEMA_DIR to the folder holding the hashicorp/aws "
            "schema documents (../shared/terraform-schema)"
        )
    environment = dict(os.environ)
    environment.update(
        TF_CLI_CONFIG_FILE=str(cli_config),
        FACEAUTH_TF_SCHEMA_FILE=str(schema),
        FACEAUTH_TF_SCHEMA_DIR=str(schema_dir),
        FACEAUTH_TOOLS_DIR=str(tools_dir),
        TF_IN_AUTOMATION="1",
    )
    return Toolchain(tofu, environment)


def scratch_copy(module: str, destination: Path) -> Path:
    """A copy of terraform/modules/<module> (and its sibling modules, for relative sources)."""
    shutil.copytree(REPO_ROOT / "terraform" / "modules", destination / "terraform" / "modules")
    return destination / "terraform" / "modules" / module
