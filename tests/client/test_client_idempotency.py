"""Requests that change state carry an Idempotency-Key, and the client's retries reuse it."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from fake_api import REGISTRATION, VERIFICATION, FakeApi

from faceauth_client import (
    Client,
    IdempotencyKeyInUseError,
    IdempotencyKeyReusedError,
    VerificationInProgressError,
)

IMAGE = b"\xff\xd8\xff\xe0fake-jpeg"


class RecordingSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_client(api: FakeApi, sleep: Callable[[float], None] = lambda _s: None) -> Client:
    return Client(api.base_url, "k", timeout=2, sleep=sleep)


CHANGES = {
    "register": (201, REGISTRATION, lambda client: client.register("alice", IMAGE)),
    "replace_reference": (
        200,
        REGISTRATION,
        lambda client: client.replace_reference("alice", IMAGE),
    ),
    "verify": (200, VERIFICATION, lambda client: client.verify("alice", IMAGE)),
    "erase": (204, None, lambda client: client.erase("alice")),
}


@pytest.mark.parametrize("call", CHANGES)
def test_every_change_carries_a_uuid_key(api: FakeApi, call: str) -> None:
    # Given an API that accepts the request
    status, body, send = CHANGES[call]
    api.reply(status, body)
    # When the client sends it
    send(make_client(api))
    # Then the request has an Idempotency-Key that is a UUID
    assert uuid.UUID(api.requests[0].headers["idempotency-key"])


def test_reads_carry_no_key(api: FakeApi) -> None:
    # Given an API that answers reads
    api.reply(200, {"status": "ok"})
    api.reply(200, {"status": "ok"})
    client = make_client(api)
    # When the health is read twice
    client.health()
    client.health()
    # Then neither GET carried a key
    assert all("idempotency-key" not in seen.headers for seen in api.requests)


def test_each_call_gets_its_own_key(api: FakeApi) -> None:
    # Given an API that answers two verifications
    api.reply(200, VERIFICATION)
    api.reply(200, VERIFICATION)
    client = make_client(api)
    # When two captures are verified
    client.verify("alice", IMAGE)
    client.verify("alice", IMAGE)
    # Then they are two requests for the API, with two keys
    first, second = (seen.headers["idempotency-key"] for seen in api.requests)
    assert first != second


def test_retries_reuse_the_key(api: FakeApi) -> None:
    # Given an API that throttles, is unavailable, then answers
    api.error(429, "THROTTLED", headers={"Retry-After": "0"})
    api.error(503, "DEPENDENCY_UNAVAILABLE", headers={"Retry-After": "0"})
    api.reply(201, REGISTRATION)
    # When a user is registered
    make_client(api).register("alice", IMAGE)
    # Then the three attempts carried one key
    assert len({seen.headers["idempotency-key"] for seen in api.requests}) == 1
    assert len(api.requests) == 3


def test_callers_key_is_sent_in_canonical_form(api: FakeApi) -> None:
    # Given a caller's own key, in upper case
    key = uuid.uuid4()
    api.reply(200, VERIFICATION)
    # When a capture is verified with it
    make_client(api).verify("alice", IMAGE, idempotency_key=str(key).upper())
    # Then the API received it as the canonical lower-case UUID
    assert api.requests[0].headers["idempotency-key"] == str(key)


def test_key_that_is_not_a_uuid_is_refused_before_sending(api: FakeApi) -> None:
    # Given a key that is not a UUID
    client = make_client(api)
    # When a capture is verified with it
    # Then the client refuses and nothing is sent
    with pytest.raises(ValueError, match="idempotency_key"):
        client.verify("alice", IMAGE, idempotency_key="attempt-1")
    assert api.requests == []


def test_key_in_use_waits_and_retries_with_the_same_key(api: FakeApi) -> None:
    # Given a first request with the key still running, then its answer
    api.error(409, "IDEMPOTENCY_KEY_IN_USE", headers={"Retry-After": "1"})
    api.reply(200, VERIFICATION)
    sleep = RecordingSleep()
    # When a capture is verified
    verification = make_client(api, sleep).verify("alice", IMAGE)
    # Then the client waited the Retry-After and got the first request's answer
    first, retry = api.requests
    assert sleep.waits == [1.0]
    assert retry.headers["idempotency-key"] == first.headers["idempotency-key"]
    assert verification.run_id == VERIFICATION["runId"]


def test_key_still_in_use_after_the_retries_raises(api: FakeApi) -> None:
    # Given a first request with the key that keeps running
    for _ in range(4):
        api.error(409, "IDEMPOTENCY_KEY_IN_USE", headers={"Retry-After": "1"})
    # When a capture is verified
    # Then the client gives up after its retries with the table's error
    with pytest.raises(IdempotencyKeyInUseError) as caught:
        make_client(api).verify("alice", IMAGE)
    assert caught.value.retryable
    assert len(api.requests) == 4


def test_key_reused_for_another_body_is_raised_at_once(api: FakeApi) -> None:
    # Given an API that has seen the key with another body
    api.error(422, "IDEMPOTENCY_KEY_REUSED")
    sleep = RecordingSleep()
    # When a capture is verified with that key
    with pytest.raises(IdempotencyKeyReusedError):
        make_client(api, sleep).verify("alice", IMAGE, idempotency_key=str(uuid.uuid4()))
    # Then nothing is retried
    assert len(api.requests) == 1
    assert sleep.waits == []


def test_verification_in_progress_waits_its_retry_after(api: FakeApi) -> None:
    # Given another verification of the user in flight for 2 more seconds
    api.error(423, "VERIFICATION_IN_PROGRESS", headers={"Retry-After": "2"})
    api.reply(200, VERIFICATION)
    sleep = RecordingSleep()
    # When a capture is verified
    verification = make_client(api, sleep).verify("alice", IMAGE)
    # Then the client waited 2 s and retried the same request
    first, retry = api.requests
    assert sleep.waits == [2.0]
    assert retry.headers["idempotency-key"] == first.headers["idempotency-key"]
    assert verification.passed


def test_verification_in_progress_without_retries_is_raised(api: FakeApi) -> None:
    # Given another verification of the user in flight
    api.error(423, "VERIFICATION_IN_PROGRESS", headers={"Retry-After": "2"})
    # When a capture is verified without retries
    client = Client(api.base_url, "k", timeout=2, max_retries=0)
    # Then the caller gets the error with the wait
    with pytest.raises(VerificationInProgressError) as caught:
        client.verify("alice", IMAGE)
    assert caught.value.retry_after == 2.0
