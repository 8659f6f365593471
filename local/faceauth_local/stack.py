"""Starts the local stack's dependencies: the database (migrated) and moto's S3 server."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from faceauth.db import migrate
from faceauth.db.session import build_engine

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_BUCKET = "faceauth-local-images"
_FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "eu-west-1",
}


@dataclass(frozen=True)
class LocalStack:
    database_url: str
    s3_endpoint_url: str
    bucket: str
    api_key: str

    def environment(self) -> dict[str, str]:
        """The FACEAUTH_* settings that point faceauth at this stack."""
        return {
            **_FAKE_AWS,
            "FACEAUTH_DATABASE_URL": self.database_url,
            "FACEAUTH_S3_ENDPOINT_URL": self.s3_endpoint_url,
            "FACEAUTH_IMAGES_BUCKET": self.bucket,
        }


def start_stack(state_dir: Path, s3_port: int) -> tuple[LocalStack, ThreadedMotoServer]:
    """Fresh SQLite (unless DATABASE_URL names another database) and a fresh in-process S3.

    moto keeps objects in memory only, so the SQLite file is recreated too: a restart never
    leaves rows pointing at images that no longer exist.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    for name, value in _FAKE_AWS.items():
        os.environ.setdefault(name, value)
    database_url = os.environ.get("FACEAUTH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not database_url:
        db_file = state_dir / "faceauth.db"
        for stale in state_dir.glob("faceauth.db*"):
            stale.unlink()
        database_url = f"sqlite:///{db_file}"
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=s3_port, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    stack = LocalStack(
        database_url=database_url,
        s3_endpoint_url=f"http://{host}:{port}",
        bucket=LOCAL_BUCKET,
        api_key=os.environ.get("FACEAUTH_API_KEY") or secrets.token_urlsafe(24),
    )
    os.environ.update(stack.environment())
    s3: Any = boto3.client("s3", endpoint_url=stack.s3_endpoint_url)
    s3.create_bucket(
        Bucket=stack.bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    engine = build_engine(database_url)
    migrate.upgrade(engine)
    engine.dispose()
    # `make purge` and other local tools read where the running stack is.
    (state_dir / "stack.json").write_text(json.dumps({**asdict(stack), "api_key": "<hidden>"}))
    return stack, server
