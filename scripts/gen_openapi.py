"""Generate api/openapi.yaml (OpenAPI 3.0.3) from the compare handler's routes and models.

Powertools writes the document from the routes (OpenAPI 3.1, as pydantic v2 emits JSON
Schema 2020-12). Low-code platforms import OpenAPI 3.0, so this script converts it, and adds
what the routes cannot know: the x-api-key scheme, the servers, the answers API Gateway (or
the local server) gives before the Lambda runs (403, 429, 500), Retry-After headers and
examples.

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
RETRY_AFTER_STATUSES = {423, 429, 503}

DESCRIPTION = """\
Selfie login for a mobile app: register a reference selfie once, then verify selfies against it.

**Authentication.** Every operation except `GET /health` needs the header `x-api-key`.

**Images** travel as base64 JPEG or PNG inside JSON (`{"image": "<base64>"}`), at most 4 MB
decoded, at least 80 px a side, with exactly one face.

**Errors** always have the body `{"error": {"code": "...", "message": "..."}}`; branch on
`code`, which is stable. Answers 423 and 503 carry `Retry-After` (seconds); 429 may.
A 503 never counts as a failed verification: retry it. A 502 or 504 comes from the gateway
when the function failed or timed out: read `GET /users/{userId}` before retrying a
verification, which may have been recorded.

**Lockout.** After 5 consecutive FAILs the user is locked (423 USER_LOCKED) for a
configured time; a PASS resets the count.
"""

TAGS = [
    {"name": "registration", "description": "Store, replace or erase the reference selfie."},
    {"name": "verification", "description": "Log a user in with a selfie."},
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

# Answers that come from API Gateway (its gateway responses in terraform/modules/api) or the
# local server in front of the Lambda: (status, code, example message, needs an API key).
GATEWAY_ERRORS = (
    (403, "FORBIDDEN", "A valid API key is required.", True),
    (429, "THROTTLED", "Too many requests; retry later.", False),
    (429, "QUOTA_EXCEEDED", "The API key's quota is used up.", True),
    (500, "INTERNAL_ERROR", "Something went wrong on our side.", False),
    (502, "DEPENDENCY_UNAVAILABLE", "The service is unavailable; retry later.", False),
    (504, "DEPENDENCY_UNAVAILABLE", "The service timed out; retry later.", False),
)
NOT_FOUND_MESSAGE = "No such resource or method."

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
    operation = _to_openapi_30(operation)
    operation["operationId"] = _operation_id(path, method, operation["operationId"])
    if (path, method) in OPEN_OPERATIONS:
        operation["security"] = []
    responses: dict[str, Any] = {}
    for status, response in operation["responses"].items():
        if _is_powertools_validation_error(response):
            continue
        responses[status] = response
    for status in list(responses):
        if status == "204":
            responses[status].pop("content", None)
    # A userId that breaks its pattern is 400 INVALID_REQUEST (never Powertools' 422 body).
    _add_error(responses, 400, "INVALID_REQUEST", None, when="parameters" in operation)
    _add_error(responses, 404, "NOT_FOUND", NOT_FOUND_MESSAGE, when="parameters" in operation)
    secured = (path, method) not in OPEN_OPERATIONS
    for status, code, message, keyed in GATEWAY_ERRORS:
        _add_error(responses, status, code, message, when=secured or not keyed)
    for status, response in responses.items():
        if status.startswith(("4", "5")):
            _document_error(int(status), response)
    operation["responses"] = dict(sorted(responses.items()))
    return operation


def _operation_id(path: str, method: str, powertools_id: str) -> str:
    # Powertools names an operation <function><path>_<method>; keep the function, camelCased.
    suffix = re.sub(r"\W", "_", path) + f"_{method}"
    function = powertools_id.removesuffix(suffix)
    head, *rest = function.split("_")
    return head + "".join(word.capitalize() for word in rest)


def _is_powertools_validation_error(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return str(schema.get("$ref", "")).endswith("/HTTPValidationError")


def _add_error(
    responses: dict[str, Any], status: int, code: str, message: str | None, *, when: bool
) -> None:
    if not when:
        return
    key = str(status)
    phrase = HTTPStatus(status).phrase
    if key not in responses:
        responses[key] = {
            "description": f"{phrase}: {code}",
            "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
        }
    elif code not in _codes(responses[key]):
        responses[key]["description"] += f", {code}"
    if message:
        responses[key].setdefault("x-messages", {})[code] = message


def _codes(response: dict[str, Any]) -> list[str]:
    # The handler lists a response's error codes after the colon of its description.
    _, _, codes = response["description"].partition(": ")
    return [code.strip() for code in codes.split(",") if code.strip()]


def _document_error(status: int, response: dict[str, Any]) -> None:
    messages = _domain_messages() | response.pop("x-messages", {})
    examples = {
        code: {
            "summary": code,
            "value": {"error": {"code": code, "message": messages.get(code, code)}},
        }
        for code in _codes(response)
    }
    media = response.setdefault("content", {}).setdefault("application/json", {})
    media.setdefault("schema", {"$ref": ERROR_REF})
    if examples:
        media["examples"] = examples
    if status in RETRY_AFTER_STATUSES:
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {"type": "integer", "minimum": 0},
            }
        }


def _domain_messages() -> dict[str, str]:
    from faceauth import errors  # noqa: PLC0415

    messages: dict[str, str] = {}
    pending: list[type[errors.FaceAuthError]] = [errors.FaceAuthError]
    while pending:
        error = pending.pop()
        messages[error.code] = error.default_message
        pending.extend(error.__subclasses__())
    return messages


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
    return node


def _nullable_union(node: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [X, {type: null}]` -> X with `nullable: true`."""
    for key in ("anyOf", "oneOf"):
        options = node.get(key)
        if not (isinstance(options, list) and {"type": "null"} in options):
            continue
        rest = [option for option in options if option != {"type": "null"}]
        del node[key]
        if len(rest) == 1:
            # A $ref cannot have siblings in 3.0: wrap it to add nullable.
            node = {**node, **({"allOf": rest} if "$ref" in rest[0] else rest[0])}
        else:
            node[key] = rest
        node["nullable"] = True
    return node


def _nullable_type_list(node: dict[str, Any]) -> None:
    """`type: [X, "null"]` -> `type: X` with `nullable: true`."""
    if isinstance(node.get("type"), list):
        types = [kind for kind in node["type"] if kind != "null"]
        if len(types) < len(node["type"]):
            node["nullable"] = True
        node["type"] = types[0] if len(types) == 1 else types


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
