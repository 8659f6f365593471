"""`make run WORKERS=N`: N worker processes behind one port, each like one Lambda container
(one request at a time), with a Lambda context that counts down from the function timeout.
The server serves a probe handler (tests/integration/lambda_probe.py) that reports what it saw.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.browser.local_server import API_KEY, LocalServer, run_local_server

PROBE = "tests.integration.lambda_probe:lambda_handler"


@contextmanager
def probe_server(tmp_path: Path, workers: int, **settings: str) -> Iterator[LocalServer]:
    in_flight = tmp_path / "in-flight"
    in_flight.mkdir()
    env = {
        "WORKERS": str(workers),
        "FACEAUTH_LOCAL_HANDLER": PROBE,
        "FACEAUTH_PROBE_DIR": str(in_flight),
        "FACEAUTH_FACE_ENGINE": "rekognition",  # the probe needs no face models
        **settings,
    }
    with run_local_server(tmp_path / "state", env=env) as server:
        yield server


def probe(server: LocalServer, path: str) -> dict[str, Any]:
    request = urllib.request.Request(server.api_url + path, headers={"x-api-key": API_KEY})
    with urllib.request.urlopen(request, timeout=60) as answer:
        seen: dict[str, Any] = json.loads(answer.read())
        return seen


def test_a_request_arriving_while_a_worker_is_busy_goes_to_an_idle_worker(
    tmp_path: Path,
) -> None:
    # Given WORKERS=2, one of them busy with a request that waits for a second one
    with probe_server(tmp_path, workers=2) as server, ThreadPoolExecutor(1) as pool:
        first = pool.submit(probe, server, "/rendezvous/2")
        wait_until_in_flight(tmp_path / "in-flight", 1)
        # When the second request arrives
        second = probe(server, "/rendezvous/2")
        # Then the other worker serves it meanwhile, in its own process
        assert (first.result()["inFlight"], second["inFlight"]) == (2, 2)
        assert first.result()["pid"] != second["pid"]


def wait_until_in_flight(folder: Path, count: int) -> None:
    deadline = time.monotonic() + 30
    while len(list(folder.glob("arrived-*"))) < count:
        assert time.monotonic() < deadline, "the first request never reached the handler"
        time.sleep(0.02)


def test_a_worker_runs_one_request_at_a_time(tmp_path: Path) -> None:
    # Given WORKERS=1, and requests that wait (1 s at most) for a second one in flight
    with (
        probe_server(tmp_path, workers=1, FACEAUTH_PROBE_WAIT_SECONDS="1") as server,
        ThreadPoolExecutor(2) as pool,
    ):
        # When two arrive together
        seen = list(pool.map(lambda _: probe(server, "/rendezvous/2"), range(2)))
    # Then each ran alone
    assert [answer["inFlight"] for answer in seen] == [1, 1]


def test_each_request_gets_a_context_counting_down_from_the_function_timeout(
    tmp_path: Path,
) -> None:
    # Given a 3 s function timeout
    with probe_server(tmp_path, workers=1, FACEAUTH_LOCAL_TIMEOUT_SECONDS="3") as server:
        # When two requests run one after the other
        remaining = [probe(server, "/users/alice")["remainingMillis"] for _ in range(2)]
    # Then each got its own deadline, 3 s after it started
    assert all(0 < millis <= 3000 for millis in remaining)
