"""The lockout rule: N consecutive FAILs lock for a while; a PASS or an expired lock resets."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from faceauth.domain.model import Decision, PendingRun, RunKind, UserRecord
from faceauth.domain.services import LockoutPolicy
from faceauth.errors import UserLocked, VerificationInProgress

NOW = datetime(2026, 11, 26, 12, 0)
POLICY = LockoutPolicy(max_failures=5, duration=timedelta(minutes=15))


def user(failures: int, locked_until: datetime | None = None) -> UserRecord:
    return UserRecord(1, "u", "references/x.jpg", NOW, failures, locked_until)


def test_the_fifth_consecutive_fail_locks_for_the_configured_time() -> None:
    assert POLICY.after(user(4), Decision.FAIL, NOW) == (5, NOW + timedelta(minutes=15))


def test_the_fourth_fail_does_not_lock() -> None:
    assert POLICY.after(user(3), Decision.FAIL, NOW) == (4, None)


def test_a_pass_resets_count_and_lock() -> None:
    assert POLICY.after(user(4), Decision.PASS, NOW) == (0, None)


def test_a_fail_after_the_lock_expired_counts_from_one() -> None:
    expired = user(5, locked_until=NOW - timedelta(seconds=1))
    assert POLICY.after(expired, Decision.FAIL, NOW) == (1, None)


def test_a_user_is_locked_until_the_instant_the_lock_ends() -> None:
    locked = user(5, locked_until=NOW + timedelta(minutes=1))
    assert locked.is_locked(NOW)
    assert not locked.is_locked(NOW + timedelta(minutes=1))


def in_flight(count: int) -> list[PendingRun]:
    return [
        PendingRun(
            f"r{i}",
            1,
            1,
            RunKind.VERIFICATION,
            f"captures/r{i}.jpg",
            NOW,
            NOW + timedelta(minutes=1),
        )
        for i in range(count)
    ]


def test_an_attempt_is_admitted_while_failures_and_attempts_in_flight_stay_under_the_limit() -> (
    None
):
    POLICY.admit(user(3), in_flight(1), NOW, retry_after_seconds=2)


def test_an_attempt_that_could_be_over_the_limit_is_refused_as_in_progress() -> None:
    with pytest.raises(VerificationInProgress) as refused:
        POLICY.admit(user(3), in_flight(2), NOW, retry_after_seconds=2)
    assert refused.value.retry_after_seconds == 2


def test_a_locked_user_is_refused_with_the_time_left_on_the_lock() -> None:
    with pytest.raises(UserLocked) as refused:
        POLICY.admit(user(5, NOW + timedelta(seconds=90)), [], NOW, retry_after_seconds=2)
    assert refused.value.retry_after_seconds == 90


def test_failures_of_an_expired_lock_do_not_use_up_the_budget() -> None:
    POLICY.admit(user(5, NOW - timedelta(seconds=1)), in_flight(4), NOW, retry_after_seconds=2)
