"""Builds API Gateway REST (Lambda proxy) events, as API Gateway sends them to the Lambda."""

from __future__ import annotations

import base64
import re
import time
import uuid
from typing import Any

from compare.routes import ROUTES

# The v1 resources, as API Gateway declares them (terraform/modules/api): the routes' paths.
RESOURCES = tuple(dict.fromkeys(route.path for route in ROUTES))
_PARAM = re.compile(r"\{(\w+)\}")


def _match_resource(path: str) -> tuple[str, dict[str, str] | None]:
    for resource in RESOURCES:
        pattern = "^" + _PARAM.sub(r"(?P<\1>[^/]+)", resource) + "$"
        found = re.match(pattern, path)
        if found:
            return resource, found.groupdict() or None
    return "/{proxy+}", {"proxy": path.lstrip("/")}


def proxy_event(
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
    stage: str = "v1",
    source_ip: str = "127.0.0.1",
    api_key_id: str | None = None,
) -> dict[str, Any]:
    """A REST API proxy event for `path` (without the stage prefix)."""
    resource, path_parameters = _match_resource(path)
    raw = body.encode() if isinstance(body, str) else body
    is_base64 = False
    text_body: str | None = None
    if raw is not None:
        try:
            text_body = raw.decode("utf-8")
        except UnicodeDecodeError:
            text_body, is_base64 = base64.b64encode(raw).decode(), True
    header_map = dict(headers or {})
    request_id = str(uuid.uuid4())
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method.upper(),
        "headers": header_map or None,
        "multiValueHeaders": {k: [v] for k, v in header_map.items()} or None,
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": path_parameters,
        "stageVariables": {"lambdaAlias": stage},
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method.upper(),
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTimeEpoch": int(time.time() * 1000),
            "protocol": "HTTP/1.1",
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": "localhost",
            "identity": {
                "sourceIp": source_ip,
                "apiKeyId": api_key_id,
                "userAgent": header_map.get("user-agent"),
            },
        },
        "body": text_body,
        "isBase64Encoded": is_base64,
    }


def response_headers(answer: dict[str, Any]) -> dict[str, str]:
    """A proxy response's headers, single- and multi-value, with lower-case names."""
    headers = {name.lower(): value for name, value in (answer.get("headers") or {}).items()}
    for name, values in (answer.get("multiValueHeaders") or {}).items():
        headers[name.lower()] = ", ".join(values)
    return headers
