"""A failing database, image store or face engine gives 503 + Retry-After and leaves no
object and no half-written row behind; an engine failure is never recorded as a FAIL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from faceauth.adapters.retry import RetryPolicy
from faceauth.adapters.s3_store import S3ImageStore
from faceauth.db.session import Database, SqlUnitOfWork
from faceauth.errors import DependencyUnavailable
from faceauth.settings import Settings
from tests.api_client import call_api, image_json
from tests.conftest import object_keys
from tests.images import jpeg
from tests.integration.conftest import FakeClock, Stack, serve
from tests.integration.db_queries import runs, users


def assert_503(answer: Any) -> None:
    assert (answer.status, answer.error_code) == (503, "DEPENDENCY_UNAVAILABLE")
    assert int(answer.headers["retry-after"]) >= 1


def register_alice() -> None:
    assert call_api("POST", "/users/alice/registration", json_body=image_json(jpeg())).status == 201


def fail_commits(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_commit(self: SqlUnitOfWork) -> None:
        raise OperationalError("COMMIT", {}, Exception("server has gone away"))

    monkeypatch.setattr(SqlUnitOfWork, "commit", broken_commit)


def test_database_down_gives_503_on_health(stack: Stack, settings: Settings) -> None:
    unreachable = Database(
        create_engine("mysql+pymysql://root@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    )
    serve(settings, unreachable, stack.images, stack.engine, FakeClock())
    assert_503(call_api("GET", "/health"))


def test_health_is_200_when_the_database_answers(stack: Stack) -> None:
    answer = call_api("GET", "/health", headers={"x-api-key": ""})
    assert (answer.status, answer.body) == (200, {"status": "ok"})


def test_database_failure_while_registering_removes_the_stored_reference(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_commits(monkeypatch)
    assert_503(call_api("POST", "/users/alice/registration", json_body=image_json(jpeg())))
    assert object_keys(stack.s3) == []
    assert users(stack.database) == []


def test_database_failure_while_verifying_removes_the_capture(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    register_alice()
    fail_commits(monkeypatch)
    assert_503(call_api("POST", "/users/alice/verification", json_body=image_json(jpeg())))
    assert [k for k in object_keys(stack.s3) if k.startswith("captures/")] == []
    assert len(runs(stack.database)) == 1  # the registration only


def test_image_store_failure_gives_503_and_writes_no_row(
    stack: Stack, settings: Settings, s3_client: Any
) -> None:
    missing_bucket = S3ImageStore(
        s3_client, "no-such-bucket-here", RetryPolicy("image_store", attempt_seconds=7.0)
    )
    serve(settings, stack.database, missing_bucket, stack.engine, FakeClock())
    assert_503(call_api("POST", "/users/alice/registration", json_body=image_json(jpeg())))
    assert users(stack.database) == []
    assert runs(stack.database) == []


def test_face_engine_failure_is_503_not_a_fail(stack: Stack) -> None:
    # Given a registered user and a face engine that is throttled
    register_alice()
    stack.engine.compare_error = DependencyUnavailable("face_engine")
    # When they verify
    answer = call_api("POST", "/users/alice/verification", json_body=image_json(jpeg()))
    # Then 503, the capture removed, no run recorded and no failure counted
    assert_503(answer)
    assert object_keys(stack.s3) == [users(stack.database)[0]["reference_key"]]
    assert len(runs(stack.database)) == 1
    assert users(stack.database)[0]["consecutive_failures"] == 0


def test_face_engine_failure_during_the_registration_gate_stores_nothing(stack: Stack) -> None:
    stack.engine.gate_error = DependencyUnavailable("face_engine")
    assert_503(call_api("POST", "/users/alice/registration", json_body=image_json(jpeg())))
    assert object_keys(stack.s3) == []
    assert users(stack.database) == []


def test_a_failed_erasure_unregisters_at_once_and_a_retry_deletes_the_images(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a registered user and an image store that is down
    register_alice()

    def unreachable(*_args: object) -> None:
        raise DependencyUnavailable("image_store")

    with monkeypatch.context() as patch:
        patch.setattr(stack.images, "delete_objects", unreachable)
        # When the erasure is asked for
        assert_503(call_api("DELETE", "/users/alice/registration"))
        # Then no request can use the reference any more, but its image and run are kept
        assert users(stack.database)[0]["reference_key"] is None
        assert runs(stack.database)[0]["purged_at"] is None
        assert len(object_keys(stack.s3)) == 1
    # When the client retries, then the erasure completes
    assert call_api("DELETE", "/users/alice/registration").status == 204
    assert object_keys(stack.s3) == []
    assert runs(stack.database)[0]["purged_at"] is not None
