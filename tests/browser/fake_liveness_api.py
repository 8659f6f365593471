"""A stand-in for the faceauth API that answers liveness sessions, for the liveness page tests.

The local stack answers 501 LIVENESS_UNAVAILABLE for sessions (its face engine has no liveness
service), so these tests serve the built page from web/ next to this fake on one origin. It
keeps users and sessions in memory, records every API request, and answers a selfie with the
next scripted answer (PASS by default).
"""

from __future__ import annotations

import json
import mimetypes
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

API_KEY = "fake-liveness-key"  # pragma: allowlist secret
REGION = "eu-west-1"
IDENTITY_POOL_ID = "eu-west-1:00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class ApiRequest:
    method: str
    path: str
    body: Any


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any


def error(status: int, code: str) -> Answer:
    return Answer(status, {"error": {"code": code, "message": f"{code} (fake API)"}})


@dataclass
class FakeLivenessApi:
    """The API routes the liveness page calls; `url` serves the page and the API."""

    web_root: Path
    config: dict[str, str] = field(default_factory=dict)
    registered: set[str] = field(default_factory=set)
    sessions: dict[str, str] = field(default_factory=dict)  # session id -> user id
    requests: list[ApiRequest] = field(default_factory=list)
    session_answers: list[Answer] = field(default_factory=list)  # next ones; else 201
    selfie_answers: list[Answer] = field(default_factory=list)  # next ones; else success
    url: str = ""

    def requests_to(self, method: str, suffix: str) -> list[ApiRequest]:
        return [r for r in self.requests if r.method == method and r.path.endswith(suffix)]

    def answer(self, method: str, path: str, body: Any) -> Answer:
        self.requests.append(ApiRequest(method, path, body))
        parts = path.strip("/").split("/")  # ["v1", "users", id, ...]
        if len(parts) < 3 or parts[:2] != ["v1", "users"]:
            return error(404, "NOT_FOUND")
        user_id, route = parts[2], "/".join(parts[3:])
        if method == "GET" and route == "":
            return Answer(200, self._status(user_id))
        if method == "POST" and route == "liveness-sessions":
            return self._start_session(user_id)
        if method in ("POST", "PUT") and route in ("registration", "verification"):
            return self._selfie(user_id, route, body)
        return error(404, "NOT_FOUND")

    def _status(self, user_id: str) -> dict[str, Any]:
        return {
            "userId": user_id,
            "registered": user_id in self.registered,
            "registeredAt": None,
            "lastVerification": None,
            "locked": False,
            "lockedUntil": None,
            "consecutiveFailures": 0,
        }

    def _start_session(self, user_id: str) -> Answer:
        if self.session_answers:
            return self.session_answers.pop(0)
        session_id = str(uuid.uuid4())
        self.sessions[session_id] = user_id
        expires = datetime.now(UTC) + timedelta(minutes=3)
        return Answer(
            201, {"sessionId": session_id, "region": REGION, "expiresAt": expires.isoformat()}
        )

    def _selfie(self, user_id: str, route: str, body: Any) -> Answer:
        if self.selfie_answers:
            return self.selfie_answers.pop(0)
        session_id = body.get("livenessSessionId") if isinstance(body, dict) else None
        if self.sessions.pop(session_id or "", None) != user_id:
            return error(409, "LIVENESS_SESSION_INVALID")
        now = datetime.now(UTC).isoformat()
        if route == "registration":
            self.registered.add(user_id)
            return Answer(201, {"runId": "run-reg", "userId": user_id, "registeredAt": now})
        verification = {
            "runId": "run-verify",
            "userId": user_id,
            "similarity": 99.12,
            "threshold": 90,
            "result": "PASS",
            "verifiedAt": now,
        }
        return Answer(200, verification)


def serve(api: FakeLivenessApi) -> ThreadingHTTPServer:
    """Bind 127.0.0.1 on a free port, set `api.url` and serve in a daemon thread."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path.startswith("/v1/"):
                self._api()
            elif path == "/config.json":
                self._send(200, "application/json", json.dumps(api.config).encode())
            else:
                self._static(path)

        def do_POST(self) -> None:
            self._api()

        do_PUT = do_POST  # noqa: N815

        def _api(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if self.headers.get("x-api-key") != API_KEY:
                answer = error(403, "FORBIDDEN")
            else:
                answer = api.answer(self.command, self.path, json.loads(raw) if raw else None)
            self._send(answer.status, "application/json", json.dumps(answer.body).encode())

        def _static(self, path: str) -> None:
            root = api.web_root.resolve()
            target = (root / (path.lstrip("/") or "index.html")).resolve()
            if not target.is_relative_to(root) or not target.is_file():
                self._send(404, "text/plain", b"not found")
                return
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            self._send(200, kind, target.read_bytes())

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    api.url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server
