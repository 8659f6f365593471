"""Shared fixtures: the real MariaDB test server, moto S3, and the settings that tie them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto import mock_aws
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from faceauth.adapters.retry import RetryPolicy
from faceauth.adapters.s3_store import S3ImageStore
from faceauth.db import migrate
from faceauth.db.session import Database
from faceauth.settings import Settings

TEST_SERVER_URL = os.environ.get(
    "FACEAUTH_TEST_DATABASE_URL", "mysql+pymysql://root@127.0.0.1:3307/"
)
BUCKET = "faceauth-test-images"


@pytest.fixture(scope="session")
def db_engine(worker_id: str) -> Iterator[Engine]:
    """A fresh, migrated database on the MariaDB test server for this test session."""
    server = make_url(TEST_SERVER_URL)
    admin = create_engine(server.set(database=None))
    name = f"faceauth_test_{worker_id}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    except OperationalError as exc:
        pytest.fail(
            f"The MariaDB test server at {server.render_as_string(hide_password=True)} is not "
            f"reachable ({exc.orig}). Start it with `make db-start` (scripts/mariadb.sh start), "
            "or point FACEAUTH_TEST_DATABASE_URL at a MySQL/MariaDB server.",
            pytrace=False,
        )
    engine = create_engine(server.set(database=name), pool_pre_ping=True)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE `{name}`"))
    admin.dispose()


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    """pytest-xdist's worker name, or 'main' without it: one database per worker."""
    return str(getattr(request.config, "workerinput", {}).get("workerid", "main"))


@pytest.fixture
def database(db_engine: Engine) -> Iterator[Database]:
    """The Database over the test schema, emptied after each test."""
    yield Database(db_engine)
    with db_engine.begin() as conn:
        for table in (
            "runs",
            "pending_runs",
            "idempotency_records",
            "liveness_sessions",
            "users",
        ):
            conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def s3_client(aws_credentials: None) -> Iterator[Any]:
    """moto's S3 with the images bucket created."""
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-1")
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        yield client


@pytest.fixture
def image_store(s3_client: Any) -> S3ImageStore:
    return S3ImageStore(s3_client, BUCKET, RetryPolicy("image_store", attempt_seconds=7.0))


def object_keys(s3_client: Any, prefix: str = "") -> list[str]:
    """Every key in the test bucket, versions and delete markers included."""
    answer = s3_client.list_object_versions(Bucket=BUCKET, Prefix=prefix)
    items = [*answer.get("Versions", []), *answer.get("DeleteMarkers", [])]
    return sorted(item["Key"] for item in items)


def version_ids(s3_client: Any, key: str) -> list[str]:
    """The version ids of every version and delete marker of one key in the test bucket."""
    answer = s3_client.list_object_versions(Bucket=BUCKET, Prefix=key)
    items = [*answer.get("Versions", []), *answer.get("DeleteMarkers", [])]
    return sorted(item["VersionId"] for item in items if item["Key"] == key)


@contextmanager
def counted_calls(s3_client: Any, operation: str) -> Iterator[list[dict[str, Any]]]:
    """Records the API parameters of every `operation` call the client makes inside the
    block (a botocore before-parameter-build hook: what the code under test asks of S3)."""
    calls: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.append(params)

    event = f"before-parameter-build.s3.{operation}"
    s3_client.meta.events.register(event, record)
    try:
        yield calls
    finally:
        s3_client.meta.events.unregister(event, record)


@pytest.fixture
def settings(db_engine: Engine) -> Settings:
    return Settings(
        database_url=db_engine.url.render_as_string(hide_password=False),
        images_bucket=BUCKET,
        face_engine="local",
    )
