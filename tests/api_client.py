"""Calls the compare Lambda handler the way API Gateway does, and reads its answer."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from compare import handler
from faceauth_local.events import proxy_event, response_headers


@dataclass
class LambdaContextStub:
    function_name: str = "faceauth-compare"
    function_version: str = "1"
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:000000000000:function:faceauth-compare:v1"
    memory_limit_in_mb: int = 1024
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    log_group_name: str = "/aws/lambda/faceauth-compare"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


@dataclass
class ApiAnswer:
    status: int
    headers: dict[str, str]
    body: Any
    text: str = ""  # the body as sent, before JSON parsing

    @property
    def error_code(self) -> str | None:
        return (
            self.body["error"]["code"]
            if isinstance(self.body, dict) and "error" in self.body
            else None
        )


def call_api(
    method: str,
    path: str,
    *,
    json_body: Any = None,
    raw_body: bytes | str | None = None,
    content_type: str | None = "application/json",
    headers: dict[str, str] | None = None,
) -> ApiAnswer:
    body = (
        raw_body
        if raw_body is not None
        else (json.dumps(json_body) if json_body is not None else None)
    )
    all_headers = {"x-api-key": "test"}
    if content_type and body is not None:
        all_headers["content-type"] = content_type
    all_headers.update(headers or {})
    event = proxy_event(method, path, headers=all_headers, body=body)
    event["httpMethod"] = method  # as given: a front end may pass a lower-case method
    answer = handler.lambda_handler(event, LambdaContextStub())  # type: ignore[arg-type]
    text = answer.get("body") or ""
    if answer.get("isBase64Encoded"):
        text = base64.b64decode(text).decode()
    return ApiAnswer(
        status=answer["statusCode"],
        headers=response_headers(answer),
        body=json.loads(text) if text else None,
        text=text,
    )


def image_json(content: bytes) -> dict[str, str]:
    return {"image": base64.b64encode(content).decode()}
