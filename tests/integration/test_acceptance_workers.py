"""Issue 9's acceptance over HTTP: `make run WORKERS=4` on a MariaDB database (four worker
processes, each like one Lambda container, the local face engine on the shared photos), with
requests released together: 12 FAIL verifications of a fresh user give exactly 5 FAILs and
7 answers 423, and an erasure racing verifications leaves no object of the user in S3."""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from faceauth.db import migrate
from tests.browser.local_server import LocalServer, run_local_server
from tests.conftest import TEST_SERVER_URL
from tests.faces import face_bytes

WORKERS = 4


@pytest.fixture(scope="module")
def mysql_url() -> Iterator[str]:
    server = make_url(TEST_SERVER_URL)
    name = f"faceauth_workers_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database=None))
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    url = server.set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE `{name}`"))
    admin.dispose()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, mysql_url: str) -> Iterator[LocalServer]:
    state = tmp_path_factory.mktemp("faceauth-workers")
    with run_local_server(state, env={"WORKERS": str(WORKERS), "DATABASE_URL": mysql_url}) as srv:
        yield srv


@pytest.fixture(scope="module")
def db(mysql_url: str) -> Iterator[Engine]:
    engine = create_engine(mysql_url)
    migrate.upgrade(engine)  # already at head: the server migrated it
    yield engine
    engine.dispose()


def call(api: LocalServer, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{api.api_url}{path}",
        data=data,
        method=method,
        headers={"x-api-key": api.api_key, "content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            raw = answer.read()
            return answer.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def selfie(name: str) -> dict[str, str]:
    return {"image": base64.b64encode(face_bytes(name)).decode()}


def together(api: LocalServer, requests: list[tuple[str, str, Any]]) -> list[tuple[int, Any]]:
    barrier = threading.Barrier(len(requests))

    def send(request: tuple[str, str, Any]) -> tuple[int, Any]:
        barrier.wait(60)
        return call(api, *request)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def test_twelve_fails_released_together_give_five_fails_and_seven_423(
    api: LocalServer, db: Engine
) -> None:
    # Given a fresh user registered with obama_1
    user = f"u{uuid.uuid4().hex[:10]}"
    assert call(api, "POST", f"/users/{user}/registration", selfie("obama_1.jpg"))[0] == 201
    # When 12 verifications with biden's face are released together on 4 workers
    answers = together(api, [("POST", f"/users/{user}/verification", selfie("biden_1.jpg"))] * 12)
    # Then exactly 5 were decided FAIL and 7 refused with 423
    fails = [body for status, body in answers if status == 200 and body["result"] == "FAIL"]
    refused = [status for status, _ in answers if status == 423]
    assert (len(fails), len(refused)) == (5, 7), answers
    with db.connect() as conn:
        failures = conn.execute(
            text("SELECT consecutive_failures FROM users WHERE external_id = :u"), {"u": user}
        ).scalar_one()
    assert failures == 5


def test_an_erasure_racing_verifications_leaves_no_object_of_the_user(
    api: LocalServer, db: Engine
) -> None:
    # Given a registered user with a verification recorded
    user = f"u{uuid.uuid4().hex[:10]}"
    assert call(api, "POST", f"/users/{user}/registration", selfie("obama_1.jpg"))[0] == 201
    assert call(api, "POST", f"/users/{user}/verification", selfie("obama_2.jpg"))[0] == 200
    with db.connect() as conn:
        keys = [
            key
            for (key,) in conn.execute(
                text(
                    "SELECT r.image_key FROM runs r JOIN users u ON u.id = r.user_id "
                    "WHERE u.external_id = :u"
                ),
                {"u": user},
            )
        ]
    # When an erasure and three verifications are released together
    requests = [("POST", f"/users/{user}/verification", selfie("obama_3.jpg"))] * 3
    answers = together(api, [*requests, ("DELETE", f"/users/{user}/registration", None)])
    # Then the erasure answered 204, and no version of any image of the user is left
    assert answers[-1][0] == 204
    assert {status for status, _ in answers[:-1]} <= {200, 404, 423}
    with db.connect() as conn:
        keys += [
            key
            for (key,) in conn.execute(
                text(
                    "SELECT r.image_key FROM runs r JOIN users u ON u.id = r.user_id "
                    "WHERE u.external_id = :u AND r.image_key IS NOT NULL"
                ),
                {"u": user},
            )
        ]
        pending = conn.execute(text("SELECT COUNT(*) FROM pending_runs")).scalar_one()
    assert pending == 0
    assert keys
    assert _versions(api, keys) == []


def _versions(api: LocalServer, keys: list[str]) -> list[str]:
    """Every version or delete marker of those keys in the local stack's bucket."""
    stack = json.loads(Path(api.state_dir, "stack.json").read_text())
    credentials = stack["s3_credentials"]
    s3 = boto3.client(
        "s3",
        endpoint_url=stack["s3_endpoint_url"],
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        region_name=credentials.get("AWS_DEFAULT_REGION", "eu-west-1"),
    )
    found = []
    for key in set(keys):
        listing = s3.list_object_versions(Bucket=stack["bucket"], Prefix=key)
        found += [
            item["Key"]
            for item in [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]
            if item["Key"] == key
        ]
    return found
