"""Idempotency-Key rules on an in-memory ledger: replay, reuse, in progress, takeover."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from faceauth.domain.deadline import Deadline
from faceauth.domain.idempotency import Answer, Idempotency
from faceauth.errors import DependencyUnavailable, IdempotencyKeyInUse, IdempotencyKeyReused
from tests.fakes import FakeClock, FakeIdempotencyLedger

KEY = "9b2f7c1e-3d4a-4f6b-8e21-5a7c9d0e1f23"
CREATED = Answer(201, '{"runId":"r1"}')
UNAVAILABLE = Answer(503, '{"error":{"code":"DEPENDENCY_UNAVAILABLE"}}')


class Runs:
    """A request that counts how often it ran and answers what it is told."""

    def __init__(self, answer: Answer = CREATED) -> None:
        self.answer = answer
        self.count = 0

    def __call__(self) -> Answer:
        self.count += 1
        return self.answer


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ledger() -> FakeIdempotencyLedger:
    return FakeIdempotencyLedger()


@pytest.fixture
def idempotency(ledger: FakeIdempotencyLedger, clock: FakeClock) -> Idempotency:
    return Idempotency(
        ledger, time_to_live=timedelta(hours=24), grace=timedelta(seconds=30), clock=clock
    )


def final(answer: Answer) -> bool:
    return answer.status < 500


def run(
    idempotency: Idempotency, request: Callable[[], Answer], fingerprint: str = "f1"
) -> tuple[Answer, bool]:
    return idempotency.run_once(KEY, fingerprint, Deadline.after(10), request, final)


def test_a_retry_gets_the_first_answer_without_running_again(idempotency: Idempotency) -> None:
    # Given a request that ran with a key
    request = Runs()
    run(idempotency, request)
    # When it is retried with the same key and body
    answer, replayed = run(idempotency, request)
    # Then the first answer comes back and the request ran once
    assert (answer, replayed, request.count) == (CREATED, True, 1)


def test_the_same_key_with_another_request_is_refused(idempotency: Idempotency) -> None:
    run(idempotency, Runs())
    with pytest.raises(IdempotencyKeyReused):
        run(idempotency, Runs(), fingerprint="another body")


def test_a_retry_while_the_first_request_runs_is_asked_to_wait(
    idempotency: Idempotency,
) -> None:
    # Given the first request still running
    def retry_meanwhile() -> Answer:
        with pytest.raises(IdempotencyKeyInUse):
            run(idempotency, Runs())
        return CREATED

    # When a retry arrives meanwhile, then it is refused as in use
    assert run(idempotency, retry_meanwhile) == (CREATED, False)


def test_an_answer_worth_retrying_is_not_kept(idempotency: Idempotency) -> None:
    # Given a first request that answered 503
    run(idempotency, Runs(UNAVAILABLE))
    # When it is retried
    request = Runs()
    answer, replayed = run(idempotency, request)
    # Then it runs again
    assert (answer, replayed, request.count) == (CREATED, False, 1)


def test_a_key_whose_first_request_died_is_taken_over_once_that_request_is_surely_over(
    idempotency: Idempotency, ledger: FakeIdempotencyLedger, clock: FakeClock
) -> None:
    # Given a first request that claimed the key and died (10 s deadline, 30 s grace)
    ledger.claim(KEY, "f1", clock.now, clock.now + timedelta(seconds=40), clock.now)
    ledger.records[KEY].expires_at = clock.now + timedelta(hours=24)
    # When a retry comes after its deadline and grace
    clock.advance(seconds=41)
    request = Runs()
    # Then the retry runs
    assert run(idempotency, request) == (CREATED, False)
    assert request.count == 1


def test_a_key_expires_after_its_time_to_live(idempotency: Idempotency, clock: FakeClock) -> None:
    run(idempotency, Runs())
    clock.advance(hours=24)
    request = Runs()
    assert run(idempotency, request, fingerprint="another body") == (CREATED, False)


def test_a_request_that_raises_releases_its_key(idempotency: Idempotency) -> None:
    def broken() -> Answer:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        run(idempotency, broken)
    assert run(idempotency, Runs()) == (CREATED, False)


def test_an_answer_that_cannot_be_kept_is_still_returned(
    idempotency: Idempotency, ledger: FakeIdempotencyLedger
) -> None:
    # Given the database fails after the request ran
    def then_database_down() -> Answer:
        ledger.unavailable = True
        return CREATED

    # When the answer cannot be stored, then the caller still gets it
    assert run(idempotency, then_database_down) == (CREATED, False)
    with pytest.raises(DependencyUnavailable):
        run(idempotency, Runs())
