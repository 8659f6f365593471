"""Each migration is expand-only: the code released before it still works on its schema.

The pipeline migrates before it moves traffic (docs/deploy.md, "Release order"): while a
migration runs, until the aliases move, and after a rollback of the aliases, the previous
release's code serves on the new schema. For every Alembic revision from FIRST_CHECKED on,
picked up from db/migrations/versions/ as they are added, this takes the code as it was just
before the revision was committed (from git; a revision not committed yet is checked against
HEAD), migrates a fresh database up to that revision, and drives that old code through
register, verify (PASS and FAIL), status, purge and erase
(tests/integration/release_round_trip.py). A contract step (dropping what the code before it
no longer reads) passes; dropping what it still reads fails.

Needs the git history (a full clone: GitHub's checkout with fetch-depth 0).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from faceauth.db import migrate
from tests.conftest import TEST_SERVER_URL
from tests.faces import FACES_DIR

REPO_ROOT = Path(__file__).resolve().parents[2]
# Revisions before this one shipped before the rule; 0004 is checked so the test runs today.
FIRST_CHECKED = "0004"
# What a release's Lambda code is made of (the layer's package and the functions).
RELEASE_PATHS = ("layers/common", "functions")


def _git(*args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(REPO_ROOT), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if result.returncode != 0:
        pytest.fail(f"git {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout.strip()


def _checked_revisions() -> list[tuple[str, Path]]:
    """(revision id, file) of every revision from FIRST_CHECKED on, oldest first."""
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    revisions = [(s.revision, Path(s.path)) for s in scripts.walk_revisions() if s.path]
    return sorted((r for r in revisions if r[0] >= FIRST_CHECKED), key=lambda r: r[0])


def _previous_release(revision_file: Path) -> str:
    """The commit whose code ran before this revision: the parent of the commit that added
    it, or HEAD for a revision that is not committed yet."""
    if _git("rev-parse", "--is-shallow-repository") == "true":
        pytest.fail(
            "a shallow clone has no history: `git fetch --unshallow` (GitHub: fetch-depth 0)"
        )
    relative = revision_file.relative_to(REPO_ROOT).as_posix()
    added = _git("log", "--diff-filter=A", "--format=%H", "--", relative).splitlines()
    return f"{added[-1]}^" if added else "HEAD"


def _extract(commit: str, destination: Path) -> Path:
    """The release's Lambda code (RELEASE_PATHS) at commit, unpacked under destination."""
    archive = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "archive", "--format=tar", commit, *RELEASE_PATHS],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(destination, filter="data")
    return destination


@pytest.fixture
def empty_database(db_engine: Engine) -> Iterator[Engine]:
    """A fresh, empty database on the test server."""
    name = f"faceauth_rel_{uuid.uuid4().hex[:8]}"
    with db_engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}`"))
    engine = create_engine(make_url(TEST_SERVER_URL).set(database=name))
    yield engine
    engine.dispose()
    with db_engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE `{name}`"))


def test_revisions_from_the_first_checked_one_are_found() -> None:
    # Given the migrations folder, Then the revisions this file checks include FIRST_CHECKED
    assert _checked_revisions()[0][0] == FIRST_CHECKED


@pytest.mark.parametrize(
    ("revision", "revision_file"), _checked_revisions(), ids=[r for r, _ in _checked_revisions()]
)
def test_the_previous_release_works_on_the_migrated_schema(
    revision: str, revision_file: Path, empty_database: Engine, tmp_path: Path
) -> None:
    # Given the code released before this revision, and a database migrated up to it
    release = _extract(_previous_release(revision_file), tmp_path / "release")
    migrate.upgrade(empty_database, revision)
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(release / p) for p in ("layers/common", "functions")),
        "FACEAUTH_DATABASE_URL": empty_database.url.render_as_string(hide_password=False),
        "FACEAUTH_IMAGES_BUCKET": "faceauth-compat-images",
        "FACEAUTH_FACE_ENGINE": "local",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # pragma: allowlist secret
        "AWS_DEFAULT_REGION": "eu-west-1",
        "POWERTOOLS_METRICS_NAMESPACE": "FaceAuth",
    }
    # When that code serves a register / verify / status / purge / erase round trip
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("release_round_trip.py")), str(FACES_DIR)],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    # Then every answer is the contract's (revision <revision> is backward compatible)
    assert result.returncode == 0, (
        f"the code before revision {revision} fails on the new schema: a migration must be "
        f"expand-only (docs/deploy.md)\n{result.stdout}\n{result.stderr[-4000:]}"
    )
    assert "release round trip: ok" in result.stdout
