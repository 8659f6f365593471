"""A small HTTP server that turns requests into API Gateway proxy events for the compare
Lambda's own handler, checks the API key as API Gateway does, and serves the camera page."""

from __future__ import annotations

import base64
import hmac
import json
import mimetypes
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from faceauth_local.events import proxy_event, response_headers

STAGE = "v1"
MAX_BODY_BYTES = 6 * 1024 * 1024  # a synchronous Lambda payload stops at 6 MB
_OPEN_PATHS = ("/health",)


class _LambdaContext:
    function_name = "faceauth-compare-local"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:local:000000000000:function:faceauth-compare:v1"
    memory_limit_in_mb = 1024
    aws_request_id = "local"
    log_group_name = "local"
    log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


class ApiRequestHandler(BaseHTTPRequestHandler):
    """Routes /v1/* to the Lambda handler and everything else to the web/ folder."""

    api_key: ClassVar[str] = ""
    web_root: ClassVar[Path] = Path()
    lambda_handler: ClassVar[Any] = None
    # Like one Lambda container: one request at a time through the (stateful) resolver.
    _invoke_lock: ClassVar[threading.Lock] = threading.Lock()
    server_version = "faceauth-local"

    def do_GET(self) -> None:
        if self.path.startswith(f"/{STAGE}/"):
            self._api()
        elif self.path.split("?")[0] == "/config.json":
            self._send(
                HTTPStatus.OK,
                {"Content-Type": "application/json"},
                json.dumps({"apiBase": f"/{STAGE}", "apiKey": self.api_key}).encode(),
            )
        else:
            self._static()

    def do_POST(self) -> None:
        self._api()

    def do_PUT(self) -> None:
        self._api()

    def do_DELETE(self) -> None:
        self._api()

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, PATCH, QUERY...) goes to the API, which answers with an
        # error body as API Gateway does, never http.server's HTML 501 page.
        if name.startswith("do_"):
            return self._api
        raise AttributeError(name)

    def do_HEAD(self) -> None:
        self.do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        return  # the handler's own JSON logs are the access log

    def _api(self) -> None:
        if not self.path.startswith(f"/{STAGE}/"):
            self._error(HTTPStatus.NOT_FOUND, "NOT_FOUND", "No such resource or method.")
            return
        path = self.path[len(STAGE) + 1 :].split("?")[0]
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._error(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                "IMAGE_TOO_LARGE",
                "The request body is larger than 6 MB.",
            )
            return
        body = self.rfile.read(length) if length else None
        if path not in _OPEN_PATHS and not hmac.compare_digest(
            self.headers.get("x-api-key", ""), self.api_key
        ):
            self._error(HTTPStatus.FORBIDDEN, "FORBIDDEN", "A valid x-api-key header is required.")
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        event = proxy_event(self.command, path, headers=headers, body=body, stage=STAGE)
        with self._invoke_lock:
            answer = self.lambda_handler(event, _LambdaContext())
        payload = answer.get("body") or ""
        raw = base64.b64decode(payload) if answer.get("isBase64Encoded") else payload.encode()
        self._send(answer["statusCode"], response_headers(answer), raw)

    def _static(self) -> None:
        relative = self.path.split("?")[0].lstrip("/") or "index.html"
        root = self.web_root.resolve()
        target = (root / relative).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            self._error(HTTPStatus.NOT_FOUND, "NOT_FOUND", "No such page.")
            return
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self._send(
            HTTPStatus.OK,
            {"Content-Type": content_type, "Cache-Control": "no-store"},
            target.read_bytes(),
        )

    def _error(self, status: HTTPStatus, code: str, message: str) -> None:
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        self._send(status, {"Content-Type": "application/json"}, body)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def serve(
    host: str, port: int, api_key: str, web_root: Path, lambda_handler: Any
) -> ThreadingHTTPServer:
    """Bind the server; the caller runs serve_forever()."""
    handler_class = type(
        "BoundApiRequestHandler",
        (ApiRequestHandler,),
        {"api_key": api_key, "web_root": web_root, "lambda_handler": staticmethod(lambda_handler)},
    )
    return ThreadingHTTPServer((host, port), handler_class)
