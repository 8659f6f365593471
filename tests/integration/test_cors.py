"""CORS in the handler: allowed origins are configuration (none by default); a preflight is
answered for them, and answers carry Access-Control-Allow-Origin only for them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

APP_ORIGIN = "https://app.example.com"
PROBE = """
import json, sys
from faceauth_local.events import proxy_event, response_headers
from compare import handler
from tests.api_client import LambdaContextStub

def call(method, origin, extra=None):
    headers = {"origin": origin, **(extra or {})}
    event = proxy_event(method, "/health", headers=headers)
    answer = handler.lambda_handler(event, LambdaContextStub())
    return {"status": answer["statusCode"], "headers": response_headers(answer)}

print(json.dumps({
    "preflight": call("OPTIONS", sys.argv[1], {
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,x-api-key,idempotency-key",
    }),
    "get": call("GET", sys.argv[1]),
}))
"""


def answers(origin: str, allowed: str | None) -> dict[str, Any]:
    """The handler's answers to a preflight and a GET from ``origin``, in a fresh process
    (the resolver reads the allowed origins once, at import, as a Lambda container does)."""
    env = {
        **os.environ,
        "FACEAUTH_DATABASE_URL": "sqlite://",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "POWERTOOLS_TRACE_DISABLED": "1",
    }
    env.pop("FACEAUTH_CORS_ALLOWED_ORIGINS", None)
    if allowed is not None:
        env["FACEAUTH_CORS_ALLOWED_ORIGINS"] = allowed
    done = subprocess.run(
        [sys.executable, "-c", PROBE, origin],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_an_allowed_origin_gets_its_preflight_and_its_answers() -> None:
    # Given the app's origin and another one allowed
    seen = answers(APP_ORIGIN, f"{APP_ORIGIN}, https://admin.example.com")
    # When the browser preflights a POST and then reads an answer
    preflight, get = seen["preflight"], seen["get"]
    # Then both carry the origin, and the preflight allows the headers the API needs
    assert preflight["status"] == 204
    assert preflight["headers"]["access-control-allow-origin"] == APP_ORIGIN
    allowed = preflight["headers"]["access-control-allow-headers"].lower()
    assert {"content-type", "x-api-key", "idempotency-key"} <= set(allowed.split(","))
    assert get["status"] == 200
    assert get["headers"]["access-control-allow-origin"] == APP_ORIGIN


def test_another_origin_gets_no_cors_headers() -> None:
    seen = answers("https://evil.example.net", APP_ORIGIN)
    assert "access-control-allow-origin" not in seen["preflight"]["headers"]
    assert "access-control-allow-origin" not in seen["get"]["headers"]


def test_no_origin_is_allowed_by_default() -> None:
    seen = answers(APP_ORIGIN, None)
    assert "access-control-allow-origin" not in seen["get"]["headers"]
    assert seen["preflight"]["status"] == 404
