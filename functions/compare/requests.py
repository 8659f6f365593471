"""What the API accepts before any route runs: JSON bodies only, as an object, and the
per-invocation values the routes depend on (deadline, request id)."""

from __future__ import annotations

import json
from typing import Any

from faceauth.errors import InvalidRequest

_WRITE_METHODS = ("POST", "PUT")


def parse_json_object(text: str) -> dict[str, Any]:
    """The resolver's JSON deserializer: a body must be one JSON object.

    Raises InvalidRequest for anything else: an array, a string or a number, nesting too
    deep for the parser (RecursionError), an integer with thousands of digits (ValueError).
    Malformed JSON is left to the resolver's own 400 (json.JSONDecodeError).
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError as exc:
        raise InvalidRequest("The body is nested too deeply; send a flat JSON object.") from exc
    except ValueError as exc:
        raise InvalidRequest("The body holds a number too large to read.") from exc
    if not isinstance(value, dict):
        raise InvalidRequest(
            f'The body must be a JSON object like {{"image": "<base64>"}}, not {_kind(value)}.'
        )
    return value


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


def canonical_method(event: dict[str, Any]) -> None:
    """The method upper-case: the resolver routes ``post`` as POST, so the checks that depend
    on the method (JSON only on POST and PUT, the Idempotency-Key on writes) must see it so
    too, or a lower-case write skips them. API Gateway only passes its declared methods;
    other front ends (the local server) pass what the client sent."""
    event["httpMethod"] = str(event.get("httpMethod") or "").upper()


def accept_json_only(event: dict[str, Any]) -> None:
    """Media types compare case-insensitively (RFC 9110), and only JSON bodies are accepted.

    Powertools would parse form and multipart bodies itself (and fail on a multipart type
    without a boundary), so any other or missing type on POST/PUT is handed to it as
    text/plain, which it refuses with RequestUnsupportedContentType: our 415.
    """
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    media_type = str(headers.get("content-type", "")).lower()
    if event.get("httpMethod") in _WRITE_METHODS and (
        media_type.split(";")[0].strip() != "application/json"
    ):
        media_type = "text/plain"
    if media_type:
        headers["content-type"] = media_type
    event["headers"] = headers
    multi = event.get("multiValueHeaders") or {}
    event["multiValueHeaders"] = {k: v for k, v in multi.items() if k.lower() != "content-type"}
