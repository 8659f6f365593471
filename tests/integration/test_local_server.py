"""The local stack's HTTP server: API Gateway's key check, proxy events, the camera page."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from compare import handler
from faceauth_local.server import serve
from tests.api_client import image_json
from tests.images import jpeg
from tests.integration.conftest import Stack

API_KEY = "local-test-key"  # pragma: allowlist secret


@pytest.fixture
def base_url(stack: Stack, tmp_path: Path) -> Iterator[str]:
    (tmp_path / "index.html").write_text("<h1>faceauth</h1>")
    httpd = serve("127.0.0.1", 0, API_KEY, tmp_path, handler.lambda_handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def request(
    url: str, method: str = "GET", body: object = None, key: str | None = API_KEY
) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if key is not None:
        req.add_header("x-api-key", key)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def test_requests_without_a_valid_api_key_are_403(base_url: str) -> None:
    for key in (None, "wrong"):
        status, _, body = request(f"{base_url}/v1/users/alice", key=key)
        assert status == 403
        assert json.loads(body)["error"]["code"] == "FORBIDDEN"


def test_health_needs_no_key(base_url: str) -> None:
    status, _, body = request(f"{base_url}/v1/health", key=None)
    assert (status, json.loads(body)) == (200, {"status": "ok"})


def test_a_registration_travels_through_proxy_events_to_the_handler(base_url: str) -> None:
    status, headers, body = request(
        f"{base_url}/v1/users/alice/registration", "POST", image_json(jpeg())
    )
    assert status == 201
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["userId"] == "alice"


def test_undeclared_methods_get_a_json_error_not_an_html_page(base_url: str) -> None:
    status, _, body = request(f"{base_url}/v1/users/alice/registration", "TRACE")
    assert status == 404
    assert json.loads(body)["error"]["code"] == "NOT_FOUND"


def test_the_camera_page_and_its_config_are_served(base_url: str) -> None:
    status, _, body = request(f"{base_url}/", key=None)
    assert (status, body) == (200, b"<h1>faceauth</h1>")
    status, _, body = request(f"{base_url}/config.json", key=None)
    assert json.loads(body) == {"apiBase": "/v1", "apiKey": API_KEY}


def test_static_files_cannot_escape_the_web_folder(base_url: str) -> None:
    status, _, _ = request(f"{base_url}/../../etc/passwd", key=None)
    assert status == 404
