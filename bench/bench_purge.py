"""`make bench-purge`: how fast the purge clears overdue images, against a naive baseline.

Seeds N overdue captures in a fresh MariaDB database (bulk INSERT) with a tiny object each in
moto's S3 *server* (ThreadedMotoServer on a loopback port; objects are seeded straight into
its in-process backend, the purge then talks HTTP to it like to S3). Then:

- the purge: purge_due_images with SqlPurgeQueue and S3ImageStore, 1000 keys per batch;
- the naive baseline: one DeleteObject and one UPDATE + COMMIT per row, over a smaller
  sample (--naive-n) because it is slow; its rate does not depend on N.

Prints images/s for both, the ratio, the time split between S3 and the database, and an
extrapolation to 1M images on real S3 under a stated DeleteObjects latency.

--versioned purges from a versioned bucket with each row's version id recorded (as the API
writes rows), so no key is listed; add --no-version-ids for rows written before version ids
were recorded (one ListObjectVersions per key).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config
from moto.core import DEFAULT_ACCOUNT_ID
from moto.s3.models import s3_backends
from moto.server import ThreadedMotoServer
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from faceauth.adapters.s3_store import S3ImageStore
from faceauth.db import migrate
from faceauth.db.purge_queue import SqlPurgeQueue
from faceauth.domain.model import StoredObject
from faceauth.domain.ports import DeleteReport
from faceauth.domain.purge import PurgePolicy, purge_due_images

NOW = datetime(2026, 11, 26, 3, 0, 0)
POLICY = PurgePolicy.from_days(threshold=90.0, pass_days=3, fail_days=28)
BUCKET = "faceauth-bench-images"
INSERT_CHUNK = 5000
TARGET_RATE = 1200.0  # 1M images in one 15-minute Lambda run, with margin
TARGET_RATIO = 20.0
# Real S3: a 1000-key DeleteObjects takes roughly 100-300 ms (same region, from Lambda).
S3_BATCH_MS_ASSUMED = (100.0, 300.0)
# ... and one ListObjectVersions roughly 20-40 ms; S3ImageStore keeps 8 of them in flight.
S3_LIST_MS_ASSUMED = (20.0, 40.0)
LIST_WORKERS = 8


@dataclass
class TimedStore:
    """The real store, timing its DeleteObjects work to split S3 from database time."""

    inner: S3ImageStore
    seconds: float = 0.0
    calls: int = 0

    def put(self, key: str, content: bytes, content_type: str) -> str | None:
        return self.inner.put(key, content, content_type)

    def get(self, key: str) -> bytes:
        return self.inner.get(key)

    def delete_all_versions(self, keys: Sequence[str]) -> DeleteReport:
        started = time.perf_counter()
        try:
            return self.inner.delete_all_versions(keys)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1

    def delete_objects(self, objects: Sequence[StoredObject]) -> DeleteReport:
        started = time.perf_counter()
        try:
            return self.inner.delete_objects(objects)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1


def seed(engine: Engine, count: int, tag: str, *, version_ids: bool = False) -> list[str]:
    """`count` overdue captures (PASS, FAIL and error runs mixed), their objects in S3;
    with version_ids, each row holds its object's version id (a versioned bucket)."""
    keys = [f"captures/{uuid.uuid4()}.jpg" for _ in range(count)]
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    versions = [
        backend.put_object(BUCKET, key, b"\xff\xd8 tiny \xff\xd9").version_id for key in keys
    ]
    with engine.begin() as conn:
        user = conn.execute(
            text(
                "INSERT INTO users (external_id, consecutive_failures, created_at) "
                "VALUES (:ext, 0, :at)"
            ),
            {"ext": f"bench-{tag}-{uuid.uuid4().hex[:8]}", "at": NOW},
        ).lastrowid
    rows = []
    for i, key in enumerate(keys):
        similarity = (99.0, 95.5, 42.0, None)[i % 4]
        rows.append(
            {
                "run_id": str(uuid.uuid4()),
                "user_id": user,
                "similarity": similarity,
                "key": key,
                "version": versions[i] if version_ids else None,
                "error": "NO_FACE_DETECTED" if similarity is None else None,
                "at": NOW - timedelta(days=30, seconds=count - i),
            }
        )
    statement = text(
        "INSERT INTO runs (run_id, user_id, kind, similarity, threshold, image_key, "
        "image_version_id, error_code, created_at) VALUES (:run_id, :user_id, 'VERIFICATION', "
        ":similarity, 90, :key, :version, :error, :at)"
    )
    for start in range(0, len(rows), INSERT_CHUNK):
        with engine.begin() as conn:
            conn.execute(statement, rows[start : start + INSERT_CHUNK])
    return keys


def objects_left() -> int:
    return len(s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets[BUCKET].keys)


def unpurged(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(text("SELECT COUNT(*) FROM runs WHERE purged_at IS NULL")).scalar_one()
        )


def run_purge(
    engine: Engine, client: Any, count: int, batch_size: int, *, version_ids: bool = False
) -> dict[str, float]:
    seed(engine, count, "purge", version_ids=version_ids)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE TABLE runs"))
    store = TimedStore(S3ImageStore(client, BUCKET))
    listings = 0

    def count_listing(**_: Any) -> None:
        nonlocal listings
        listings += 1

    client.meta.events.register("before-call.s3.ListObjectVersions", count_listing)
    started = time.perf_counter()
    try:
        report = purge_due_images(
            queue=SqlPurgeQueue(engine),
            images=store,
            policy=POLICY,
            now=NOW,
            batch_size=batch_size,
            time_left=lambda: 900_000.0,
        )
    finally:
        seconds = time.perf_counter() - started
        client.meta.events.unregister("before-call.s3.ListObjectVersions", count_listing)
    if report.deleted_images != count or objects_left() or unpurged(engine) or report.rows_left:
        sys.exit(f"purge incomplete: {report}, {objects_left()} objects left")
    return {
        "seconds": seconds,
        "rate": count / seconds,
        "s3_seconds": store.seconds,
        "batches": store.calls,
        "listings": listings,
    }


def run_naive(engine: Engine, client: Any, count: int) -> dict[str, float]:
    """One DeleteObject and one UPDATE + COMMIT per row: what a first draft would do."""
    seed(engine, count, "naive")
    started = time.perf_counter()
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, image_key FROM runs WHERE kind = 'VERIFICATION' "
                "AND purged_at IS NULL AND created_at <= :cutoff ORDER BY created_at, id"
            ),
            {"cutoff": NOW - timedelta(days=28)},
        ).all()
        for row in rows:
            client.delete_object(Bucket=BUCKET, Key=row.image_key)
            conn.execute(
                text("UPDATE runs SET purged_at = :at WHERE id = :id"), {"at": NOW, "id": row.id}
            )
            conn.commit()
    seconds = time.perf_counter() - started
    if len(rows) != count or objects_left():
        sys.exit("naive run incomplete")
    return {"seconds": seconds, "rate": count / seconds}


def fresh_database(server_url: str) -> tuple[Engine, Engine, str]:
    server = make_url(server_url)
    admin = create_engine(server.set(database=None))
    name = f"faceauth_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    engine = create_engine(server.set(database=name), pool_pre_ping=True)
    migrate.upgrade(engine)
    return admin, engine, name


def extrapolate_versioned(result: dict[str, float], count: int) -> str:
    """With versions, S3ImageStore lists each key's versions (8 threads) before deleting:
    moto's ListObjectVersions scans its whole bucket, so only an assumed S3 latency helps."""
    lines = [
        f"  moto: {result['s3_seconds'] * 1000 / count:.1f} ms per key listed and deleted "
        "(moto lists by scanning the bucket; not representative of S3)"
    ]
    for list_ms in S3_LIST_MS_ASSUMED:
        minutes = 1_000_000 * list_ms / LIST_WORKERS / 60_000
        lines.append(
            f"  1M images on real S3 at {list_ms:.0f} ms per ListObjectVersions, "
            f"{LIST_WORKERS} in flight: ~{minutes:.0f} min of listing alone -> "
            f"{'fits' if minutes < 15 else 'does NOT fit'} one 15-minute run"
        )
    return "\n".join(lines)


def extrapolate(result: dict[str, float], count: int) -> str:
    db_ms_per_batch = (result["seconds"] - result["s3_seconds"]) * 1000 / result["batches"]
    batches_1m = 1_000_000 / (count / result["batches"])
    lines = [
        f"  database + purge logic: {db_ms_per_batch:.0f} ms per batch of "
        f"{count / result['batches']:.0f} (measured); moto DeleteObjects: "
        f"{result['s3_seconds'] * 1000 / result['batches']:.0f} ms per batch (measured)"
    ]
    for s3_ms in S3_BATCH_MS_ASSUMED:
        minutes = batches_1m * (db_ms_per_batch + s3_ms) / 60_000
        rate = 1_000_000 / (minutes * 60)
        lines.append(
            f"  1M images on real S3 at {s3_ms:.0f} ms per DeleteObjects: "
            f"~{minutes:.1f} min ({rate:,.0f} images/s) -> "
            f"{'fits' if minutes < 15 else 'does NOT fit'} one 15-minute run"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--naive-n", type=int, default=2_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument(
        "--versioned",
        action="store_true",
        help="purge from a versioned bucket, rows holding version ids; skips the naive run",
    )
    parser.add_argument(
        "--no-version-ids",
        action="store_true",
        help="with --versioned: rows without version ids (one ListObjectVersions per key)",
    )
    parser.add_argument(
        "--db-url",
        default=os.environ.get(
            "FACEAUTH_TEST_DATABASE_URL", "mysql+pymysql://root@127.0.0.1:3307/"
        ),
    )
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
    for name, value in {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",  # pragma: allowlist secret
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        os.environ.setdefault(name, value)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    client = boto3.client(
        "s3",
        endpoint_url=f"http://{host}:{port}",
        config=Config(retries={"mode": "standard", "max_attempts": 3}, read_timeout=60),
    )
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    admin, engine, name = fresh_database(args.db_url)
    print(f"moto S3 server http://{host}:{port}, MariaDB database {name}, {os.cpu_count()} CPUs")
    try:
        naive_rate = float("nan")
        if args.versioned:
            client.put_bucket_versioning(
                Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"}
            )
            print("versioned bucket: no naive baseline (a plain DeleteObject keeps the versions)")
        else:
            naive_rate = run_naive(engine, client, args.naive_n)["rate"]
            print(
                f"naive  (1 DeleteObject + 1 UPDATE/COMMIT per row), sample of "
                f"{args.naive_n:,}: {naive_rate:,.0f} images/s"
            )
        for count in args.n:
            recorded = args.versioned and not args.no_version_ids
            result = run_purge(engine, client, count, args.batch_size, version_ids=recorded)
            line = f"purge  N={count:,}: {result['seconds']:.1f} s, {result['rate']:,.0f} images/s"
            if args.versioned:
                print(
                    f"{line} (versioned bucket, version ids "
                    f"{'recorded' if recorded else 'not recorded'}: "
                    f"{result['listings']:,.0f} ListObjectVersions calls)"
                )
                print(
                    extrapolate(result, count) if recorded else extrapolate_versioned(result, count)
                )
                continue
            ratio = result["rate"] / naive_rate
            target_met = result["rate"] >= TARGET_RATE and ratio >= TARGET_RATIO
            print(
                f"{line}, {ratio:.0f}x naive [{'OK' if target_met else 'BELOW TARGET'}: "
                f">= {TARGET_RATE:,.0f}/s and >= {TARGET_RATIO:.0f}x]"
            )
            print(extrapolate(result, count))
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE `{name}`"))
        server.stop()


if __name__ == "__main__":
    main()
