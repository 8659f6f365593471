"""The client's liveness calls: start a session, then register, replace or verify with its id."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fake_api import LIVENESS_SESSION, REGISTRATION, VERIFICATION, FakeApi

from faceauth_client import (
    Client,
    InvalidResponseError,
    LivenessFailedError,
    LivenessSessionExpiredError,
    LivenessUnavailableError,
)

IMAGE = b"\xff\xd8\xff\xe0fake-jpeg"
SESSION_ID = LIVENESS_SESSION["sessionId"]


def make_client(api: FakeApi) -> Client:
    return Client(api.base_url, "secret-key", timeout=2, sleep=lambda _s: None)


def test_start_liveness_session_posts_to_the_users_sessions(api: FakeApi) -> None:
    # Given an API that creates sessions
    api.reply(201, LIVENESS_SESSION)
    # When a session is started for alice
    make_client(api).start_liveness_session("alice")
    # Then one POST without a body went to her sessions, with the API key
    (seen,) = api.requests
    assert (seen.method, seen.path) == ("POST", "/v1/users/alice/liveness-sessions")
    assert seen.headers["x-api-key"] == "secret-key"
    assert seen.body is None


def test_start_liveness_session_returns_a_typed_session(api: FakeApi) -> None:
    # Given an API that answers 201 with a session
    api.reply(201, LIVENESS_SESSION)
    # When a session is started
    session = make_client(api).start_liveness_session("alice")
    # Then its id, region and expiry are typed
    assert session.session_id == SESSION_ID
    assert session.region == "eu-west-1"
    assert session.expires_at == datetime(2026, 11, 26, 21, 3, tzinfo=UTC)


def test_retried_session_start_reuses_its_idempotency_key(api: FakeApi) -> None:
    # Given an API that is briefly unavailable, then creates the session
    api.error(503, "DEPENDENCY_UNAVAILABLE", headers={"Retry-After": "0"})
    api.reply(201, LIVENESS_SESSION)
    # When a session is started
    make_client(api).start_liveness_session("alice")
    # Then both attempts carried the same key, so the API makes one session
    first, retry = api.requests
    assert uuid.UUID(first.headers["idempotency-key"])
    assert retry.headers["idempotency-key"] == first.headers["idempotency-key"]


def test_given_idempotency_key_is_sent_with_the_session_start(api: FakeApi) -> None:
    # Given a key the app keeps for this attempt
    key = str(uuid.uuid4())
    api.reply(201, LIVENESS_SESSION)
    # When a session is started with it
    make_client(api).start_liveness_session("alice", idempotency_key=key)
    # Then the API received that key
    assert api.requests[0].headers["idempotency-key"] == key


def test_session_start_without_liveness_service_raises_liveness_unavailable(
    api: FakeApi,
) -> None:
    # Given a deployment without a liveness service (the local stack)
    api.error(501, "LIVENESS_UNAVAILABLE")
    # When a session is started
    # Then the 501 is a LivenessUnavailableError, not retried
    with pytest.raises(LivenessUnavailableError):
        make_client(api).start_liveness_session("alice")
    assert len(api.requests) == 1


def test_session_answer_without_region_raises_invalid_response(api: FakeApi) -> None:
    # Given an API whose session answer lacks the region
    api.reply(201, {k: v for k, v in LIVENESS_SESSION.items() if k != "region"})
    # When a session is started
    # Then the client names the missing field
    with pytest.raises(InvalidResponseError, match="region"):
        make_client(api).start_liveness_session("alice")


SELFIE_CALLS: dict[str, tuple[str, str, int, Any, Callable[..., Any]]] = {
    "register": ("POST", "registration", 201, REGISTRATION, Client.register),
    "replace_reference": ("PUT", "registration", 200, REGISTRATION, Client.replace_reference),
    "verify": ("POST", "verification", 200, VERIFICATION, Client.verify),
}


@pytest.mark.parametrize("call", SELFIE_CALLS)
def test_selfie_calls_send_the_session_id_instead_of_an_image(api: FakeApi, call: str) -> None:
    # Given an API that accepts the request
    method, route, status, body, send = SELFIE_CALLS[call]
    api.reply(status, body)
    # When the call is made with a liveness session id
    send(make_client(api), "alice", liveness_session_id=SESSION_ID)
    # Then the body holds only that id, on the usual route
    (seen,) = api.requests
    assert (seen.method, seen.path) == (method, f"/v1/users/alice/{route}")
    assert seen.body == {"livenessSessionId": SESSION_ID}


@pytest.mark.parametrize("call", SELFIE_CALLS)
def test_selfie_calls_refuse_both_an_image_and_a_session(api: FakeApi, call: str) -> None:
    # Given a client
    send = SELFIE_CALLS[call][4]
    # When a call is given an image and a session id
    # Then it is refused before anything is sent
    with pytest.raises(TypeError, match="exactly one"):
        send(make_client(api), "alice", IMAGE, liveness_session_id=SESSION_ID)
    assert api.requests == []


@pytest.mark.parametrize("call", SELFIE_CALLS)
def test_selfie_calls_refuse_neither_an_image_nor_a_session(api: FakeApi, call: str) -> None:
    # Given a client
    send = SELFIE_CALLS[call][4]
    # When a call is given no selfie at all
    # Then it is refused before anything is sent
    with pytest.raises(TypeError, match="exactly one"):
        send(make_client(api), "alice")
    assert api.requests == []


def test_session_id_that_is_not_a_uuid_is_refused_before_sending(api: FakeApi) -> None:
    # Given a session id that is not a UUID
    # When a verification is sent with it
    # Then the client refuses it and nothing is sent
    with pytest.raises(ValueError, match="liveness_session_id"):
        make_client(api).verify("alice", liveness_session_id="session-1")
    assert api.requests == []


def test_session_id_is_sent_in_the_canonical_form(api: FakeApi) -> None:
    # Given a session id in upper case, as some platforms print UUIDs
    api.reply(200, VERIFICATION)
    # When a verification is sent with it
    make_client(api).verify("alice", liveness_session_id=SESSION_ID.upper())
    # Then the API gets the lower-case form its contract names
    assert api.requests[0].body == {"livenessSessionId": SESSION_ID}


def test_failed_liveness_raises_liveness_failed(api: FakeApi) -> None:
    # Given an API that judges the session not live
    api.error(422, "LIVENESS_FAILED")
    # When a verification is sent with the session
    # Then LivenessFailedError is raised, once (not retryable)
    with pytest.raises(LivenessFailedError):
        make_client(api).verify("alice", liveness_session_id=SESSION_ID)
    assert len(api.requests) == 1


def test_expired_session_raises_liveness_session_expired(api: FakeApi) -> None:
    # Given an API that finds the session expired
    api.error(409, "LIVENESS_SESSION_EXPIRED")
    # When a registration is sent with the session
    # Then LivenessSessionExpiredError tells the caller to start a new session
    with pytest.raises(LivenessSessionExpiredError):
        make_client(api).register("alice", liveness_session_id=SESSION_ID)
