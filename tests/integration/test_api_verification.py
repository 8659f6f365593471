"""Verification, lockout and status through the handler, on MariaDB and moto S3."""

from __future__ import annotations

import pytest

from faceauth.errors import FaceTooSmall, MultipleFaces, NoFaceDetected
from tests.api_client import call_api, image_json
from tests.conftest import BUCKET, object_keys, version_ids
from tests.images import jpeg
from tests.integration.conftest import Stack
from tests.integration.db_queries import runs, users


@pytest.fixture
def registered(stack: Stack) -> Stack:
    answer = call_api("POST", "/users/alice/registration", json_body=image_json(jpeg()))
    assert answer.status == 201
    return stack


def verify(user: str = "alice") -> object:
    return call_api("POST", f"/users/{user}/verification", json_body=image_json(jpeg()))


def test_similarity_above_threshold_passes_and_is_recorded(registered: Stack) -> None:
    # Given a registered user and an engine that finds the faces 97.5 % alike
    registered.engine.similarity = 97.5
    # When they verify
    answer = call_api("POST", "/users/alice/verification", json_body=image_json(jpeg()))
    # Then PASS with the similarity and threshold, the capture stored, the run recorded
    assert answer.status == 200
    assert answer.body["result"] == "PASS"
    assert (answer.body["similarity"], answer.body["threshold"]) == (97.5, 90.0)
    capture_key = f"captures/{answer.body['runId']}.jpg"
    assert capture_key in object_keys(registered.s3)
    run = runs(registered.database)[-1]
    assert (run["kind"], run["result"], run["similarity"], run["threshold"], run["image_key"]) == (
        "VERIFICATION",
        "PASS",
        97.5,
        90.0,
        capture_key,
    )


def test_similarity_exactly_at_threshold_passes(registered: Stack) -> None:
    registered.engine.similarity = 90.0
    answer = call_api("POST", "/users/alice/verification", json_body=image_json(jpeg()))
    assert answer.body["result"] == "PASS"


def test_similarity_below_threshold_fails(registered: Stack) -> None:
    registered.engine.similarity = 89.99
    answer = call_api("POST", "/users/alice/verification", json_body=image_json(jpeg()))
    assert (answer.status, answer.body["result"]) == (200, "FAIL")
    assert runs(registered.database)[-1]["result"] == "FAIL"


def test_engine_compares_the_reference_with_the_new_capture(registered: Stack) -> None:
    reference = users(registered.database)[0]["reference_key"]
    answer = call_api("POST", "/users/alice/verification", json_body=image_json(jpeg()))
    assert registered.engine.compared == [(reference, f"captures/{answer.body['runId']}.jpg")]


def test_unregistered_user_gets_404_and_nothing_is_stored(stack: Stack) -> None:
    answer = call_api("POST", "/users/ghost/verification", json_body=image_json(jpeg()))
    assert (answer.status, answer.error_code) == (404, "USER_NOT_REGISTERED")
    assert object_keys(stack.s3) == []


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (NoFaceDetected(), "NO_FACE_DETECTED"),
        (MultipleFaces(), "MULTIPLE_FACES"),
        (FaceTooSmall(), "FACE_TOO_SMALL"),
    ],
)
def test_face_problems_in_the_capture_are_422_and_recorded_without_a_decision(
    registered: Stack, error: Exception, code: str
) -> None:
    registered.engine.compare_error = error  # type: ignore[assignment]
    answer = call_api("POST", "/users/alice/verification", json_body=image_json(jpeg()))
    assert (answer.status, answer.error_code) == (422, code)
    run = runs(registered.database)[-1]
    assert (run["result"], run["similarity"], run["error_code"]) == (None, None, code)
    assert users(registered.database)[0]["consecutive_failures"] == 0
    # the capture stays for the FAIL retention, so failures can be analysed
    assert run["image_key"] in object_keys(registered.s3)


def test_five_consecutive_fails_lock_the_user(registered: Stack) -> None:
    # Given five FAILs in a row
    registered.engine.similarity = 10.0
    for _ in range(5):
        assert (
            call_api("POST", "/users/alice/verification", json_body=image_json(jpeg())).body[
                "result"
            ]
            == "FAIL"
        )
    stored_before = object_keys(registered.s3)
    # When the user tries again, even with their real face
    registered.engine.similarity = 99.0
    answer = call_api("POST", "/users/alice/verification", json_body=image_json(jpeg()))
    # Then 423 USER_LOCKED with Retry-After, and the attempt stores nothing
    assert (answer.status, answer.error_code) == (423, "USER_LOCKED")
    assert int(answer.headers["retry-after"]) == 15 * 60
    assert object_keys(registered.s3) == stored_before
    status = call_api("GET", "/users/alice").body
    assert status["locked"] is True
    assert status["consecutiveFailures"] == 5


def test_the_lock_expires_after_the_configured_time(registered: Stack) -> None:
    registered.engine.similarity = 10.0
    for _ in range(5):
        call_api("POST", "/users/alice/verification", json_body=image_json(jpeg()))
    registered.clock.advance(minutes=15, seconds=1)
    registered.engine.similarity = 99.0
    answer = call_api("POST", "/users/alice/verification", json_body=image_json(jpeg()))
    assert answer.body["result"] == "PASS"


def test_a_fail_after_an_expired_lock_starts_a_fresh_count(registered: Stack) -> None:
    registered.engine.similarity = 10.0
    for _ in range(5):
        call_api("POST", "/users/alice/verification", json_body=image_json(jpeg()))
    registered.clock.advance(minutes=16)
    answer = call_api("POST", "/users/alice/verification", json_body=image_json(jpeg()))
    assert answer.body["result"] == "FAIL"
    status = call_api("GET", "/users/alice").body
    assert (status["locked"], status["consecutiveFailures"]) == (False, 1)


def test_a_pass_resets_the_failure_count(registered: Stack) -> None:
    registered.engine.similarity = 10.0
    for _ in range(4):
        call_api("POST", "/users/alice/verification", json_body=image_json(jpeg()))
    registered.engine.similarity = 99.0
    call_api("POST", "/users/alice/verification", json_body=image_json(jpeg()))
    registered.engine.similarity = 10.0
    call_api("POST", "/users/alice/verification", json_body=image_json(jpeg()))
    status = call_api("GET", "/users/alice").body
    assert (status["locked"], status["consecutiveFailures"]) == (False, 1)


def test_status_reports_registration_and_last_verification(registered: Stack) -> None:
    registered.engine.similarity = 95.0
    verified = call_api("POST", "/users/alice/verification", json_body=image_json(jpeg())).body
    status = call_api("GET", "/users/alice")
    assert status.status == 200
    assert status.body["registered"] is True
    assert status.body["lastVerification"]["runId"] == verified["runId"]
    assert status.body["lastVerification"]["result"] == "PASS"
    assert status.body["lastVerification"]["similarity"] == 95.0


def test_status_of_an_unknown_user_is_unregistered(stack: Stack) -> None:
    status = call_api("GET", "/users/stranger")
    assert status.status == 200
    assert status.body == {
        "userId": "stranger",
        "registered": False,
        "registeredAt": None,
        "lastVerification": None,
        "locked": False,
        "lockedUntil": None,
        "consecutiveFailures": 0,
    }


def test_verify_in_a_versioned_bucket_records_the_capture_version(stack: Stack) -> None:
    # Given a versioned images bucket and a registered user
    stack.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    assert call_api("POST", "/users/alice/registration", json_body=image_json(jpeg())).status == 201
    # When they verify
    answer = call_api("POST", "/users/alice/verification", json_body=image_json(jpeg()))
    # Then the verification run holds the version S3 gave the capture
    assert answer.status == 200
    run = runs(stack.database)[-1]
    assert run["kind"] == "VERIFICATION"
    assert version_ids(stack.s3, run["image_key"]) == [run["image_version_id"]]
