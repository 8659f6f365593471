"""The local stack's state: kept across restarts in its folder (SQLite, versitygw's S3 on disk),
wiped by `make run-reset`, never shared by two `make run`s by accident, and shared on purpose
through DATABASE_URL and FACEAUTH_S3_ENDPOINT_URL. Real processes, the real face engine."""

from __future__ import annotations

import base64
import json
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.browser.local_server import (
    API_KEY,
    REPO_ROOT,
    LocalServer,
    free_port,
    run_local_server,
    server_environment,
)
from tests.conftest import TEST_SERVER_URL
from tests.faces import face_bytes

# Someone's AWS credentials in the shell: a session in another region.
FOREIGN_AWS = {
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "example",  # pragma: allowlist secret
    "AWS_SESSION_TOKEN": "example",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def call(server: LocalServer, method: str, path: str, photo: str | None = None) -> Any:
    """One API call; answers (status, JSON body)."""
    body = None
    if photo:
        body = json.dumps({"image": base64.b64encode(face_bytes(photo)).decode()}).encode()
    request = urllib.request.Request(
        server.api_url + path,
        data=body,
        method=method,
        headers={"x-api-key": API_KEY, "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def start_second_run(state_dir: Path, port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "faceauth_local"],
        cwd=REPO_ROOT,
        env=server_environment(state_dir, port, {}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_registered_user_still_verifies_after_a_restart(tmp_path: Path) -> None:
    # Given a user registered on the local stack, which is then stopped
    with run_local_server(tmp_path / "state") as server:
        assert call(server, "POST", "/users/u1/registration", "obama_1.jpg")[0] == 201
    # When it starts again on the same folder
    with run_local_server(tmp_path / "state") as server:
        status, verification = call(server, "POST", "/users/u1/verification", "obama_2.jpg")
    # Then the user and the reference image are still there
    assert (status, verification["result"]) == (200, "PASS")


def test_run_reset_starts_clean(tmp_path: Path) -> None:
    # Given a user registered on the local stack, which is then stopped
    with run_local_server(tmp_path / "state") as server:
        assert call(server, "POST", "/users/u1/registration", "obama_1.jpg")[0] == 201
    # When it starts again with --reset (`make run-reset`)
    with run_local_server(tmp_path / "state", args=["--reset"]) as server:
        status, user = call(server, "GET", "/users/u1")
    # Then nothing of it is left
    assert (status, user["registered"]) == (200, False)
    assert not any((tmp_path / "state" / "s3" / "data" / "faceauth-local-images").glob("*"))


def test_a_second_run_on_a_folder_in_use_refuses_in_one_line_and_leaves_the_first_alone(
    tmp_path: Path,
) -> None:
    # Given a running stack with a registered user
    with run_local_server(tmp_path / "state") as first:
        assert call(first, "POST", "/users/u1/registration", "obama_1.jpg")[0] == 201
        stack_file = (tmp_path / "state" / "stack.json").read_text()
        # When a second one starts on the same folder (another port)
        second = start_second_run(tmp_path / "state", free_port())
        # Then it refuses with one line, and the first still serves the same state
        assert second.returncode == 1
        assert second.stderr.count("\n") == 1
        assert "in use" in second.stderr
        assert (tmp_path / "state" / "stack.json").read_text() == stack_file
        status, verification = call(first, "POST", "/users/u1/verification", "obama_2.jpg")
        assert (status, verification["result"]) == (200, "PASS")


def test_a_second_run_on_a_port_in_use_refuses_in_one_line_and_starts_nothing(
    tmp_path: Path,
) -> None:
    # Given a running stack
    with run_local_server(tmp_path / "first") as first:
        # When a second one starts on its port (with a folder of its own)
        second = start_second_run(tmp_path / "second", first.port)
        # Then it refuses with one line, before making a database or an S3 folder
        assert second.returncode == 1
        assert second.stderr.count("\n") == 1
        assert "in use" in second.stderr
        assert sorted(path.name for path in (tmp_path / "second").iterdir()) == [".lock"]
        assert call(first, "GET", "/health")[0] == 200


def test_aws_credentials_in_the_environment_do_not_lock_the_stack_out_of_its_own_s3(
    tmp_path: Path,
) -> None:
    # Given a shell with someone's AWS credentials (a session, another region)
    # When the stack starts there and stores an image
    with run_local_server(tmp_path / "state", env=FOREIGN_AWS) as server:
        status, _ = call(server, "POST", "/users/u1/registration", "obama_1.jpg")
    # Then its own S3 server took it
    assert status == 201


@pytest.fixture
def mysql_url() -> Iterator[str]:
    """A database of its own on the MariaDB test server."""
    server = make_url(TEST_SERVER_URL)
    admin = create_engine(server.set(database=None))
    name = f"faceauth_local_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE `{name}`"))
    admin.dispose()


@pytest.mark.db
def test_two_runs_share_users_and_images_through_mysql_and_an_s3_endpoint(
    tmp_path: Path, mysql_url: str
) -> None:
    # Given a stack on MySQL with its own S3, and a second one on the same database and S3
    with run_local_server(tmp_path / "first", env={"DATABASE_URL": mysql_url}) as first:
        first_stack = json.loads((tmp_path / "first" / "stack.json").read_text())
        endpoint = first_stack["s3_endpoint_url"]
        shared = {
            "DATABASE_URL": mysql_url,
            "FACEAUTH_S3_ENDPOINT_URL": endpoint,
            **first_stack["s3_credentials"],
        }
        with run_local_server(tmp_path / "second", env=shared) as second:
            # When a user registers on the first and verifies on the second
            assert call(first, "POST", "/users/u1/registration", "obama_1.jpg")[0] == 201
            status, verification = call(second, "POST", "/users/u1/verification", "obama_2.jpg")
            second_stack = json.loads((tmp_path / "second" / "stack.json").read_text())
    # Then the second found the user and the reference image, and says where its S3 is
    assert (status, verification["result"]) == (200, "PASS")
    assert second_stack["s3_endpoint_url"] == endpoint


def test_the_purge_finds_the_running_stack_through_its_stack_file(tmp_path: Path) -> None:
    # Given a running stack holding one verification's capture
    with run_local_server(tmp_path / "state") as server:
        assert call(server, "POST", "/users/u1/registration", "obama_1.jpg")[0] == 201
        assert call(server, "POST", "/users/u1/verification", "obama_2.jpg")[0] == 200
        # When `make purge` runs 40 days later, with only the state folder to go by (and
        # someone's AWS credentials in the shell)
        later = (datetime.now(UTC) + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%S")
        purge = subprocess.run(
            [sys.executable, "-m", "purge", "--now", later, "--state-dir", str(server.state_dir)],
            cwd=REPO_ROOT,
            env=server_environment(server.state_dir, server.port, FOREIGN_AWS),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    # Then it deleted the capture from the stack's S3
    assert purge.returncode == 0, purge.stderr[-2000:]
    summary = json.loads(purge.stdout[purge.stdout.rindex("\n{") :])
    assert summary["deletedImages"] == 1
    captures = tmp_path / "state" / "s3" / "data" / "faceauth-local-images" / "captures"
    assert not any(captures.glob("*"))


def test_stopping_ends_every_worker_and_the_s3_server_and_removes_the_stack_file(
    tmp_path: Path,
) -> None:
    # Given a running stack with two workers that served a verification
    with run_local_server(tmp_path / "state", env={"WORKERS": "2"}) as server:
        assert call(server, "POST", "/users/u1/registration", "obama_1.jpg")[0] == 201
        assert call(server, "POST", "/users/u1/verification", "obama_2.jpg")[0] == 200
        s3_endpoint = json.loads((tmp_path / "state" / "stack.json").read_text())["s3_endpoint_url"]
        # When it gets SIGINT (Ctrl-C)
        server.process.send_signal(signal.SIGINT)
        exit_code = server.process.wait(timeout=20)
    # Then every worker left in time (none killed), the S3 server is gone, stack.json too
    assert exit_code == 0
    assert "SIGKILL" not in server.output()
    assert not (tmp_path / "state" / "stack.json").exists()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(s3_endpoint + "/health", timeout=5)
