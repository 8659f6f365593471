"""The local stack's dependencies and its state folder (`.local/` unless FACEAUTH_LOCAL_DIR).

The folder keeps what must survive a restart: the SQLite database (`faceauth.db`), the S3
server's objects (`s3/`), and while a `make run` uses it, its lock and `stack.json` (where
the stack is, for `make purge` and other tools). At most one `make run` uses a folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from faceauth.db import migrate
from faceauth.db.session import build_engine
from faceauth_local import s3_server

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_BUCKET = "faceauth-local-images"
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": s3_server.ACCESS_KEY,
    "AWS_SECRET_ACCESS_KEY": s3_server.SECRET_KEY,
    "AWS_DEFAULT_REGION": s3_server.REGION,
}
STACK_FILE = "stack.json"
_LOCK_FILE = ".lock"
_STATE = ("faceauth.db", "faceauth.db-wal", "faceauth.db-shm", "s3", "s3-server.log")


class StackRefused(Exception):
    """The stack cannot start; the message is one line that says why and what to do."""


@dataclass(frozen=True)
class LocalStack:
    database_url: str
    s3_endpoint_url: str
    bucket: str
    api_key: str

    def environment(self) -> dict[str, str]:
        """The FACEAUTH_* settings that point faceauth at this stack."""
        return {
            "FACEAUTH_DATABASE_URL": self.database_url,
            "FACEAUTH_S3_ENDPOINT_URL": self.s3_endpoint_url,
            "FACEAUTH_IMAGES_BUCKET": self.bucket,
        }


class StateFolder:
    """One stack's state folder, claimed by at most one process at a time (a flock that the
    kernel releases when the process dies, however it dies)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock: IO[bytes] | None = None

    @property
    def sqlite_url(self) -> str:
        return f"sqlite:///{self.path / 'faceauth.db'}"

    def claim(self) -> None:
        """Take the folder, or raise StackRefused if another process has it. Changes nothing
        in the folder but creating it (and its empty lock file) when missing."""
        self.path.mkdir(parents=True, exist_ok=True)
        lock = (self.path / _LOCK_FILE).open("ab")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            owner = self.read_stack_file().get("api_url", "another `make run`")
            raise StackRefused(
                f"{self.path} is in use by the stack at {owner}: stop it first, or give this "
                "one its own folder with FACEAUTH_LOCAL_DIR=<folder>"
            ) from None
        self._lock = lock

    def release(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def reset(self) -> None:
        """Delete the database and the images (`make run-reset`). Needs the claim."""
        assert self._lock is not None, "claim the folder first"
        for name in (*_STATE, STACK_FILE):
            target = self.path / name
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)

    def read_stack_file(self) -> dict[str, Any]:
        with contextlib.suppress(OSError, ValueError):
            content: dict[str, Any] = json.loads((self.path / STACK_FILE).read_text())
            return content
        return {}

    def write_stack_file(
        self, stack: LocalStack, api_url: str, workers: int, *, own_s3_server: bool
    ) -> None:
        """Say where the running stack is (read by `make purge`): its database, its S3 and,
        for its own S3 server, the fixed credentials that server takes. The API key stays
        out."""
        described = {**asdict(stack), "api_key": "<hidden>", "api_url": api_url}
        described |= {"workers": workers, "pid": os.getpid()}
        if own_s3_server:
            described["s3_credentials"] = FAKE_AWS
        target = self.path / STACK_FILE
        target.touch(mode=0o600)  # the database URL may hold a password
        target.write_text(json.dumps(described, indent=2) + "\n")

    def remove_stack_file(self) -> None:
        (self.path / STACK_FILE).unlink(missing_ok=True)


def use_fake_aws_credentials(*, own_s3_server: bool) -> None:
    """The credentials of our S3 server (the only ones it knows), or for another endpoint
    fake ones unless the environment has its own."""
    for name, value in FAKE_AWS.items():
        if own_s3_server:
            os.environ[name] = value
        else:
            os.environ.setdefault(name, value)
    if own_s3_server:
        for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
            os.environ.pop(name, None)


def prepare_database(database_url: str) -> None:
    """Bring the database's schema to the latest revision (keeps its rows)."""
    engine = build_engine(database_url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


def ensure_bucket(endpoint_url: str, bucket: str) -> None:
    """Create the images bucket, versioned like the real one, unless it exists. Raises
    StackRefused when the endpoint does not answer."""
    s3: Any = boto3.client("s3", endpoint_url=endpoint_url)
    try:
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
                raise
            region = os.environ["AWS_DEFAULT_REGION"]
            s3.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
            )
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    except (BotoCoreError, ClientError) as exc:
        raise StackRefused(f"S3 at {endpoint_url} does not answer as expected: {exc}") from exc
