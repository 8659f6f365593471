"""Start the local API (`python -m faceauth_local`, what `make run` runs) for tests that need it
running for real: a free port, its own state folder (SQLite, versitygw's S3 on disk) and a
fixed API key. The browser, contract and local-stack tests use it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FACES = REPO_ROOT.parent / "shared" / "testdata" / "faces"
API_KEY = "local-test-key"  # pragma: allowlist secret
START_SECONDS = 180  # loading the local face engine on a busy 2-core machine
STOP_SECONDS = 30
READY_LINE = "faceauth API "


class LocalServerError(RuntimeError):
    """The local server exited or never got ready; the message ends with its output."""


@dataclass(frozen=True)
class LocalServer:
    url: str
    api_key: str
    port: int
    state_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]

    @property
    def api_url(self) -> str:
        return f"{self.url}/v1"

    def output(self) -> str:
        """What the server printed so far (stdout and stderr)."""
        return self.log_path.read_text(errors="replace")


def server_environment(state_dir: Path, port: int, extra: Mapping[str, str]) -> dict[str, str]:
    """The environment of a local server with the embedded defaults (SQLite, own S3), without
    the test session's database, S3 or AWS settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "FACEAUTH_DATABASE_URL", "FACEAUTH_S3_ENDPOINT_URL")
        and key != "WORKERS"
        and not key.startswith("AWS_")
    }
    env.update(PORT=str(port), FACEAUTH_LOCAL_DIR=str(state_dir), FACEAUTH_API_KEY=API_KEY)
    env.update(extra)
    return env


@contextmanager
def run_local_server(
    state_dir: Path,
    *,
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
    port: int | None = None,
) -> Iterator[LocalServer]:
    """Run the local server until the block ends. Raises LocalServerError if it never gets
    ready, with the end of its output, which says what to do (e.g. `make setup`)."""
    port = port or free_port()
    state_dir.mkdir(parents=True, exist_ok=True)
    log_path = state_dir.parent / f"{state_dir.name}-server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "faceauth_local", *args],
            cwd=REPO_ROOT,
            env=server_environment(state_dir, port, env or {}),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LocalServer(f"http://127.0.0.1:{port}", API_KEY, port, state_dir, log_path, process)
    try:
        wait_healthy(server)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (gunicorn's graceful stop), SIGKILL if it lingers."""
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(server: LocalServer) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise LocalServerError(f"the local server exited early:\n{server.output()[-3000:]}")
        # Every worker is warm once the server prints the line the README says to wait for.
        try:
            with urllib.request.urlopen(f"{server.api_url}/health", timeout=2) as answer:
                if answer.status == 200 and READY_LINE in server.output():
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise LocalServerError(
        f"the local server was not ready in {START_SECONDS} s:\n{server.output()[-3000:]}"
    )
