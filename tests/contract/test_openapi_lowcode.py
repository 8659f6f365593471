"""api/openapi.yaml stays inside the OpenAPI 3.0 subset low-code importers handle
(OutSystems Service Studio, Power Platform custom connectors, IBM BAW): no composition
keywords, a type on every schema, enums only as named schemas, an operationId and examples
for every operation, and error examples that say what the error table says."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((REPO_ROOT / "api" / "openapi.yaml").read_text())
TABLE = json.loads((REPO_ROOT / "functions" / "compare" / "error_codes.json").read_text())
FORBIDDEN_KEYWORDS = {
    "anyOf",
    "oneOf",
    "allOf",
    "not",
    "const",
    "if",
    "then",
    "else",
    "prefixItems",
    "patternProperties",
    "$defs",
}


def schemas(
    node: Any, where: str, *, named: bool = False
) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """Every schema object below ``node``: (where, schema, is a components/schemas entry)."""
    if not isinstance(node, dict):
        return
    yield where, node, named
    for key in ("properties",):
        for name, sub in node.get(key, {}).items():
            yield from schemas(sub, f"{where}.{name}")
    if isinstance(node.get("items"), dict):
        yield from schemas(node["items"], f"{where}[]")
    if isinstance(node.get("additionalProperties"), dict):
        yield from schemas(node["additionalProperties"], f"{where}{{}}")


def every_schema() -> Iterator[tuple[str, dict[str, Any], bool]]:
    for name, schema in SPEC["components"]["schemas"].items():
        yield from schemas(schema, name, named=True)
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            here = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                yield from schemas(parameter["schema"], f"{here} {parameter['name']}")
            for media in operation.get("requestBody", {}).get("content", {}).values():
                yield from schemas(media["schema"], f"{here} body")
            for status, response in operation["responses"].items():
                for media in response.get("content", {}).values():
                    yield from schemas(media["schema"], f"{here} {status}")
                for header, spec in response.get("headers", {}).items():
                    yield from schemas(spec["schema"], f"{here} {status} {header}")


def operations() -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_no_schema_uses_a_keyword_low_code_importers_refuse() -> None:
    found = [
        (where, sorted(FORBIDDEN_KEYWORDS & schema.keys()))
        for where, schema, _ in every_schema()
        if FORBIDDEN_KEYWORDS & schema.keys()
    ]
    assert found == []


def test_every_schema_has_one_type_or_is_a_reference() -> None:
    untyped = [
        where
        for where, schema, _ in every_schema()
        if "$ref" not in schema and not isinstance(schema.get("type"), str)
    ]
    assert untyped == []


def test_a_reference_has_no_siblings() -> None:
    # OpenAPI 3.0 ignores them (nullable, description...) beside a $ref.
    crowded = [where for where, schema, _ in every_schema() if "$ref" in schema and len(schema) > 1]
    assert crowded == []


def test_enums_are_named_schemas() -> None:
    inline = [where for where, schema, named in every_schema() if "enum" in schema and not named]
    assert inline == []


def test_every_operation_has_a_unique_operation_id() -> None:
    ids = [operation.get("operationId") for _, operation in operations()]
    assert None not in ids
    assert len(set(ids)) == len(ids)


def test_every_success_answer_and_request_body_has_an_example() -> None:
    def example_of(schema: dict[str, Any]) -> Any:
        if "$ref" in schema:
            return SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]].get("example")
        return schema.get("example")

    missing = []
    for where, operation in operations():
        bodies = [
            media["schema"]
            for media in operation.get("requestBody", {}).get("content", {}).values()
        ] + [
            media["schema"]
            for status, response in operation["responses"].items()
            if status.startswith("2")
            for media in response.get("content", {}).values()
        ]
        missing += [where for schema in bodies if example_of(schema) is None]
    assert missing == []


@pytest.mark.parametrize("where", [where for where, _ in operations()])
def test_every_error_example_is_a_row_of_the_error_table(where: str) -> None:
    operation = dict(operations())[where]
    for status, response in operation["responses"].items():
        if not status.startswith(("4", "5")):
            continue
        examples = response["content"]["application/json"]["examples"]
        assert examples, f"{where} {status} has no examples"
        for code, example in examples.items():
            row = TABLE["errors"][code]
            assert example["value"]["error"] == {"code": code, "message": row["message"]}
            assert int(status) == row["status"] or any(
                gateway["code"] == code and gateway.get("status") == int(status)
                for gateway in TABLE["gatewayResponses"].values()
            ), f"{where}: {code} documented as {status}"
