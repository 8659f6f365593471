"""The local stack's API Gateway stand-in (faceauth_local.gateway), called as the WSGI app it
is, with a recording handler: which requests reach the function, and with what."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from faceauth_local.gateway import (
    MAX_BODY_BYTES,
    ApiGateway,
    LocalLambdaContext,
)

API_KEY = "unit-key"  # pragma: allowlist secret


class RecordingHandler:
    def __init__(self, answer: dict[str, Any] | None = None) -> None:
        self.calls: list[tuple[dict[str, Any], Any]] = []
        self.answer = answer or {"statusCode": 200, "headers": {}, "body": "{}"}

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.calls.append((event, context))
        return self.answer


def environ(
    method: str = "GET",
    path: str = "/v1/users/alice",
    body: bytes = b"",
    content_length: int | None = None,
    **headers: str,
) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "wsgi.input": io.BytesIO(body),
        "REMOTE_ADDR": "127.0.0.1",
    }
    length = len(body) if content_length is None else content_length
    if length:
        env["CONTENT_LENGTH"] = str(length)
    env.update({f"HTTP_{name.upper()}": value for name, value in headers.items()})
    return env


def status_of(app: ApiGateway, env: dict[str, Any]) -> tuple[int, bytes]:
    seen: list[str] = []
    body = b"".join(app(env, lambda status, _headers: seen.append(status)))
    return int(seen[0].split()[0]), body


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def app(handler: RecordingHandler, tmp_path: Path) -> ApiGateway:
    return ApiGateway(API_KEY, tmp_path, handler, timeout_seconds=15)


def test_a_cors_preflight_reaches_the_function_without_a_key(
    app: ApiGateway, handler: RecordingHandler
) -> None:
    status, _ = status_of(app, environ("OPTIONS", origin="https://app.example"))
    assert status == 200
    assert handler.calls[0][0]["httpMethod"] == "OPTIONS"


def test_every_request_header_is_forwarded_to_the_function(
    app: ApiGateway, handler: RecordingHandler
) -> None:
    key = "6f1c2a52-3f7e-4b0e-9d43-6a1fb1e0c9d7"
    status_of(app, environ(x_api_key=API_KEY, idempotency_key=key, user_agent="t"))
    headers = handler.calls[0][0]["headers"]
    assert headers["idempotency-key"] == key
    assert headers["user-agent"] == "t"


def test_a_key_with_bytes_outside_ascii_is_refused_before_the_function(
    app: ApiGateway, handler: RecordingHandler
) -> None:
    # WSGI hands header bytes over as latin-1 characters
    status, body = status_of(app, environ(x_api_key=b"cl\xc3\xa9".decode("latin-1")))
    assert status == 403
    assert json.loads(body)["error"]["code"] == "FORBIDDEN"
    assert handler.calls == []


def test_a_body_that_ends_before_its_content_length_never_reaches_the_function(
    app: ApiGateway, handler: RecordingHandler
) -> None:
    status, body = status_of(
        app, environ("POST", body=b'{"image": "abc"}', content_length=100, x_api_key=API_KEY)
    )
    assert status == 400
    assert json.loads(body)["error"]["code"] == "INVALID_REQUEST"
    assert handler.calls == []


def test_a_body_over_the_lambda_payload_limit_is_413_and_never_reaches_the_function(
    app: ApiGateway, handler: RecordingHandler
) -> None:
    status, body = status_of(
        app, environ("POST", body=b"x" * (MAX_BODY_BYTES + 1), x_api_key=API_KEY)
    )
    assert status == 413
    assert json.loads(body)["error"]["code"] == "IMAGE_TOO_LARGE"
    assert handler.calls == []


def test_a_function_that_raises_is_answered_502_in_the_error_shape(tmp_path: Path) -> None:
    def crash(_event: dict[str, Any], _context: Any) -> dict[str, Any]:
        raise RuntimeError("boom")

    app = ApiGateway(API_KEY, tmp_path, crash)
    status, body = status_of(app, environ(x_api_key=API_KEY))
    assert status == 502
    assert json.loads(body)["error"]["code"] == "INTERNAL_ERROR"


def test_the_context_counts_down_from_the_timeout_to_zero() -> None:
    # Given a context made at t=100 s with a 15 s timeout
    now = [100.0]
    context = LocalLambdaContext("request-1", 15, clock=lambda: now[0])
    remaining = [context.get_remaining_time_in_millis()]
    # When time passes
    for later in (104.5, 114.75, 200.0):
        now[0] = later
        remaining.append(context.get_remaining_time_in_millis())
    # Then the remaining time follows it down, and stops at zero
    assert remaining == [15_000, 10_500, 250, 0]


def test_each_request_gets_its_own_context_with_the_full_timeout(
    app: ApiGateway, handler: RecordingHandler
) -> None:
    status_of(app, environ(x_api_key=API_KEY))
    status_of(app, environ(x_api_key=API_KEY))
    first, second = (context for _event, context in handler.calls)
    assert first is not second
    assert 14_000 < second.get_remaining_time_in_millis() <= 15_000
    assert first.aws_request_id != second.aws_request_id
