"""A scripted in-process HTTP server standing in for the faceauth API, and sample answers."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    raw: bytes | None = None
    # False: answer without reading the body, then close (a server refusing a large body).
    read_body: bool = True


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class FakeApi:
    """Answers each request with the next scripted Reply and records what it received."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[Seen] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_port}/v1"

    def reply(self, status: int, body: Any = None, **kwargs: Any) -> None:
        self.replies.append(Reply(status, body, **kwargs))

    def error(self, status: int, code: str, **kwargs: Any) -> None:
        self.reply(status, {"error": {"code": code, "message": f"{code} happened"}}, **kwargs)

    def start(self) -> None:
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output quiet."""

            def _answer(self) -> None:
                reply = fake.replies.pop(0) if fake.replies else Reply(500, {"unscripted": 1})
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length and reply.read_body else b""
                fake.requests.append(
                    Seen(
                        self.command,
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        json.loads(raw) if raw else None,
                    )
                )
                time.sleep(reply.delay)
                payload = reply.raw
                if payload is None:
                    payload = b"" if reply.body is None else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                # The client may have given up waiting (timeout tests).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815

        return Handler


REGISTRATION = {
    "runId": "run-1",
    "userId": "alice",
    "registeredAt": "2026-11-26T21:00:00Z",
}
LIVENESS_SESSION = {
    "sessionId": "6a8b1c2d-3e4f-4a5b-9c6d-7e8f9a0b1c2d",
    "region": "eu-west-1",
    "expiresAt": "2026-11-26T21:03:00+00:00",
}
VERIFICATION = {
    "runId": "run-2",
    "userId": "alice",
    "similarity": 97.43,
    "threshold": 90,
    "result": "PASS",
    "verifiedAt": "2026-11-26T21:05:00.123456+00:00",
}
STATUS = {
    "userId": "alice",
    "registered": True,
    "registeredAt": "2026-11-26T21:00:00Z",
    "lastVerification": {
        "runId": "run-3",
        "result": None,
        "similarity": None,
        "errorCode": "NO_FACE_DETECTED",
        "verifiedAt": "2026-11-26T21:06:00Z",
    },
    "locked": True,
    "lockedUntil": "2026-11-26T21:21:00Z",
    "consecutiveFailures": 5,
}

# The API's error table, which the client's error classes are generated from.
ERROR_TABLE_PATH = (
    Path(__file__).resolve().parents[2] / "functions" / "compare" / "error_codes.json"
)
ERRORS: dict[str, dict[str, Any]] = json.loads(ERROR_TABLE_PATH.read_text())["errors"]
