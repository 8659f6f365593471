"""The Terraform tree parsed with python-hcl2, with the quoting python-hcl2 keeps stripped off.

python-hcl2 8 keeps string literals quoted (``'"NONE"'``) and expressions wrapped
(``"${var.x}"``). ``unquote`` turns literals into plain strings and leaves expressions as
they are, so a test can tell a literal ``"*"`` from a reference.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

REPO_ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = REPO_ROOT / "terraform"
MODULES = TERRAFORM / "modules"
ENVIRONMENTS = TERRAFORM / "environments"


def tf_files() -> list[Path]:
    """Every .tf file under terraform/, sorted."""
    return sorted(TERRAFORM.rglob("*.tf"))


def unquote(value: Any) -> Any:
    """Strip python-hcl2's quotes from string literals and keys, recursively."""
    if isinstance(value, str):
        if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
            return value[1:-1]
        return value
    if isinstance(value, list):
        return [unquote(item) for item in value]
    if isinstance(value, dict):
        return {
            unquote(key): unquote(item)
            for key, item in value.items()
            if key not in ("__comments__", "__is_block__")
        }
    return value


@cache
def parse(path: Path) -> dict[str, Any]:
    """One .tf file, parsed and unquoted."""
    result: dict[str, Any] = unquote(hcl2.loads(path.read_text()))
    return result


@dataclass(frozen=True)
class Block:
    """A resource or data block: type, name, body, and the directory (module) it lives in."""

    kind: str  # "resource" or "data"
    type: str
    name: str
    body: dict[str, Any]
    module: Path

    @property
    def address(self) -> str:
        prefix = "data." if self.kind == "data" else ""
        return f"{self.module.relative_to(TERRAFORM)}: {prefix}{self.type}.{self.name}"


def blocks(kind: str, type_: str | None = None, module: Path | None = None) -> Iterator[Block]:
    """Every resource (or data) block, optionally of one type or in one module directory."""
    for path in tf_files():
        if module is not None and path.parent != module:
            continue
        for entry in parse(path).get(kind, []):
            for block_type, named in entry.items():
                if type_ is not None and block_type != type_:
                    continue
                for name, body in named.items():
                    yield Block(kind, block_type, name, body, path.parent)


def resources(type_: str | None = None, module: Path | None = None) -> list[Block]:
    """Every resource block, optionally of one type or in one module directory."""
    return list(blocks("resource", type_, module))


def data_sources(type_: str | None = None, module: Path | None = None) -> list[Block]:
    """Every data block, optionally of one type or in one module directory."""
    return list(blocks("data", type_, module))


def locals_of(module: Path) -> dict[str, Any]:
    """All locals declared in one module directory, merged."""
    merged: dict[str, Any] = {}
    for path in sorted(module.glob("*.tf")):
        for entry in parse(path).get("locals", []):
            merged.update(entry)
    return merged


def module_calls(environment: Path) -> dict[str, dict[str, Any]]:
    """The module blocks of a root module, by name."""
    calls: dict[str, dict[str, Any]] = {}
    for path in sorted(environment.glob("*.tf")):
        for entry in parse(path).get("module", []):
            calls.update(entry)
    return calls


def nested(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The nested blocks called name (python-hcl2 gives a list of bodies)."""
    value = body.get(name, [])
    return value if isinstance(value, list) else [value]


def resolve_list(expression: Any, module: Path) -> list[Any]:
    """A literal list, or the literal list a ``${local.name}`` reference points at."""
    if isinstance(expression, list):
        return expression
    if (
        isinstance(expression, str)
        and expression.startswith("${local.")
        and expression.endswith("}")
    ):
        name = expression[len("${local.") : -1]
        value = locals_of(module).get(name)
        if isinstance(value, list):
            return value
    raise AssertionError(f"cannot resolve {expression!r} in {module} to a literal list")
