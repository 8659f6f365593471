"""API Gateway in front of the compare Lambda, as a WSGI app: the HTTP server library parses
HTTP; this turns each request into a REST proxy event, checks the API key as API Gateway
does, calls the handler with a Lambda context, and writes its answer. Everything outside
/v1 is the camera page (web/) and its config.json.

Every answer this layer makes itself uses the error shape of API Gateway's gateway
responses in terraform/modules/api: {"error": {"code": ..., "message": ...}}.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import mimetypes
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any, Protocol

from faceauth_local.events import proxy_event, response_headers

STAGE = "v1"
MAX_BODY_BYTES = 6 * 1024 * 1024  # a synchronous Lambda payload stops at 6 MB
# A larger body is read and thrown away up to this much, so a client that sends it all
# before reading (Python's http.client does) still gets its 413. Beyond it the connection
# closes after the answer, which such a client may see as a reset.
DISCARD_LIMIT_BYTES = 64 * 1024 * 1024
_READ_STEP = 64 * 1024
_OPEN_PATHS = frozenset({"/health"})  # no API key, as in terraform/modules/api
# Connection-level headers belong to the server, never to the application's answer.
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer"}
)

log = logging.getLogger("faceauth_local")

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


@dataclass
class LocalLambdaContext:
    """The Lambda context the handler and Powertools read, with a real deadline: the
    remaining time counts down from the function's timeout, as in Lambda."""

    aws_request_id: str
    timeout_seconds: float
    function_name: str = "faceauth-compare-local"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:local:000000000000:function:faceauth-compare:v1"
    memory_limit_in_mb: int = 1024
    log_group_name: str = "local"
    log_stream_name: str = "local"
    clock: Callable[[], float] = time.monotonic
    _deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self._deadline = self.clock() + self.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - self.clock()) * 1000))


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def error_answer(status: int, code: str, message: str) -> Answer:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    return Answer(status, {"Content-Type": "application/json"}, body)


class _BodyTooLarge:
    """The body is over MAX_BODY_BYTES (read and discarded up to DISCARD_LIMIT_BYTES)."""


class _BodyCutShort:
    """The client stopped sending before the end of the body it announced."""


def read_body(environ: Mapping[str, Any]) -> bytes | _BodyTooLarge | _BodyCutShort:
    """The whole request body (Content-Length or chunked), bounded by MAX_BODY_BYTES."""
    stream: _Readable = environ["wsgi.input"]
    declared = int(environ.get("CONTENT_LENGTH") or 0) or None
    if declared is not None and declared > DISCARD_LIMIT_BYTES:
        return _BodyTooLarge()
    kept: list[bytes] = []
    received = 0
    try:
        while piece := stream.read(_READ_STEP):
            received += len(piece)
            if received > DISCARD_LIMIT_BYTES:
                return _BodyTooLarge()
            if received <= MAX_BODY_BYTES:
                kept.append(piece)
    except OSError:  # the connection broke, or a chunked body ended early
        return _BodyCutShort()
    if declared is not None and received < declared:
        return _BodyCutShort()
    if received > MAX_BODY_BYTES:
        return _BodyTooLarge()
    return b"".join(kept)


def _request_headers(environ: Mapping[str, Any]) -> dict[str, str]:
    """The request's headers with lower-case names, as API Gateway hands them over (WSGI
    keeps their values as latin-1 strings, so any byte arrives unchanged)."""
    headers = {
        name[5:].replace("_", "-").lower(): str(value)
        for name, value in environ.items()
        if name.startswith("HTTP_")
    }
    for name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(name):
            headers[name.replace("_", "-").lower()] = str(environ[name])
    return headers


@dataclass
class ApiGateway:
    """The WSGI app: one instance per worker process, one request at a time."""

    api_key: str
    web_root: Path
    lambda_handler: LambdaHandler
    timeout_seconds: float = 15.0

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        answer = self.answer(environ)
        try:
            reason = HTTPStatus(answer.status).phrase
        except ValueError:
            reason = "Unknown"
        headers = [
            (name, value)
            for name, value in answer.headers.items()
            if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length"
        ]
        headers.append(("Content-Length", str(len(answer.body))))
        start_response(f"{answer.status} {reason}", headers)
        return [answer.body]

    def answer(self, environ: Mapping[str, Any]) -> Answer:
        method = str(environ["REQUEST_METHOD"])
        path = str(environ.get("PATH_INFO") or "/")
        if path.startswith(f"/{STAGE}/"):
            return self._api(method, path[len(STAGE) + 1 :], environ)
        if method in ("GET", "HEAD") and path == "/config.json":
            config = {"apiBase": f"/{STAGE}", "apiKey": self.api_key}
            return Answer(200, {"Content-Type": "application/json"}, json.dumps(config).encode())
        if method in ("GET", "HEAD"):
            return self._static(path)
        return error_answer(404, "NOT_FOUND", "No such route.")

    def _api(self, method: str, path: str, environ: Mapping[str, Any]) -> Answer:
        # The whole body first: the connection stays usable, and a request whose client
        # gave up half-way never reaches the function.
        body = read_body(environ)
        if isinstance(body, _BodyCutShort):
            return error_answer(400, "INVALID_REQUEST", "The request body ended early.")
        if isinstance(body, _BodyTooLarge):
            return error_answer(413, "IMAGE_TOO_LARGE", "The request is too large.")
        if not self._key_accepted(method, path, environ):
            return error_answer(403, "FORBIDDEN", "A valid API key is required.")
        event = proxy_event(
            method,
            path,
            headers=_request_headers(environ),
            body=body or None,
            stage=STAGE,
            source_ip=str(environ.get("REMOTE_ADDR") or "127.0.0.1"),
        )
        context = LocalLambdaContext(event["requestContext"]["requestId"], self.timeout_seconds)
        try:
            result = self.lambda_handler(event, context)
        except Exception:
            # In AWS an unhandled error is a failed invoke, which API Gateway answers with
            # its DEFAULT_5XX response.
            log.exception("the compare handler raised")
            return error_answer(502, "INTERNAL_ERROR", "Internal error.")
        if context.get_remaining_time_in_millis() == 0:
            log.warning(
                "the request ran past the function's %.0f s timeout: in AWS it would have "
                "been stopped and answered 504",
                self.timeout_seconds,
            )
        payload = result.get("body") or ""
        raw = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode()
        return Answer(int(result["statusCode"]), response_headers(result), raw)

    def _key_accepted(self, method: str, path: str, environ: Mapping[str, Any]) -> bool:
        """API Gateway's key check: health and CORS preflights need none. The header is
        compared as bytes, so a key with any byte in it is just a wrong key."""
        if path in _OPEN_PATHS or method == "OPTIONS":
            return True
        offered = str(environ.get("HTTP_X_API_KEY", "")).encode("latin-1", "replace")
        return hmac.compare_digest(offered, self.api_key.encode())

    def _static(self, path: str) -> Answer:
        root = self.web_root.resolve()
        try:
            target = (root / (path.lstrip("/") or "index.html")).resolve()
            found = target.is_relative_to(root) and target.is_file()
        except (OSError, ValueError):  # a NUL byte, a name too long...
            found = False
        if not found:
            return error_answer(404, "NOT_FOUND", "No such page.")
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        headers = {"Content-Type": content_type, "Cache-Control": "no-store"}
        return Answer(200, headers, target.read_bytes())
