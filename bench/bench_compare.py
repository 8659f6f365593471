"""Benchmark the compare path: handler latency, cold import time.

Setting: the real handler, MariaDB (the test server), S3 through moto (in-process) and a
zero-latency fake face engine, so what is measured is our code plus its DB and S3 calls.
In the same run, two baselines: the same use case called without the handler (what the
Powertools resolver, validation and JSON add), and a bare interpreter start (so the cold
import can be read as a ratio on a busy machine).

Run: make bench   (or .venv/bin/python bench/bench_compare.py --requests 500)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench/ and tests/ helpers; the packages are installed
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "1")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "1")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
for name, value in {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "eu-west-1",
}.items():
    os.environ.setdefault(name, value)

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from compare import handler  # noqa: E402
from faceauth import bootstrap  # noqa: E402
from faceauth.adapters.retry import RetryPolicy  # noqa: E402
from faceauth.adapters.s3_store import S3ImageStore  # noqa: E402
from faceauth.db import migrate  # noqa: E402
from faceauth.db.session import Database  # noqa: E402
from faceauth.domain.deadline import Deadline  # noqa: E402
from faceauth.domain.liveness import UploadedSelfie  # noqa: E402
from faceauth.settings import Settings  # noqa: E402
from tests.api_client import call_api, image_json  # noqa: E402
from tests.fakes import ScriptedFaceEngine  # noqa: E402
from tests.images import jpeg  # noqa: E402

SERVER = os.environ.get("FACEAUTH_TEST_DATABASE_URL", "mysql+pymysql://root@127.0.0.1:3307/")
BUCKET = "faceauth-bench-images"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def describe(label: str, samples: list[float]) -> str:
    return (
        f"{label:<34} p50 {statistics.median(samples):7.2f} ms   "
        f"p99 {percentile(samples, 0.99):7.2f} ms   n={len(samples)}"
    )


def cold_import_ms(statement: str, runs: int) -> float:
    """Median wall time of a fresh interpreter running `statement` (import included)."""
    env = dict(os.environ)
    samples = []
    for _ in range(runs):
        out = subprocess.run(  # noqa: S603 - our own interpreter and code
            [
                sys.executable,
                "-c",
                "import time; t = time.perf_counter(); "
                f"{statement}; print((time.perf_counter() - t) * 1000)",
            ],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--import-runs", type=int, default=7)
    args = parser.parse_args()

    admin = create_engine(make_url(SERVER))
    name = f"faceauth_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}`"))
    engine = create_engine(make_url(SERVER).set(database=name), pool_pre_ping=True)
    migrate.upgrade(engine)
    try:
        with mock_aws():
            s3 = boto3.client("s3")
            s3.create_bucket(
                Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
            )
            settings = Settings(database_url=str(engine.url), images_bucket=BUCKET)
            dependencies = bootstrap.compare_dependencies(
                settings,
                db=Database(engine),
                images=S3ImageStore(s3, BUCKET, RetryPolicy("image_store")),
                engine=ScriptedFaceEngine(similarity=99.0),
            )
            service = dependencies.service
            handler.app.dependency_overrides[handler.compare_dependencies] = lambda: dependencies
            body = image_json(jpeg(640, 480))
            image = jpeg(640, 480)
            call_api("POST", "/users/bench/registration", json_body=body)
            with contextlib.redirect_stdout(io.StringIO()):
                for _ in range(20):  # warm pools and caches, as in a warm Lambda container
                    call_api("POST", "/users/bench/verification", json_body=body)

            # EMF lines go to a buffer, as they would go to CloudWatch, not to this terminal.
            sink = io.StringIO()
            with contextlib.redirect_stdout(sink):
                verify = timed(
                    lambda: call_api("POST", "/users/bench/verification", json_body=body),
                    args.requests,
                )
                status = timed(lambda: call_api("GET", "/users/bench"), args.requests)
                direct = timed(
                    lambda: service.verify_capture(
                        "bench", UploadedSelfie(image), Deadline.after(25)
                    ),
                    args.requests,
                )
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE `{name}`"))

    print("compare path: handler + MariaDB + moto S3 + zero-latency face engine")
    print(describe("POST verification (handler)", verify))
    print(describe("GET user status (handler)", status))
    print(describe("baseline: verify_capture, no handler", direct))
    overhead = statistics.median(verify) - statistics.median(direct)
    print(f"{'handler overhead over baseline':<34} p50 {overhead:7.2f} ms")

    boto3_import = cold_import_ms("import boto3", args.import_runs)
    handler_import = cold_import_ms("import compare.handler", args.import_runs)
    runs = args.import_runs
    print(f"\ncold import of compare.handler     {handler_import:7.0f} ms (median of {runs})")
    print(
        f"baseline: import boto3 alone       {boto3_import:7.0f} ms   "
        f"(handler = {handler_import / boto3_import:.1f}x boto3)"
    )
    print("targets: p50 <= 15 ms, p99 <= 40 ms, cold import <= 400 ms")


if __name__ == "__main__":
    main()
