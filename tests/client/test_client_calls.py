"""The client sends contract-v1 requests and parses the answers into typed results."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from fake_api import REGISTRATION, STATUS, VERIFICATION, FakeApi

from faceauth_client import Client, InvalidResponseError

IMAGE = b"\xff\xd8\xff\xe0fake-jpeg"


def make_client(api: FakeApi) -> Client:
    return Client(api.base_url, "secret-key", timeout=2, sleep=lambda _s: None)


def test_register_posts_base64_image_with_api_key(api: FakeApi) -> None:
    # Given an API that accepts the registration
    api.reply(201, REGISTRATION)
    # When a user is registered
    make_client(api).register("alice", IMAGE)
    # Then one POST carried the key, a JSON content type and the image as base64
    (seen,) = api.requests
    assert (seen.method, seen.path) == ("POST", "/v1/users/alice/registration")
    assert seen.headers["x-api-key"] == "secret-key"
    assert seen.headers["content-type"] == "application/json"
    assert base64.b64decode(seen.body["image"]) == IMAGE


def test_register_returns_typed_registration(api: FakeApi) -> None:
    # Given an API that answers 201 with a registration
    api.reply(201, REGISTRATION)
    # When a user is registered
    registration = make_client(api).register("alice", IMAGE)
    # Then the answer is parsed, the timestamp as an aware datetime
    assert registration.run_id == "run-1"
    assert registration.user_id == "alice"
    assert registration.registered_at == datetime(2026, 11, 26, 21, 0, tzinfo=UTC)


def test_replace_reference_puts_the_new_image(api: FakeApi) -> None:
    # Given an API that accepts re-enrolment
    api.reply(200, REGISTRATION)
    # When the reference is replaced
    registration = make_client(api).replace_reference("alice", IMAGE)
    # Then it was a PUT on the registration and the result is typed
    assert (api.requests[0].method, api.requests[0].path) == (
        "PUT",
        "/v1/users/alice/registration",
    )
    assert registration.run_id == "run-1"


def test_verify_returns_similarity_threshold_and_result(api: FakeApi) -> None:
    # Given an API that answers a verification with PASS
    api.reply(200, VERIFICATION)
    # When a capture is verified
    verification = make_client(api).verify("alice", IMAGE)
    # Then the numbers and result are typed and PASS means passed
    assert api.requests[0].path == "/v1/users/alice/verification"
    assert verification.similarity == pytest.approx(97.43)
    assert verification.threshold == 90.0
    assert verification.result == "PASS"
    assert verification.passed
    assert verification.verified_at.microsecond == 123456


def test_verify_fail_is_a_result_not_an_exception(api: FakeApi) -> None:
    # Given an API that answers FAIL
    api.reply(200, {**VERIFICATION, "similarity": 12.0, "result": "FAIL"})
    # When a capture is verified
    verification = make_client(api).verify("alice", IMAGE)
    # Then the result says FAIL
    assert not verification.passed


def test_status_parses_nested_last_verification_and_lock(api: FakeApi) -> None:
    # Given a locked user whose last attempt was rejected with an error code
    api.reply(200, STATUS)
    # When the status is read
    status = make_client(api).status("alice")
    # Then every field is typed, nulls included
    assert (api.requests[0].method, api.requests[0].path) == ("GET", "/v1/users/alice")
    assert status.registered
    assert status.locked
    assert status.locked_until == datetime(2026, 11, 26, 21, 21, tzinfo=UTC)
    assert status.consecutive_failures == 5
    last = status.last_verification
    assert last is not None
    assert (last.result, last.similarity, last.error_code) == (None, None, "NO_FACE_DETECTED")


def test_status_of_unknown_user_has_nulls(api: FakeApi) -> None:
    # Given a user the API has never seen
    api.reply(
        200,
        {
            "userId": "bob",
            "registered": False,
            "registeredAt": None,
            "lastVerification": None,
            "locked": False,
            "lockedUntil": None,
            "consecutiveFailures": 0,
        },
    )
    # When the status is read
    status = make_client(api).status("bob")
    # Then the optional fields are None
    assert not status.registered
    assert status.registered_at is None
    assert status.last_verification is None
    assert status.locked_until is None


def test_erase_sends_delete_and_accepts_204(api: FakeApi) -> None:
    # Given an API that answers 204 No Content
    api.reply(204)
    # When the user is erased
    result = make_client(api).erase("alice")
    # Then a DELETE was sent and nothing is returned
    assert (api.requests[0].method, api.requests[0].path) == (
        "DELETE",
        "/v1/users/alice/registration",
    )
    assert result is None


def test_health_is_sent_without_api_key(api: FakeApi) -> None:
    # Given a healthy API
    api.reply(200, {"status": "ok"})
    # When health is checked
    health = make_client(api).health()
    # Then the status is returned and no key was sent to the public route
    assert health.status == "ok"
    assert api.requests[0].path == "/v1/health"
    assert "x-api-key" not in api.requests[0].headers


def test_results_are_frozen(api: FakeApi) -> None:
    # Given a parsed verification
    api.reply(200, VERIFICATION)
    verification = make_client(api).verify("alice", IMAGE)
    # When a field is assigned
    # Then the dataclass refuses
    with pytest.raises(AttributeError):
        verification.result = "FAIL"  # type: ignore[misc]


def test_invalid_user_id_is_refused_before_any_request(api: FakeApi) -> None:
    # Given a user id with a path separator
    client = make_client(api)
    # When it is used
    # Then the client refuses and nothing is sent
    with pytest.raises(ValueError, match="user_id"):
        client.status("../admin")
    assert api.requests == []


def test_success_answer_with_wrong_shape_raises_invalid_response(api: FakeApi) -> None:
    # Given an API that answers 200 with a verification missing its similarity
    api.reply(200, {k: v for k, v in VERIFICATION.items() if k != "similarity"})
    # When a capture is verified
    # Then the client reports an invalid response naming the field
    with pytest.raises(InvalidResponseError, match="similarity"):
        make_client(api).verify("alice", IMAGE)


def test_success_answer_that_is_not_json_raises_invalid_response(api: FakeApi) -> None:
    # Given an API that answers 200 with HTML
    api.reply(200, raw=b"<html>oops</html>")
    # When the health is checked
    # Then the client reports an invalid response
    with pytest.raises(InvalidResponseError):
        make_client(api).health()


def test_base_url_must_be_http() -> None:
    # Given a file: URL
    # When a client is built with it
    # Then it is refused, so urlopen can never read local files
    with pytest.raises(ValueError, match="http"):
        Client("file:///etc/passwd", "k")
