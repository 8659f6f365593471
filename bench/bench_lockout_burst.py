"""Latency of a 12-request burst for one user under the lockout budget, against the
alternative of holding the user's row lock across the face-engine call.

Setting: CONTAINERS service instances (own connection pool each) on MariaDB and S3 through
moto, and a face engine that takes ENGINE_MS per comparison (the local engine's p50 is about
220 ms, Rekognition's CompareFaces a few hundred ms). Each burst sends 12 verifications of
one user at once, released by a barrier; a fresh user per burst.

- budget (what faceauth does): an attempt reserves its slot in a short transaction under the
  row lock, then runs the engine with no lock held; attempts that could exceed the budget
  are refused at once (423).
- row lock across the engine (the rejected alternative): each attempt holds SELECT ... FOR
  UPDATE on the user row for the whole comparison, so one user's attempts queue behind each
  other (and each holds a database connection, pinned in RDS Proxy, meanwhile).

Run: make bench   (or .venv/bin/python bench/bench_lockout_burst.py --bursts 20)
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/ helpers; the packages are installed
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "1")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
for name, value in {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",  # pragma: allowlist secret
    "AWS_DEFAULT_REGION": "eu-west-1",
}.items():
    os.environ.setdefault(name, value)

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from faceauth import bootstrap  # noqa: E402
from faceauth.adapters.retry import RetryPolicy  # noqa: E402
from faceauth.adapters.s3_store import S3ImageStore  # noqa: E402
from faceauth.db import migrate  # noqa: E402
from faceauth.db.session import Database  # noqa: E402
from faceauth.domain.deadline import Deadline  # noqa: E402
from faceauth.domain.liveness import UploadedSelfie  # noqa: E402
from faceauth.domain.services import FaceAuthService  # noqa: E402
from faceauth.errors import FaceAuthError  # noqa: E402
from faceauth.settings import Settings  # noqa: E402
from tests.images import jpeg  # noqa: E402

SERVER = os.environ.get("FACEAUTH_TEST_DATABASE_URL", "mysql+pymysql://root@127.0.0.1:3307/")
BUCKET = "faceauth-bench-burst"
BURST = 12
CONTAINERS = 4
IMAGE = jpeg(640, 480)


class SlowEngine:
    """A face engine that takes a fixed time and answers FAIL."""

    name = "slow"

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds

    def check_single_face(self, image: bytes, deadline: Deadline) -> None:
        return None

    def compare(
        self, reference_key: str, capture_key: str, capture: bytes, deadline: Deadline
    ) -> float:
        time.sleep(self._seconds)
        return 10.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def burst(calls: list[Callable[[], object]]) -> list[float]:
    """Run the calls at once; each one's latency in ms (refusals included)."""
    barrier = threading.Barrier(len(calls))

    def timed(call: Callable[[], object]) -> float:
        barrier.wait()
        started = time.perf_counter()
        with contextlib.suppress(FaceAuthError):  # a refusal is an answer too
            call()
        return (time.perf_counter() - started) * 1000

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(timed, calls))


def budget_bursts(services: list[FaceAuthService], bursts: int) -> list[float]:
    samples: list[float] = []
    for _ in range(bursts):
        user = f"u{uuid.uuid4().hex[:12]}"
        services[0].register_reference(user, UploadedSelfie(IMAGE), Deadline.after(25))

        def attempt(service: FaceAuthService, user: str = user) -> object:
            return service.verify_capture(user, UploadedSelfie(IMAGE), Deadline.after(25))

        samples += burst([partial(attempt, services[i % CONTAINERS]) for i in range(BURST)])
    return samples


def row_lock_bursts(engines: list[Engine], bursts: int, engine_seconds: float) -> list[float]:
    """The alternative: the user's row locked across the comparison."""
    samples: list[float] = []
    for _ in range(bursts):
        user = f"u{uuid.uuid4().hex[:12]}"
        with engines[0].begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (external_id, reference_key, consecutive_failures, "
                    "enrolment, created_at) VALUES (:u, 'references/x.jpg', 0, 1, NOW(6))"
                ),
                {"u": user},
            )

        def attempt(engine: Engine, user: str = user) -> None:
            with engine.begin() as conn:
                failures = conn.execute(
                    text(
                        "SELECT consecutive_failures FROM users WHERE external_id = :u FOR UPDATE"
                    ),
                    {"u": user},
                ).scalar_one()
                if failures >= 5:
                    return
                time.sleep(engine_seconds)
                conn.execute(
                    text(
                        "UPDATE users SET consecutive_failures = consecutive_failures + 1 "
                        "WHERE external_id = :u"
                    ),
                    {"u": user},
                )

        samples += burst([partial(attempt, engines[i % CONTAINERS]) for i in range(BURST)])
    return samples


def describe(label: str, samples: list[float]) -> str:
    return (
        f"{label:<36} p50 {statistics.median(samples):7.1f} ms   "
        f"p99 {percentile(samples, 0.99):7.1f} ms   max {max(samples):7.1f} ms   n={len(samples)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bursts", type=int, default=20)
    parser.add_argument("--engine-ms", type=float, default=200.0)
    args = parser.parse_args()
    engine_seconds = args.engine_ms / 1000

    admin = create_engine(make_url(SERVER))
    name = f"faceauth_burst_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}`"))
    url = make_url(SERVER).set(database=name)
    engines = [create_engine(url, pool_pre_ping=True) for _ in range(CONTAINERS)]
    migrate.upgrade(engines[0])
    try:
        with mock_aws():
            s3 = boto3.client("s3")
            s3.create_bucket(
                Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
            )
            settings = Settings(database_url=str(url), images_bucket=BUCKET)
            services = [
                bootstrap.compare_dependencies(
                    settings,
                    db=Database(engine),
                    images=S3ImageStore(s3, BUCKET, RetryPolicy("image_store")),
                    engine=SlowEngine(engine_seconds),
                ).service
                for engine in engines
            ]
            budget_bursts(services, 2)  # warm pools
            budget = budget_bursts(services, args.bursts)
            locked = row_lock_bursts(engines, args.bursts, engine_seconds)
    finally:
        for engine in engines:
            engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE `{name}`"))

    print(
        f"\n12-request bursts for one user, {CONTAINERS} containers, face engine "
        f"{args.engine_ms:.0f} ms, {args.bursts} bursts"
    )
    print(describe("lockout budget (faceauth)", budget))
    print(describe("baseline: row lock across the engine", locked))
    ratio = percentile(locked, 0.99) / percentile(budget, 0.99)
    print(f"p99: the row lock is {ratio:.1f}x slower for a burst of one user")


if __name__ == "__main__":
    main()
