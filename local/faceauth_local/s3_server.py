"""The local stack's S3: versitygw's posix backend, a child process of `make run` that keeps
every object as a file under the state folder, so images survive a restart.

`make setup` builds the binary (scripts/s3-server.sh) into ~/.cache/faceauth-tools/bin.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from faceauth_local.ports import free_port

START_SECONDS = 30.0
STOP_SECONDS = 10.0
HEALTH_PATH = "/health"
ACCESS_KEY = "local"
SECRET_KEY = "local"  # noqa: S105  # pragma: allowlist secret - loopback-only server
REGION = "eu-west-1"


class S3ServerError(RuntimeError):
    """The S3 server is not built, or did not start."""


def binary_path() -> Path:
    """Where `make setup` (scripts/s3-server.sh) puts versitygw."""
    tools = os.environ.get("FACEAUTH_TOOLS_DIR") or str(Path.home() / ".cache/faceauth-tools")
    return Path(tools) / "bin" / "versitygw"


@dataclass
class S3Server:
    """A running versitygw serving `root` on 127.0.0.1:`port`."""

    process: subprocess.Popen[bytes]
    endpoint_url: str
    log_path: Path

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL after STOP_SECONDS); safe to call twice."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_s3_server(state_dir: Path, port: int = 0) -> S3Server:
    """Start versitygw on `state_dir`/s3 (objects in data/, old versions in versions/) and
    wait until it answers. Its output goes to `state_dir`/s3-server.log, never to the
    console. Raises S3ServerError with what to do when it is not built or does not start."""
    binary = binary_path()
    if not os.access(binary, os.X_OK):
        raise S3ServerError(
            f"The local S3 server is not built ({binary} is missing): `make setup` builds it."
        )
    data, versions = state_dir / "s3" / "data", state_dir / "s3" / "versions"
    data.mkdir(parents=True, exist_ok=True)
    versions.mkdir(parents=True, exist_ok=True)
    port = port or free_port("127.0.0.1")
    endpoint = f"http://127.0.0.1:{port}"
    command = [
        str(binary),
        "--port",
        f"127.0.0.1:{port}",
        "--region",
        REGION,
        "--health",
        HEALTH_PATH,
        "--quiet",  # no access log
        "posix",
        "--versioning-dir",
        str(versions),
        str(data),
    ]
    environment = {
        **os.environ,
        "ROOT_ACCESS_KEY_ID": ACCESS_KEY,
        "ROOT_SECRET_ACCESS_KEY": SECRET_KEY,
    }
    log_path = state_dir / "s3-server.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - our binary, our arguments
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
            cwd=state_dir,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - no threads run yet
        )
    server = S3Server(process, endpoint, log_path)
    try:
        _wait_healthy(server)
    except S3ServerError:
        server.stop()
        raise
    return server


def _wait_healthy(server: S3Server) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise S3ServerError(f"The local S3 server exited at start: {_tail(server.log_path)}")
        try:
            with urllib.request.urlopen(  # noqa: S310 - our own loopback endpoint
                server.endpoint_url + HEALTH_PATH, timeout=1
            ) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise S3ServerError(
        f"The local S3 server did not answer within {START_SECONDS:.0f} s: {_tail(server.log_path)}"
    )


def _tail(log_path: Path) -> str:
    lines = log_path.read_text(errors="replace").strip().splitlines()
    return " | ".join(lines[-3:]) or f"no output (see {log_path})"


def _die_with_parent() -> None:
    """Runs in the child before exec: Linux sends it SIGTERM when `make run` dies, even by
    SIGKILL, so no orphan keeps the port and the folder."""
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
