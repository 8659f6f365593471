"""Start the local API (`python -m faceauth_local`) for tests that need it running for real.

The browser tests and the schemathesis run both use it: a free port, a fresh state dir
(SQLite, in-process moto S3) and a fixed API key.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FACES = REPO_ROOT.parent / "shared" / "testdata" / "faces"
API_KEY = "local-test-key"
START_SECONDS = 180  # loading the local face engine on a busy 2-core machine


@dataclass(frozen=True)
class LocalServer:
    url: str
    api_key: str

    @property
    def api_url(self) -> str:
        return f"{self.url}/v1"


@contextmanager
def run_local_server(state_dir: Path) -> Iterator[LocalServer]:
    """Run the local server until the block ends; fails the test if it never gets healthy."""
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "FACEAUTH_DATABASE_URL")  # always the embedded SQLite
    }
    env.update(
        PORT=str(port),
        FACEAUTH_LOCAL_DIR=str(state_dir),
        FACEAUTH_API_KEY=API_KEY,
    )
    log_path = state_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "faceauth_local"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LocalServer(f"http://127.0.0.1:{port}", API_KEY)
    try:
        _wait_healthy(server, process, log_path)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(server: LocalServer, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the local server exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.api_url}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(
        f"the local server was not healthy in {START_SECONDS} s:\n{log.read_text()[-3000:]}"
    )
