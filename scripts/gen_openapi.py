"""Generate api/openapi.yaml (OpenAPI 3.0.3) from the compare handler's routes and models.

Powertools writes the document from the routes (OpenAPI 3.1, as pydantic v2 emits JSON
Schema 2020-12). Low-code platforms (OutSystems Service Studio, Power Platform custom
connectors, IBM BAW) import OpenAPI 3.0 and only a plain subset of it, so this script
converts the document into that subset (no anyOf/oneOf/allOf, `nullable: true`, a type on
every schema, enums as named schemas; tests/contract/test_openapi_lowcode.py checks it) and
adds what the routes cannot know: the x-api-key scheme, the servers, the Idempotency-Key
header, the answers API Gateway gives before the Lambda runs, Retry-After headers and one
example per error code. Every error code, status and message comes from the error table
(functions/compare/error_codes.json).

    python scripts/gen_openapi.py            # write api/openapi.yaml
    python scripts/gen_openapi.py --check    # exit 1 with a diff when the file is stale
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
from http import HTTPStatus
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = REPO_ROOT / "api" / "openapi.yaml"
# Importing the handler builds Powertools' Logger/Tracer/Metrics: keep them offline and quiet.
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "1")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "compare")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "FaceAuth")

OPENAPI_VERSION = "3.0.3"
API_KEY_SCHEME = "apiKey"
OPEN_OPERATIONS = {("/health", "get")}  # reachable without an API key
ERROR_REF = "#/components/schemas/ErrorResponse"
WRITE_METHODS = ("post", "put", "delete")

DESCRIPTION = """\
Selfie login for a mobile app: register a reference selfie once, then verify selfies against it.

**Authentication.** Every operation except `GET /health` needs the header `x-api-key`.

**Selfies** come as an image or as a Face Liveness session: `{"image": "<base64>"}` or
`{"livenessSessionId": "<id>"}` (exactly one). For a session, create it with
`POST /users/{userId}/liveness-sessions`, run the Face Liveness component with its id in the
app, then register or verify with the id; the server fetches the result and decides (a
failed check is 422 LIVENESS_FAILED and counts as a failed verification). Deployments may
require liveness (an image is then 422 LIVENESS_REQUIRED).

**Images** travel as base64 JPEG or PNG inside JSON (`{"image": "<base64>"}`), at most 4 MB
decoded, at least 80 px a side, with exactly one face. The base64 may hold line breaks (as
`base64` without `-w0` writes it) or come as a `data:image/jpeg;base64,` or
`data:image/png;base64,` URL (as a browser canvas gives it).

**Errors** always have the body `{"error": {"code": "...", "message": "..."}}`; branch on
`code`, which is stable. Answers 409 IDEMPOTENCY_KEY_IN_USE, 423 and 503 carry `Retry-After`
(seconds); 429 may. A 503 never counts as a failed verification: retry it. A 502 or 504
comes from the gateway when the function failed or timed out: retry with the same
`Idempotency-Key`, or read `GET /users/{userId}` first.

**Safe retries.** Send an `Idempotency-Key` (a UUID) with POST, PUT and DELETE and reuse it
when retrying: a retry gets the first answer (same `runId`, same status) and is neither
evaluated nor counted again. The same key with a different request is 422
IDEMPOTENCY_KEY_REUSED; keys are kept 24 hours.

**Lockout.** After 5 consecutive FAILs the user is locked (423 USER_LOCKED) for a
configured time; a PASS resets the count. While verifications of the user that could reach
the limit are still running, another is refused with 423 VERIFICATION_IN_PROGRESS.
"""

TAGS = [
    {"name": "registration", "description": "Store, replace or erase the reference selfie."},
    {"name": "verification", "description": "Log a user in with a selfie."},
    {
        "name": "liveness",
        "description": "Face Liveness: a selfie from a live person, decided by the server.",
    },
    {"name": "users", "description": "What the API knows about a user."},
    {"name": "health", "description": "Liveness of the API and its database."},
]

SERVERS = [
    {"url": "http://127.0.0.1:8080/v1", "description": "Local server (`make run`)"},
    {
        "url": "https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}",
        "description": "API Gateway stage",
        "variables": {
            "restApiId": {"default": "abcdef1234", "description": "The REST API id"},
            "region": {"default": "eu-west-1", "description": "The AWS region"},
            "stage": {"default": "v1", "enum": ["v1"], "description": "The API version"},
        },
    },
]

# When API Gateway itself answers with a gateway response of the error table, by its "on"
# field: on every operation, on those that need the API key, on those with a body.
GATEWAY_SCOPES = {"every", "keyed", "body"}


SUCCESS_EXAMPLES: dict[str, dict[str, Any]] = {
    "RegistrationResponse": {
        "runId": "9b2f7c1e-3d4a-4f6b-8e21-5a7c9d0e1f23",
        "userId": "alice",
        "registeredAt": "2026-11-26T21:00:00+00:00",
    },
    "VerificationResponse": {
        "runId": "4c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        "userId": "alice",
        "similarity": 97.4,
        "threshold": 90.0,
        "result": "PASS",
        "verifiedAt": "2026-11-26T21:05:00+00:00",
    },
    "LastVerificationBody": {
        "runId": "4c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        "result": "PASS",
        "similarity": 97.4,
        "errorCode": None,
        "verifiedAt": "2026-11-26T21:05:00+00:00",
    },
    "ErrorResponse": {
        "error": {"code": "USER_LOCKED", "message": "Too many failed verifications."}
    },
    "ErrorDetail": {"code": "USER_LOCKED", "message": "Too many failed verifications."},
    "UserStatusResponse": {
        "userId": "alice",
        "registered": True,
        "registeredAt": "2026-11-26T21:00:00+00:00",
        "lastVerification": {
            "runId": "4c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
            "result": "PASS",
            "similarity": 97.4,
            "errorCode": None,
            "verifiedAt": "2026-11-26T21:05:00+00:00",
        },
        "locked": False,
        "lockedUntil": None,
        "consecutiveFailures": 0,
    },
    "HealthResponse": {"status": "ok"},
    "LivenessSessionResponse": {
        "sessionId": "6a8b1c2d-3e4f-4a5b-9c6d-7e8f9a0b1c2d",
        "region": "eu-west-1",
        "expiresAt": "2026-11-26T21:03:00+00:00",
    },
}


def build_spec() -> dict[str, Any]:
    """The OpenAPI 3.0 document as a plain dict, in a stable order."""
    from compare.handler import app  # noqa: PLC0415 - after the env is set

    raw = json.loads(app.get_openapi_json_schema(title="faceauth API", version="1.0.0"))
    spec: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "faceauth API", "version": "1.0.0", "description": DESCRIPTION},
        "servers": SERVERS,
        "security": [{API_KEY_SCHEME: []}],
        "tags": TAGS,
        "paths": {},
        "components": {},
    }
    for path, item in raw["paths"].items():
        spec["paths"][path] = {
            method: _operation(path, method, operation) for method, operation in item.items()
        }
    schemas = {
        name: _to_openapi_30(schema) for name, schema in raw["components"]["schemas"].items()
    }
    _name_inline_enums(schemas)
    _derive_nullable_refs(schemas, spec["paths"])
    for name, example in SUCCESS_EXAMPLES.items():
        if name in schemas:
            schemas[name]["example"] = example
    spec["components"] = {
        "schemas": _only_referenced(schemas, spec["paths"]),
        "securitySchemes": {
            API_KEY_SCHEME: {
                "type": "apiKey",
                "in": "header",
                "name": "x-api-key",
                "description": "The key of the app's API Gateway usage plan "
                "(locally: FACEAUTH_API_KEY or the key `make run` prints).",
            }
        },
    }
    return spec


def _operation(path: str, method: str, operation: dict[str, Any]) -> dict[str, Any]:
    from compare.errors import ERROR_CODES_KEY, GATEWAY_RESPONSES  # noqa: PLC0415

    operation = _to_openapi_30(operation)
    operation["operationId"] = _operation_id(path, method, operation["operationId"])
    secured = (path, method) not in OPEN_OPERATIONS
    if not secured:
        operation["security"] = []
    if method in WRITE_METHODS:
        operation.setdefault("parameters", []).append(_idempotency_key_parameter())
    responses: dict[str, Any] = {
        status: response
        for status, response in operation["responses"].items()
        if not _is_powertools_validation_error(response)
    }
    for status in list(responses):
        if status == "204":
            responses[status].pop("content", None)
    codes: dict[int, list[str]] = {
        int(status): list(response.pop(ERROR_CODES_KEY, []))
        for status, response in responses.items()
    }
    # A path parameter that breaks its pattern is 400 INVALID_REQUEST; an unknown route 404.
    if "parameters" in operation:
        _add_code(codes, "INVALID_REQUEST")
        _add_code(codes, "NOT_FOUND")
    scopes = (
        {"every"}
        | ({"keyed"} if secured else set())
        | ({"body"} if "requestBody" in operation else set())
    )
    for gateway in GATEWAY_RESPONSES.values():
        if gateway.get("on") in scopes:
            _add_code(codes, gateway["code"], gateway.get("status"))
    for status, listed in codes.items():
        if listed:
            responses[str(status)] = _error_response(status, listed, responses.get(str(status)))
    operation["responses"] = dict(sorted(responses.items()))
    return operation


def _add_code(codes: dict[int, list[str]], code: str, status: int | None = None) -> None:
    from compare.errors import ERROR_TABLE  # noqa: PLC0415

    listed = codes.setdefault(status or ERROR_TABLE[code].status, [])
    if code not in listed:
        listed.append(code)


def _idempotency_key_parameter() -> dict[str, Any]:
    return {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "A UUID the client makes per request and reuses when retrying it: a "
        "retry gets the first answer and is not evaluated or counted again.",
        "schema": {"type": "string", "format": "uuid"},
        "example": "0f8fad5b-d9cb-469f-a165-70867728950e",
    }


def _operation_id(path: str, method: str, powertools_id: str) -> str:
    # Powertools names an operation <function><path>_<method>; keep the function, camelCased.
    suffix = re.sub(r"\W", "_", path) + f"_{method}"
    function = powertools_id.removesuffix(suffix)
    head, *rest = function.split("_")
    return head + "".join(word.capitalize() for word in rest)


def _is_powertools_validation_error(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return str(schema.get("$ref", "")).endswith("/HTTPValidationError")


def _error_response(
    status: int, codes: list[str], documented: dict[str, Any] | None
) -> dict[str, Any]:
    """One error status: its codes in the description, one example per code with the
    table's message, and Retry-After when one of its codes sends it."""
    from compare.errors import ERROR_TABLE  # noqa: PLC0415

    response: dict[str, Any] = {
        "description": f"{HTTPStatus(status).phrase}: {', '.join(codes)}",
        "content": {
            "application/json": {
                "schema": {"$ref": ERROR_REF},
                "examples": {
                    code: {
                        "summary": code,
                        "value": {"error": {"code": code, "message": ERROR_TABLE[code].message}},
                    }
                    for code in codes
                },
            }
        },
    }
    if documented and documented.get("headers"):
        response["headers"] = documented["headers"]
    # Retry-After comes from the function (a gateway-only status such as 502 has none).
    if any(
        ERROR_TABLE[code].retry_after is not None and ERROR_TABLE[code].status == status
        for code in codes
    ):
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {"type": "integer", "minimum": 0},
            }
        }
    return response


_NULL_SCHEMAS = ({"type": "null"}, {})
_DROPPED_KEYWORDS = ("title",)  # pydantic's generated titles ("Runid") say nothing


def _to_openapi_30(node: Any) -> Any:
    """Rewrite JSON Schema 2020-12 (OpenAPI 3.1) constructs as OpenAPI 3.0 schema objects."""
    if isinstance(node, list):
        return [_to_openapi_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = _nullable_union({key: _to_openapi_30(value) for key, value in node.items()})
    _nullable_type_list(node)
    if "const" in node:
        node["enum"] = [node.pop("const")]
    if isinstance(node.get("examples"), list):
        examples = node.pop("examples")
        if examples:
            node["example"] = examples[0]
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(node.get(bound), int | float) and not isinstance(node.get(bound), bool):
            node[limit] = node.pop(bound)
            node[bound] = True
    if node.get("type") == "null":  # e.g. a 204's "no content" schema
        node.pop("type")
    if "enum" in node and "type" not in node:
        node["type"] = "string" if all(isinstance(v, str) for v in node["enum"]) else "number"
    # A property's generated title ("Runid") says nothing; a model's names its schema.
    if isinstance(node.get("title"), str) and node.get("type") not in ("object", None):
        node.pop("title")
    return node


def _nullable_union(node: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [X, null]` -> X with `nullable: true` (a `$ref` X is marked for
    _derive_nullable_refs, as 3.0 allows no siblings beside a `$ref`)."""
    for key in ("anyOf", "oneOf"):
        options = node.get(key)
        if not (isinstance(options, list) and any(o in _NULL_SCHEMAS for o in options)):
            continue
        rest = [option for option in options if option not in _NULL_SCHEMAS]
        del node[key]
        if len(rest) != 1:
            raise SystemExit(f"cannot express a union of {len(rest)} types in OpenAPI 3.0")
        if "$ref" in rest[0]:
            return {**node, "$ref": rest[0]["$ref"], "x-nullable-ref": True}
        return {**node, **rest[0], "nullable": True}
    return node


def _nullable_type_list(node: dict[str, Any]) -> None:
    """`type: [X, "null"]` -> `type: X` with `nullable: true`."""
    if isinstance(node.get("type"), list):
        types = [kind for kind in node["type"] if kind != "null"]
        if len(types) < len(node["type"]):
            node["nullable"] = True
        node["type"] = types[0] if len(types) == 1 else types


def _name_inline_enums(schemas: dict[str, Any]) -> None:
    """Low-code importers map an enum only as a named schema: every enum a property holds
    inline must already be one (a StrEnum in compare/schemas.py)."""
    for name, schema in schemas.items():
        for prop, sub in schema.get("properties", {}).items():
            if "enum" in sub:
                raise SystemExit(f"{name}.{prop}: declare the enum as a StrEnum in schemas.py")


def _derive_nullable_refs(schemas: dict[str, Any], paths: dict[str, Any]) -> None:
    """A nullable `$ref` to X becomes a `$ref` to NullableX, a copy of X that allows null
    (OpenAPI 3.0 has no other way without allOf, which low-code importers refuse)."""

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            if node.pop("x-nullable-ref", False):
                target = node["$ref"].rsplit("/", 1)[1]
                derived = f"Nullable{target}"
                if derived not in schemas:
                    copy = json.loads(json.dumps(schemas[target]))
                    copy["nullable"] = True
                    if "enum" in copy and None not in copy["enum"]:
                        copy["enum"].append(None)
                    copy.pop("example", None)
                    schemas[derived] = copy
                node["$ref"] = f"#/components/schemas/{derived}"
                for sibling in [key for key in node if key != "$ref"]:
                    del node[sibling]
            for value in list(node.values()):
                visit(value)

    visit(paths)
    visit(schemas)


def _only_referenced(schemas: dict[str, Any], paths: dict[str, Any]) -> dict[str, Any]:
    """Drop unused schemas (Powertools' own validation-error models) and sort the rest."""
    used: set[str] = set()
    pending = [json.dumps(paths)]
    while pending:
        for name in re.findall(r"#/components/schemas/(\w+)", pending.pop()):
            if name not in used:
                used.add(name)
                pending.append(json.dumps(schemas[name]))
    return {name: schemas[name] for name in sorted(used)}


class _NoAliasDumper(yaml.SafeDumper):
    """Repeat shared objects instead of writing &anchors: some importers reject aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str_presenter(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None  # multi-line descriptions as readable blocks
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_NoAliasDumper.add_representer(str, _str_presenter)


def render(spec: dict[str, Any]) -> str:
    header = "# Generated by scripts/gen_openapi.py from functions/compare; do not edit.\n"
    body = yaml.dump(spec, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True, width=100)
    return header + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    parser.add_argument("--output", type=Path, default=SPEC_PATH)
    args = parser.parse_args(argv)
    fresh = render(build_spec())
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if current == fresh:
            return 0
        sys.stdout.writelines(
            difflib.unified_diff(
                current.splitlines(keepends=True),
                fresh.splitlines(keepends=True),
                fromfile=f"{args.output} (committed)",
                tofile="generated from functions/compare",
            )
        )
        print("\napi/openapi.yaml is out of date: run `make openapi` and commit it.")
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(fresh)
    print(f"wrote {args.output.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
