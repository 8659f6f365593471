"""Right to erasure: every image of the user gone (all versions), rows marked erased."""

from __future__ import annotations

from typing import Any

from tests.api_client import call_api, image_json
from tests.conftest import BUCKET, object_keys
from tests.images import jpeg
from tests.integration.conftest import Stack
from tests.integration.db_queries import runs, users


def enrol_and_verify(user: str, times: int) -> None:
    call_api("POST", f"/users/{user}/registration", json_body=image_json(jpeg()))
    for _ in range(times):
        call_api("POST", f"/users/{user}/verification", json_body=image_json(jpeg()))


def test_erasure_deletes_reference_and_captures_and_marks_rows(stack: Stack) -> None:
    # Given a user with a reference and three captures, and another user
    enrol_and_verify("alice", 3)
    enrol_and_verify("bob", 1)
    bob_keys = [
        r["image_key"]
        for r in runs(stack.database)
        if r["user_id"] == users(stack.database)[1]["id"]
    ]
    # When alice asks to be erased
    answer = call_api("DELETE", "/users/alice/registration")
    # Then 204, none of her images remain, bob's are untouched, her rows are marked
    assert (answer.status, answer.body) == (204, None)
    assert object_keys(stack.s3) == sorted(bob_keys)
    alice = users(stack.database)[0]
    assert (alice["reference_key"], alice["erased_at"] is not None) == (None, True)
    assert all(
        r["purged_at"] is not None for r in runs(stack.database) if r["user_id"] == alice["id"]
    )
    assert call_api("GET", "/users/alice").body["registered"] is False


def test_erasure_answers_204_without_a_body(stack: Stack) -> None:
    # Given a registered user
    enrol_and_verify("alice", 0)
    # When she is erased
    answer = call_api("DELETE", "/users/alice/registration")
    # Then the 204 has no body at all (not the JSON text "null") and so no media type
    assert (answer.status, answer.text) == (204, "")
    assert "content-type" not in answer.headers


def test_erasure_removes_every_version_in_a_versioned_bucket(stack: Stack, s3_client: Any) -> None:
    s3_client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    enrol_and_verify("alice", 2)
    assert call_api("DELETE", "/users/alice/registration").status == 204
    listing = s3_client.list_object_versions(Bucket=BUCKET)
    assert listing.get("Versions", []) == []
    assert listing.get("DeleteMarkers", []) == []


def test_erasure_is_idempotent_and_unknown_users_are_204(stack: Stack) -> None:
    enrol_and_verify("alice", 1)
    assert call_api("DELETE", "/users/alice/registration").status == 204
    assert call_api("DELETE", "/users/alice/registration").status == 204
    assert call_api("DELETE", "/users/nobody/registration").status == 204


def test_an_erased_user_can_register_again(stack: Stack) -> None:
    enrol_and_verify("alice", 1)
    call_api("DELETE", "/users/alice/registration")
    answer = call_api("POST", "/users/alice/registration", json_body=image_json(jpeg()))
    assert answer.status == 201
    assert len(users(stack.database)) == 1


def test_after_erasure_the_status_shows_no_history(stack: Stack) -> None:
    # Given alice verified, then erased
    enrol_and_verify("alice", 2)
    assert call_api("DELETE", "/users/alice/registration").status == 204
    # When her status is read
    status = call_api("GET", "/users/alice").body
    # Then nothing of her past shows
    assert (status["registered"], status["lastVerification"]) == (False, None)


def test_a_new_registration_of_an_erased_user_starts_clean(stack: Stack) -> None:
    # Given alice verified twice, locked out, and erased
    enrol_and_verify("alice", 2)
    stack.engine.similarity = 5.0
    for _ in range(5):
        call_api("POST", "/users/alice/verification", json_body=image_json(jpeg()))
    assert call_api("DELETE", "/users/alice/registration").status == 204
    # When she registers again
    assert call_api("POST", "/users/alice/registration", json_body=image_json(jpeg())).status == 201
    # Then her status shows a new enrolment with no history, failures or lock
    status = call_api("GET", "/users/alice").body
    assert status["lastVerification"] is None
    assert (status["locked"], status["consecutiveFailures"]) == (False, 0)
    assert users(stack.database)[0]["enrolment"] == 2
