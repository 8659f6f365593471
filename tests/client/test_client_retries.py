"""Errors the table marks retryable, and lost connections, are retried; waits are bounded."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from fake_api import ERRORS, VERIFICATION, FakeApi

from faceauth_client import (
    Client,
    DependencyUnavailableError,
    FaceAuthApiError,
    NoFaceDetectedError,
    QuotaExceededError,
    RequestTimeoutError,
    ThrottledError,
    TransportError,
)


class RecordingSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_client(api: FakeApi, sleep: RecordingSleep, **kwargs: Any) -> Client:
    return Client(api.base_url, "k", timeout=2, sleep=sleep, **kwargs)


def test_503_is_retried_after_the_retry_after_seconds(api: FakeApi) -> None:
    # Given a dependency outage that lasts one request and asks for 2 s
    api.error(503, "DEPENDENCY_UNAVAILABLE", headers={"Retry-After": "2"})
    api.reply(200, VERIFICATION)
    sleep = RecordingSleep()
    # When a capture is verified
    verification = make_client(api, sleep).verify("alice", b"img")
    # Then the client waited 2 s once and returned the second answer
    assert sleep.waits == [2.0]
    assert len(api.requests) == 2
    assert verification.passed


def test_429_without_retry_after_backs_off_exponentially(api: FakeApi) -> None:
    # Given an API throttling three times without Retry-After
    for _ in range(3):
        api.error(429, "THROTTLED")
    api.reply(200, {"status": "ok"})
    sleep = RecordingSleep()
    # When health is checked with a 0.5 s backoff base
    make_client(api, sleep, backoff_base=0.5).health()
    # Then the waits doubled each time
    assert sleep.waits == [0.5, 1.0, 2.0]


def test_retries_stop_after_max_retries(api: FakeApi) -> None:
    # Given an API that keeps answering 503
    for _ in range(5):
        api.error(503, "DEPENDENCY_UNAVAILABLE", headers={"Retry-After": "1"})
    sleep = RecordingSleep()
    # When a capture is verified with max_retries=2
    with pytest.raises(DependencyUnavailableError) as caught:
        make_client(api, sleep, max_retries=2).verify("alice", b"img")
    # Then three requests were made and the last error is raised with its Retry-After
    assert len(api.requests) == 3
    assert sleep.waits == [1.0, 1.0]
    assert caught.value.retry_after == 1.0


def test_retry_after_longer_than_the_cap_is_not_waited(api: FakeApi) -> None:
    # Given a throttle asking for 10 minutes
    api.error(429, "THROTTLED", headers={"Retry-After": "600"})
    sleep = RecordingSleep()
    # When health is checked with a 30 s cap
    with pytest.raises(ThrottledError):
        make_client(api, sleep, max_retry_wait=30).health()
    # Then the client raised at once instead of sleeping
    assert sleep.waits == []
    assert len(api.requests) == 1


def test_retry_after_as_http_date_is_honoured(api: FakeApi) -> None:
    # Given a 503 whose Retry-After is a date about 5 s ahead
    when = datetime.now(UTC) + timedelta(seconds=5)
    api.error(503, "DEPENDENCY_UNAVAILABLE", headers={"Retry-After": format_datetime(when, True)})
    api.reply(200, {"status": "ok"})
    sleep = RecordingSleep()
    # When health is checked
    make_client(api, sleep).health()
    # Then the wait is about 5 s
    assert sleep.waits[0] == pytest.approx(5, abs=1.5)


def test_client_errors_are_not_retried(api: FakeApi) -> None:
    # Given a capture without a face
    api.error(422, "NO_FACE_DETECTED")
    sleep = RecordingSleep()
    # When it is verified
    with pytest.raises(NoFaceDetectedError):
        make_client(api, sleep).verify("alice", b"img")
    # Then exactly one request was made
    assert len(api.requests) == 1
    assert sleep.waits == []


@pytest.mark.parametrize("code", ERRORS)
def test_the_table_decides_which_errors_are_retried(api: FakeApi, code: str) -> None:
    # Given one error answer of this code, then success
    api.error(ERRORS[code]["status"], code, headers={"Retry-After": "0"})
    api.reply(200, {"status": "ok"})
    sleep = RecordingSleep()
    # When health is checked
    with contextlib.suppress(FaceAuthApiError):
        make_client(api, sleep).health()
    # Then the request was resent exactly when the table marks the code retryable
    assert len(api.requests) == (2 if ERRORS[code]["retryable"] else 1)


def test_gateway_timeout_is_retried_with_the_same_key(api: FakeApi) -> None:
    # Given API Gateway's 504 (the function timed out, perhaps after recording a run), then
    # the API's answer to the retry (the first answer, found by the Idempotency-Key)
    api.error(504, "DEPENDENCY_UNAVAILABLE")
    api.reply(200, VERIFICATION)
    sleep = RecordingSleep()
    # When a capture is verified
    verification = make_client(api, sleep).verify("alice", b"img")
    # Then the verification was resent with the first request's key and its answer returned
    first, retry = api.requests
    assert first.headers["idempotency-key"] == retry.headers["idempotency-key"]
    assert verification.run_id == VERIFICATION["runId"]


def test_lost_connection_is_retried_with_backoff() -> None:
    # Given nothing listening on the port (port 9 is discard, closed on loopback)
    sleep = RecordingSleep()
    client = Client("http://127.0.0.1:9/v1", "k", timeout=2, sleep=sleep, max_retries=2)
    # When health is checked
    # Then the client tried three times, backing off, and reports the transport error
    with pytest.raises(TransportError):
        client.health()
    assert sleep.waits == [0.5, 1.0]


def test_timed_out_request_is_retried_with_the_same_key(api: FakeApi) -> None:
    # Given an API too slow for the client's timeout once, then quick
    api.reply(200, VERIFICATION, delay=2.0)
    api.reply(200, VERIFICATION)
    sleep = RecordingSleep()
    client = Client(api.base_url, "k", timeout=0.3, sleep=sleep)
    # When a capture is verified
    verification = client.verify("alice", b"img")
    # Then the retry carried the first request's key and its answer is returned
    first, retry = api.requests
    assert first.headers["idempotency-key"] == retry.headers["idempotency-key"]
    assert sleep.waits == [0.5]
    assert verification.passed


def test_spent_quota_is_not_retried(api: FakeApi) -> None:
    # Given a usage plan whose quota is used up
    api.error(429, "QUOTA_EXCEEDED")
    sleep = RecordingSleep()
    # When health is checked
    with pytest.raises(QuotaExceededError):
        make_client(api, sleep).health()
    # Then the client raised at once: waiting seconds would not help
    assert sleep.waits == []
    assert len(api.requests) == 1


def test_slow_answer_raises_request_timeout(api: FakeApi) -> None:
    # Given an API that takes 2 s to answer
    api.reply(200, {"status": "ok"}, delay=2.0)
    client = Client(api.base_url, "k", timeout=0.3, max_retries=0)
    # When health is checked with a 0.3 s timeout
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError):
        client.health()
    # Then the client gave up long before the answer came
    assert time.monotonic() - started < 1.5
