"""Derive the hashicorp/aws provider-configuration block from cdktn-provider-aws's jsii assembly.

The schema documents in ../shared/terraform-schema have an empty `provider "aws" {}` block.
cdktn-provider-aws (PyPI) ships a jsii assembly generated from the provider's own schema;
its `AwsProviderConfig` struct lists every argument of the block with its type, whether it
is optional and its documentation, whose link names the argument as written in HCL. This
script turns that struct into the `provider` entry of a `providers schema -json` document,
written to tools/tf-schema-provider/provider_config.json (embedded in the schema-only
provider).

What jsii does not keep, and what this derivation therefore assumes:
- blocks (assume_role, default_tags, ...) are arrays of structs in jsii: they become
  `list` blocks without min/max items (the real provider has `set` for endpoints and
  max_items = 1 for some);
- jsii arrays are lists or sets alike: they become lists;
- `alias` is a meta-argument that tofu handles itself: it is left out.

    python scripts/derive_aws_provider_config.py [--wheel PATH] [--output PATH]

Without --wheel it downloads cdktn-provider-aws==VERSION with pip into a temporary folder.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

CDKTN_PROVIDER_AWS_VERSION = "25.8.1"
REPO_ROOT = Path(__file__).resolve().parents[1]
OUTPUT = REPO_ROOT / "tools" / "tf-schema-provider" / "provider_config.json"
CONFIG_STRUCT = "@cdktn/provider-aws.provider.AwsProviderConfig"
META_ARGUMENTS = {"alias"}
# The documentation links read "{@link https://registry.terraform.io/providers/hashicorp/aws
# /6.69.1/docs#region AwsProvider#region}": the version and the argument's HCL name.
DOC_LINK = re.compile(r"/providers/hashicorp/aws/([0-9.]+)/docs#(\w+) ")
PRIMITIVES = {"string": "string", "number": "number", "boolean": "bool"}


def load_assembly(wheel: Path) -> dict[str, Any]:
    """The jsii assembly (`.jsii`) inside the wheel's npm tarball."""
    with zipfile.ZipFile(wheel) as archive:
        (tarball,) = [name for name in archive.namelist() if name.endswith(".jsii.tgz")]
        data = archive.read(tarball)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as package:
        member = package.extractfile("package/.jsii")
        if member is None:
            raise SystemExit(f"{wheel}: no package/.jsii in {tarball}")
        assembly: dict[str, Any] = json.load(member)
    return assembly


def hcl_name(prop: dict[str, Any]) -> tuple[str, str | None]:
    """The argument's HCL name and provider version, from the documentation link."""
    docs = prop.get("docs", {})
    match = DOC_LINK.search(docs.get("remarks", "") + " " + docs.get("summary", ""))
    if match is None:
        return re.sub(r"(?<!^)([A-Z])", r"_\1", prop["name"]).lower(), None
    return match.group(2), match.group(1)


def description(prop: dict[str, Any]) -> str:
    summary = str(prop.get("docs", {}).get("summary", ""))
    return re.sub(r"\s*Docs at Terraform Registry: \{@link [^}]*\}\.?", "", summary).strip()


def struct_of(type_ref: dict[str, Any]) -> str | None:
    """The struct a block is made of: `T`, `T[]` or `IResolvable | T[]`."""
    candidates = type_ref.get("union", {}).get("types", [type_ref])
    for candidate in candidates:
        element = candidate.get("collection", {}).get("elementtype", candidate)
        fqn = element.get("fqn")
        if fqn and fqn != "cdktn.IResolvable":
            return str(fqn)
    return None


def value_type(type_ref: dict[str, Any]) -> Any:
    """The schema-JSON type of a non-block property."""
    if "primitive" in type_ref:
        return PRIMITIVES[type_ref["primitive"]]
    if "collection" in type_ref:
        collection = type_ref["collection"]
        kind = {"array": "list", "map": "map"}[collection["kind"]]
        return [kind, value_type(collection["elementtype"])]
    if "union" in type_ref:
        # `boolean | IResolvable` and the like: the primitive is the value's type.
        (primitive,) = [t for t in type_ref["union"]["types"] if "fqn" not in t]
        return value_type(primitive)
    raise ValueError(f"unsupported jsii type {type_ref}")


def block_of(types: dict[str, Any], fqn: str, versions: set[str]) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    block_types: dict[str, Any] = {}
    for prop in types[fqn].get("properties", []):
        name, version = hcl_name(prop)
        if version:
            versions.add(version)
        if fqn == CONFIG_STRUCT and name in META_ARGUMENTS:
            continue
        nested = struct_of(prop["type"])
        if nested is not None:
            block_types[name] = {"nesting_mode": "list", "block": block_of(types, nested, versions)}
            continue
        attribute: dict[str, Any] = {
            "type": value_type(prop["type"]),
            "description": description(prop),
            "description_kind": "plain",
        }
        attribute["optional" if prop.get("optional") else "required"] = True
        attributes[name] = attribute
    return {
        "attributes": dict(sorted(attributes.items())),
        "block_types": dict(sorted(block_types.items())),
        "description_kind": "plain",
    }


def derive(assembly: dict[str, Any], package_version: str) -> dict[str, Any]:
    versions: set[str] = set()
    block = block_of(assembly["types"], CONFIG_STRUCT, versions)
    block["description"] = (
        f"hashicorp/aws {', '.join(sorted(versions))} provider configuration, derived from the "
        f"cdktn-provider-aws {package_version} jsii assembly by "
        "scripts/derive_aws_provider_config.py"
    )
    return {"version": 0, "block": block}


def download(version: str, folder: Path) -> Path:
    subprocess.run(  # noqa: S603 - fixed arguments, pip from this interpreter
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--dest",
            str(folder),
            f"cdktn-provider-aws=={version}",
        ],
        check=True,
        timeout=900,
    )
    (wheel,) = folder.glob("cdktn_provider_aws-*.whl")
    return wheel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help="a downloaded cdktn-provider-aws wheel")
    parser.add_argument("--version", default=CDKTN_PROVIDER_AWS_VERSION)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download(args.version, Path(tmp))
        schema = derive(load_assembly(wheel), args.version)
    args.output.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")
    block = schema["block"]
    print(
        f"{args.output}: {len(block['attributes'])} attributes, "
        f"blocks {', '.join(block['block_types'])}"
    )


if __name__ == "__main__":
    main()
