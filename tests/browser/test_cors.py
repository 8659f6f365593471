"""CORS in headless Chromium (issue 10 item 4): a page on another origin calls the local API.

The local stack runs with FACEAUTH_CORS_ALLOWED_ORIGINS set to one page origin (a second
local port); a page there can call the API, and a page on a third port is refused by the
browser. The preflight carries no API key, so the local server must answer OPTIONS without one.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fake_camera import HEIGHT, WIDTH, write_y4m
from local_server import LocalServer, run_local_server
from PIL import Image
from selenium import webdriver

pytestmark = pytest.mark.browser

OpenBrowser = Callable[[Path], webdriver.Chrome]
Screenshot = Callable[[webdriver.Chrome, str], Path]
PAGE = b"<!doctype html><meta charset='utf-8'><title>another origin</title><pre id='out'></pre>"
# Runs in the page: one fetch to the API, its outcome written to the page and returned.
CALL_API = """
const [url, init, done] = arguments;
const show = (outcome) => {
  document.getElementById("out").textContent = `${location.origin} -> ${url}\\n`
    + JSON.stringify(outcome, null, 2);
  done(outcome);
};
fetch(url, init)
  .then(async (answer) => show({ status: answer.status, body: await answer.json() }))
  .catch((err) => show({ blocked: `${err.name}: ${err.message}` }));
"""


class _Page(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)


@pytest.fixture(scope="module")
def page_origins() -> Iterator[tuple[str, str]]:
    """Two origins serving a blank page: (allowed, other)."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Page) for _ in range(2)]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    allowed, other = (f"http://127.0.0.1:{s.server_port}" for s in servers)
    yield allowed, other
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def cors_server(
    page_origins: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalServer]:
    """The local stack, allowing the first page origin only."""
    allowed, _ = page_origins
    state_dir = tmp_path_factory.mktemp("faceauth-cors")
    with run_local_server(state_dir, env={"FACEAUTH_CORS_ALLOWED_ORIGINS": allowed}) as server:
        yield server


@pytest.fixture
def browser(open_browser: OpenBrowser, tmp_path: Path) -> webdriver.Chrome:
    grey = write_y4m(Image.new("RGB", (WIDTH, HEIGHT), (128, 128, 128)), tmp_path / "grey.y4m")
    return open_browser(grey)


def call_api(driver: webdriver.Chrome, url: str, init: dict[str, Any]) -> dict[str, Any]:
    outcome: dict[str, Any] = driver.execute_async_script(CALL_API, url, init)
    return outcome


def test_page_on_the_allowed_origin_reads_the_api(
    cors_server: LocalServer,
    page_origins: tuple[str, str],
    browser: webdriver.Chrome,
    screenshot: Screenshot,
) -> None:
    # Given a page on the origin the API allows
    allowed, _ = page_origins
    browser.get(allowed + "/")
    user_id = f"user-{uuid.uuid4().hex[:10]}"
    # When it asks the API for a user, with the API key (a request that needs a preflight)
    with_key = {"headers": {"x-api-key": cors_server.api_key}}
    outcome = call_api(browser, f"{cors_server.api_url}/users/{user_id}", with_key)
    screenshot(browser, "allowed")
    # Then the browser lets the page read the answer
    assert outcome["status"] == 200
    assert outcome["body"]["userId"] == user_id


def test_page_on_the_allowed_origin_reads_error_answers(
    cors_server: LocalServer, page_origins: tuple[str, str], browser: webdriver.Chrome
) -> None:
    # Given a page on the allowed origin
    allowed, _ = page_origins
    browser.get(allowed + "/")
    # When it POSTs JSON with an Idempotency-Key to start a liveness session (the local
    # stack has no liveness service)
    init = {
        "method": "POST",
        "headers": {
            "x-api-key": cors_server.api_key,
            "Content-Type": "application/json",
            "Idempotency-Key": str(uuid.uuid4()),
        },
    }
    outcome = call_api(browser, f"{cors_server.api_url}/users/alice/liveness-sessions", init)
    # Then the error answer is readable too, code and all
    assert outcome["status"] == 501
    assert outcome["body"]["error"]["code"] == "LIVENESS_UNAVAILABLE"


def test_page_on_another_origin_is_refused_by_the_browser(
    cors_server: LocalServer,
    page_origins: tuple[str, str],
    browser: webdriver.Chrome,
    screenshot: Screenshot,
) -> None:
    # Given a page on an origin the API does not allow
    _, other = page_origins
    browser.get(other + "/")
    # When it asks the API for a user, with the API key
    with_key = {"headers": {"x-api-key": cors_server.api_key}}
    outcome = call_api(browser, f"{cors_server.api_url}/users/alice", with_key)
    screenshot(browser, "refused")
    # Then the browser blocks the call: the page gets no answer at all
    assert outcome == {"blocked": "TypeError: Failed to fetch"}
