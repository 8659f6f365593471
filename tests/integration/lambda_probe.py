"""A stand-in for the compare handler, served by the local server in tests of its workers
(FACEAUTH_LOCAL_HANDLER=tests.integration.lambda_probe:lambda_handler).

It answers what its container saw: its process id, how many requests were in flight in all
workers at once, and the Lambda context's remaining time. `GET /rendezvous/<n>` waits
(at most WAIT_SECONDS) until n requests are in flight at once; every request leaves a file in
FACEAUTH_PROBE_DIR while it runs, which is how the workers count each other (one
rendezvous per folder).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

WAIT_SECONDS = float(os.environ.get("FACEAUTH_PROBE_WAIT_SECONDS", "30"))


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    folder = Path(os.environ["FACEAUTH_PROBE_DIR"])
    me = uuid.uuid4().hex
    arrived = folder / f"arrived-{me}"
    arrived.touch()
    try:
        wanted = _wanted(event["path"])
        seen = _wait_for(folder, "arrived-*", wanted)
        if wanted and seen >= wanted:
            # Stay in flight until every request of the rendezvous has seen it too.
            (folder / f"met-{me}").touch()
            _wait_for(folder, "met-*", wanted)
    finally:
        arrived.unlink()
    answer = {
        "pid": os.getpid(),
        "inFlight": seen,
        "remainingMillis": context.get_remaining_time_in_millis(),
        "method": event["httpMethod"],
        "headers": event["headers"],
    }
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(answer),
    }


def _wait_for(folder: Path, pattern: str, count: int) -> int:
    """How many files match once `count` do, or when WAIT_SECONDS are over."""
    deadline = time.monotonic() + WAIT_SECONDS
    while (found := len(list(folder.glob(pattern)))) < count and time.monotonic() < deadline:
        time.sleep(0.02)  # polling other processes' files, bounded by WAIT_SECONDS
    return found


def _wanted(path: str) -> int:
    prefix = "/rendezvous/"
    return int(path[len(prefix) :]) if path.startswith(prefix) else 0
