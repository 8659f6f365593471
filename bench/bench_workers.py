"""Verification throughput of the local stack (`make run`) at WORKERS=1 and WORKERS=2.

Starts `python -m faceauth_local` on a fresh state folder (SQLite and versitygw's S3, the
local dlib engine), registers one user per client, warms every worker up, then has
CLIENTS threads send verifications back to back (each for its own user) and counts the
answers per second. The target on a 2-core machine: WORKERS=2 at least 1.7x WORKERS=1.
(The lockout burst is bench/bench_lockout_burst.py.)

Run: .venv/bin/python bench/bench_workers.py [--requests N] [--clients C]
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import os
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/ helpers; the packages are installed

from tests.browser.local_server import API_KEY, LocalServer, run_local_server  # noqa: E402
from tests.faces import face_bytes  # noqa: E402


@dataclass(frozen=True)
class Throughput:
    workers: int
    requests: int
    seconds: float
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def _image_body(photo: str) -> bytes:
    return json.dumps({"image": base64.b64encode(face_bytes(photo)).decode()}).encode()


def _post(server: LocalServer, path: str, body: bytes) -> tuple[int, float]:
    """Status and seconds of one POST."""
    request = urllib.request.Request(  # noqa: S310 - the local server's http URL
        server.api_url + path,
        data=body,
        method="POST",
        headers={"x-api-key": API_KEY, "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def measure(workers: int, requests: int, clients: int) -> Throughput:
    """Verifications per second at `workers`, `clients` sending back to back."""
    reference, capture = _image_body("obama_1.jpg"), _image_body("obama_2.jpg")
    with (
        tempfile.TemporaryDirectory(prefix="bench-workers-") as folder,
        run_local_server(Path(folder) / "state", env={"WORKERS": str(workers)}) as server,
    ):
        users = [f"bench-{n}" for n in range(clients)]
        for user in users:
            assert _post(server, f"/users/{user}/registration", reference)[0] == 201
        # Warm up: every worker serves a few verifications (models, caches, connections).
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(lambda u: _post(server, f"/users/{u}/verification", capture), users))

        remaining = iter(range(requests))
        lock = threading.Lock()
        latencies: list[float] = []

        def client(user: str) -> None:
            while True:
                with lock:
                    if next(remaining, None) is None:
                        return
                status, seconds = _post(server, f"/users/{user}/verification", capture)
                assert status == 200, status
                with lock:
                    latencies.append(seconds)

        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(client, users))
        return Throughput(workers, requests, time.perf_counter() - started, latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=80, help="verifications per run")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    args = parser.parse_args()

    print(
        f"Verification throughput, local engine (dlib), {args.requests} requests from "
        f"{args.clients} clients, SQLite + versitygw, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at start",
        flush=True,
    )
    runs = []
    for workers in (1, 2):
        result = measure(workers, args.requests, args.clients)
        runs.append(result)
        print(
            f"  WORKERS={workers}: {result.per_second:5.2f} verifications/s "
            f"({result.requests} in {result.seconds:.1f} s; latency p50 "
            f"{_percentile(result.latencies, 0.5) * 1000:.0f} ms, p99 "
            f"{_percentile(result.latencies, 0.99) * 1000:.0f} ms)",
            flush=True,
        )
    ratio = runs[1].per_second / runs[0].per_second
    print(f"  ratio WORKERS=2 / WORKERS=1: {ratio:.2f}x (target >= 1.7x on 2 cores)")
    print(f"  load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
