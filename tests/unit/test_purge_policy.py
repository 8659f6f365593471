"""PurgePolicy and RetentionRule: which capture is due when; the purge's input parsing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError

from faceauth.domain.deadline import Deadline
from faceauth.domain.model import Decision, StoredObject
from faceauth.domain.ports import DeleteReport
from faceauth.domain.purge import (
    AbandonedUpload,
    Backlog,
    DueSession,
    PurgePolicy,
    QueuedImage,
    QueuePosition,
    RetentionRule,
    purge_due_images,
)
from purge.models import PurgeRequest

NOW = datetime(2026, 11, 26, 12, 0, 0)
POLICY = PurgePolicy.from_days(pass_days=3, fail_days=28)
MICROSECOND = timedelta(microseconds=1)


def test_given_a_recorded_pass_when_classed_then_it_keeps_the_pass_retention() -> None:
    assert PurgePolicy.retained_as(Decision.PASS) is Decision.PASS


def test_given_a_recorded_fail_when_classed_then_it_keeps_the_fail_retention() -> None:
    assert PurgePolicy.retained_as(Decision.FAIL) is Decision.FAIL


def test_given_no_result_because_the_run_failed_when_classed_then_it_counts_as_fail() -> None:
    assert PurgePolicy.retained_as(None) is Decision.FAIL


def test_the_pass_fail_rule_is_at_or_above_the_threshold() -> None:
    assert Decision.of(90.0, 90.0) is Decision.PASS
    assert Decision.of(89.99, 90.0) is Decision.FAIL


def test_given_an_image_exactly_as_old_as_its_retention_when_checked_then_it_is_due() -> None:
    rule = RetentionRule(timedelta(days=3))

    assert rule.is_due(NOW - timedelta(days=3), NOW)


def test_given_an_image_a_microsecond_younger_than_its_retention_when_checked_then_not_due() -> (
    None
):
    rule = RetentionRule(timedelta(days=3))

    assert not rule.is_due(NOW - timedelta(days=3) + MICROSECOND, NOW)


def test_given_a_pass_past_the_pass_retention_when_checked_then_it_is_due() -> None:
    assert POLICY.is_due(Decision.PASS, NOW - timedelta(days=3), NOW)


def test_given_a_fail_past_the_pass_but_not_the_fail_retention_when_checked_then_not_due() -> None:
    assert not POLICY.is_due(Decision.FAIL, NOW - timedelta(days=27), NOW)


def test_given_an_error_run_when_checked_then_it_follows_the_fail_retention() -> None:
    assert not POLICY.is_due(None, NOW - timedelta(days=28) + MICROSECOND, NOW)
    assert POLICY.is_due(None, NOW - timedelta(days=28), NOW)


def test_given_retention_of_zero_days_when_checked_then_an_image_of_now_is_due() -> None:
    assert PurgePolicy.from_days(0, 0).is_due(Decision.PASS, NOW, NOW)


# -- the use case refuses what the policy does not find due --------------------------------


class OneRowQueue:
    """A queue that (wrongly) offers one capture, whatever the policy says."""

    def __init__(self, image: QueuedImage) -> None:
        self.image = image
        self.stamped: list[int] = []

    def database_now(self) -> datetime:
        return NOW

    def due_captures(
        self, policy: PurgePolicy, now: datetime, after: QueuePosition | None, limit: int
    ) -> list[QueuedImage]:
        return [] if after else [self.image]

    def superseded_references(self, after: QueuePosition | None, limit: int) -> list[QueuedImage]:
        return []

    def current_reference_keys(self, keys: Sequence[str]) -> set[str]:
        return set()

    def mark_purged(self, run_pks: Sequence[int], at: datetime) -> int:
        self.stamped.extend(run_pks)
        return len(run_pks)

    def abandoned_uploads(
        self, now: datetime, after: AbandonedUpload | None, limit: int
    ) -> list[AbandonedUpload]:
        return []

    def forget_abandoned(self, run_ids: Sequence[str]) -> None:
        raise AssertionError("nothing was offered")

    def due_liveness_sessions(
        self, policy: PurgePolicy, now: datetime, after: DueSession | None, limit: int
    ) -> list[DueSession]:
        return []

    def mark_sessions_purged(self, session_ids: Sequence[str], at: datetime) -> None:
        raise AssertionError("nothing was offered")

    def delete_expired_idempotency_records(self, now: datetime, limit: int) -> int:
        return 0

    def backlog(self, policy: PurgePolicy, now: datetime) -> Backlog:
        return Backlog(rows=0, oldest_pass=None, oldest_fail=None)


class RecordingStore:
    def __init__(self) -> None:
        self.deleted: list[str] = []

    def put(self, key: str, content: bytes, content_type: str, deadline: Deadline) -> str | None:
        raise NotImplementedError

    def get(self, key: str, deadline: Deadline) -> bytes:
        raise NotImplementedError

    def delete_objects(self, objects: Sequence[StoredObject], deadline: Deadline) -> DeleteReport:
        keys = [stored.key for stored in objects]
        self.deleted.extend(keys)
        return DeleteReport(deleted=keys)


def test_given_the_queue_offers_an_image_that_is_not_due_when_purged_then_it_is_not_deleted() -> (
    None
):
    queue = OneRowQueue(QueuedImage(1, NOW - timedelta(days=5), "captures/a.jpg", Decision.FAIL))
    store = RecordingStore()

    report = purge_due_images(
        queue=queue, images=store, policy=POLICY, now=NOW, time_left=lambda: 1e6
    )

    assert (store.deleted, queue.stamped, report.deleted_images) == ([], [], 0)


def test_given_no_time_left_when_purged_then_no_batch_starts() -> None:
    queue = OneRowQueue(QueuedImage(1, NOW - timedelta(days=5), "captures/a.jpg", Decision.PASS))
    store = RecordingStore()

    report = purge_due_images(
        queue=queue, images=store, policy=POLICY, now=NOW, time_left=lambda: 0
    )

    assert report.stopped_for_time
    assert store.deleted == []


# -- the handler's input --------------------------------------------------------------------


def test_given_the_scheduler_constant_input_when_parsed_then_it_is_a_real_run() -> None:
    request = PurgeRequest.model_validate({"source": "schedule"})

    assert (request.dry_run, request.now, request.batch_size) == (False, None, 1000)


def test_given_now_with_an_offset_when_parsed_then_it_becomes_naive_utc() -> None:
    request = PurgeRequest.model_validate({"now": "2026-11-26T14:00:00+02:00", "dryRun": True})

    assert (request.now, request.dry_run) == (datetime(2026, 11, 26, 12, 0, 0), True)


def test_given_a_batch_larger_than_delete_objects_allows_when_parsed_then_it_is_rejected() -> None:
    with pytest.raises(ValidationError):
        PurgeRequest.model_validate({"batchSize": 1001})
