"""The purge: biometric images deleted when their purpose ends, and nothing deleted early.

A capture is kept for the retention of its recorded result (the PASS or FAIL decided when
the verification ran, whatever the threshold is today; a run that ended in an error counts
as FAIL), then deleted with all its versions and its run stamped ``purged_at``. A reference
image that is no longer its user's reference (re-enrolment could not delete it) is deleted
right away, and so is the image of a request that died between storing it and recording its
run (an expired pending run). A user's current reference is never deleted here. Expired
idempotency records are deleted too.

Idempotency: a row is stamped only after the image store confirmed its object gone, so a
crash leaves rows either purged with the object gone, or unpurged; an unpurged row is simply
deleted again on the next run (deleting a missing object succeeds).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol

from faceauth.domain.deadline import UNLIMITED
from faceauth.domain.liveness import session_prefix
from faceauth.domain.model import Decision, StoredObject
from faceauth.domain.ports import ImageStore

DEFAULT_BATCH_SIZE = 1000  # one S3 DeleteObjects request holds at most 1000 keys


class PurgeCategory(enum.StrEnum):
    PASS = "PASS"  # noqa: S105 - a verification result, not a password
    FAIL = "FAIL"
    SUPERSEDED_REFERENCE = "SUPERSEDED_REFERENCE"
    ABANDONED_UPLOAD = "ABANDONED_UPLOAD"
    LIVENESS_SESSION = "LIVENESS_SESSION"


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """How long an image outlives its run. Due-ness is inclusive: an image is due when
    ``created_at <= now - retention`` (exactly at the boundary it is due; a microsecond
    younger it is not)."""

    retention: timedelta

    def cutoff(self, now: datetime) -> datetime:
        """The newest ``created_at`` that is due at ``now``."""
        return now - self.retention

    def is_due(self, created_at: datetime, now: datetime) -> bool:
        return created_at <= self.cutoff(now)


@dataclass(frozen=True, slots=True)
class PurgePolicy:
    """Which captures are due: a recorded PASS after the PASS retention, anything else (a
    recorded FAIL, or a run that ended in an error and has no result) after the FAIL
    retention."""

    passed: RetentionRule
    failed: RetentionRule

    @classmethod
    def from_days(cls, pass_days: int, fail_days: int) -> PurgePolicy:
        return cls(
            passed=RetentionRule(timedelta(days=pass_days)),
            failed=RetentionRule(timedelta(days=fail_days)),
        )

    @staticmethod
    def retained_as(result: Decision | None) -> Decision:
        """The retention class of a run's recorded result: no result counts as FAIL."""
        return Decision.PASS if result is Decision.PASS else Decision.FAIL

    def rule_for(self, decision: Decision) -> RetentionRule:
        return self.passed if decision is Decision.PASS else self.failed

    def is_due(self, result: Decision | None, created_at: datetime, now: datetime) -> bool:
        return self.rule_for(self.retained_as(result)).is_due(created_at, now)


@dataclass(frozen=True, slots=True, order=True)
class QueuePosition:
    """Where a walk over the purge queue stands: keyset order is (created_at, run_pk)."""

    created_at: datetime
    run_pk: int


@dataclass(frozen=True, slots=True)
class QueuedImage:
    """An unpurged run whose image the purge may delete."""

    run_pk: int
    created_at: datetime
    image_key: str | None  # None: nothing was stored; the row is stamped without a delete
    result: Decision | None = None  # as recorded when the run was decided
    image_version_id: str | None = None  # None: unknown (older rows) or unversioned bucket

    @property
    def position(self) -> QueuePosition:
        return QueuePosition(self.created_at, self.run_pk)


@dataclass(frozen=True, slots=True)
class AbandonedUpload:
    """The image a request announced (a pending run) and then neither recorded nor removed."""

    run_id: str
    image_key: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class DueSession:
    """A liveness session whose images are due: used and past the retention of the run's
    recorded outcome, or never used and over."""

    session_id: str
    due_since: datetime  # when it was used (or when it could no longer be written)


@dataclass(frozen=True, slots=True)
class Backlog:
    """What is due and still unpurged: row count, and the oldest capture of each result."""

    rows: int
    oldest_pass: datetime | None
    oldest_fail: datetime | None


class PurgeQueue(Protocol):
    """The runs table as the purge sees it. Each call is its own short transaction."""

    def database_now(self) -> datetime:
        """The database's current time, naive UTC."""

    def due_captures(
        self, policy: PurgePolicy, now: datetime, after: QueuePosition | None, limit: int
    ) -> list[QueuedImage]:
        """Unpurged verification runs due under ``policy`` at ``now``, oldest first,
        strictly after ``after``."""

    def superseded_references(self, after: QueuePosition | None, limit: int) -> list[QueuedImage]:
        """Unpurged registration runs whose image is no longer their user's reference,
        oldest first, strictly after ``after``."""

    def current_reference_keys(self, keys: Sequence[str]) -> set[str]:
        """Those of ``keys`` that are some user's current reference image."""

    def mark_purged(self, run_pks: Sequence[int], at: datetime) -> int:
        """Stamp ``purged_at`` on the still-unpurged rows among ``run_pks``; returns how many."""

    def abandoned_uploads(
        self, now: datetime, after: AbandonedUpload | None, limit: int
    ) -> list[AbandonedUpload]:
        """Pending runs that expired by ``now`` (their requests are surely over and never
        recorded a run), in (expires_at, run_id) order, strictly after ``after``."""

    def forget_abandoned(self, run_ids: Sequence[str]) -> None:
        """Drop those pending runs: their images are gone."""

    def due_liveness_sessions(
        self, policy: PurgePolicy, now: datetime, after: DueSession | None, limit: int
    ) -> list[DueSession]:
        """Unpurged liveness sessions whose images are due at ``now``: used ones past the
        retention they were recorded with (PASS or FAIL), unused ones no longer writable;
        in (due_since, session_id) order, strictly after ``after``."""

    def mark_sessions_purged(self, session_ids: Sequence[str], at: datetime) -> None:
        """Their images are gone."""

    def delete_expired_idempotency_records(self, now: datetime, limit: int) -> int:
        """Delete up to ``limit`` idempotency records expired by ``now``; returns how many."""

    def backlog(self, policy: PurgePolicy, now: datetime) -> Backlog:
        """Rows still due (captures and superseded references) and the oldest due capture."""


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """The outcome of one purge run. In a dry run the ``deleted_*`` counts are what would
    have been deleted, and nothing changed."""

    now: datetime
    dry_run: bool
    deleted_pass: int
    deleted_fail: int
    deleted_superseded_references: int
    deleted_abandoned_uploads: int
    deleted_liveness_sessions: int
    deleted_idempotency_records: int
    failed_keys: int  # the store could not delete these; their rows stay for the next run
    skipped_current_references: int  # a current reference among the candidates (never deleted)
    rows_left: int  # due and still unpurged after this run
    oldest_overdue_age_seconds: float  # how long the most overdue capture has been due
    stopped_for_time: bool

    @property
    def deleted_images(self) -> int:
        return (
            self.deleted_pass
            + self.deleted_fail
            + self.deleted_superseded_references
            + self.deleted_abandoned_uploads
            + self.deleted_liveness_sessions
        )


def purge_due_images(
    *,
    queue: PurgeQueue,
    images: ImageStore,
    policy: PurgePolicy,
    time_left: Callable[[], float],
    now: datetime | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
) -> PurgeReport:
    """Delete every image that is due at ``now`` (default: the database's clock), in
    batches, and stamp its run purged once the store confirms the object gone: due
    captures first, then superseded references, then the images of abandoned uploads;
    finally expired idempotency records are deleted.

    ``time_left`` answers the milliseconds this run may still use; no batch starts unless
    twice the slowest batch so far still fits, so the run stops cleanly and the next one
    carries on. Raises DependencyUnavailable when the database or the image store cannot
    be reached (what was purged before stays purged).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    run = _PurgeRun(
        queue, images, policy, now if now is not None else queue.database_now(), dry_run
    )
    budget = _Budget(time_left)
    finished = (
        run.drain(
            partial(queue.due_captures, policy, run.now), run.capture_category, batch_size, budget
        )
        and run.drain(queue.superseded_references, run.reference_category, batch_size, budget)
        and run.drain_abandoned(batch_size, budget)
        and run.drain_liveness_sessions(batch_size, budget)
        and run.delete_idempotency_records(batch_size, budget)
    )
    backlog = queue.backlog(policy, run.now)
    return PurgeReport(
        now=run.now,
        dry_run=dry_run,
        deleted_pass=run.deleted[PurgeCategory.PASS],
        deleted_fail=run.deleted[PurgeCategory.FAIL],
        deleted_superseded_references=run.deleted[PurgeCategory.SUPERSEDED_REFERENCE],
        deleted_abandoned_uploads=run.deleted[PurgeCategory.ABANDONED_UPLOAD],
        deleted_liveness_sessions=run.deleted[PurgeCategory.LIVENESS_SESSION],
        deleted_idempotency_records=run.deleted_idempotency_records,
        failed_keys=run.failed_keys,
        skipped_current_references=run.skipped_current_references,
        rows_left=backlog.rows,
        oldest_overdue_age_seconds=_overdue_seconds(policy, run.now, backlog),
        stopped_for_time=not finished,
    )


class _PurgeRun:
    """One run: walks the queue page by page, deletes, stamps and counts."""

    def __init__(
        self,
        queue: PurgeQueue,
        images: ImageStore,
        policy: PurgePolicy,
        now: datetime,
        dry_run: bool,
    ) -> None:
        self._queue = queue
        self._images = images
        self._policy = policy
        self.now = now
        self._dry_run = dry_run
        self.deleted = dict.fromkeys(PurgeCategory, 0)
        self.deleted_idempotency_records = 0
        self.failed_keys = 0
        self.skipped_current_references = 0

    def capture_category(self, image: QueuedImage) -> PurgeCategory | None:
        # The SQL and the policy must agree; what the policy does not find due stays.
        if not self._policy.is_due(image.result, image.created_at, self.now):
            return None
        return PurgeCategory(self._policy.retained_as(image.result).value)

    @staticmethod
    def reference_category(_image: QueuedImage) -> PurgeCategory | None:
        return PurgeCategory.SUPERSEDED_REFERENCE

    def drain(
        self,
        fetch: Callable[[QueuePosition | None, int], list[QueuedImage]],
        categorise: Callable[[QueuedImage], PurgeCategory | None],
        limit: int,
        budget: _Budget,
    ) -> bool:
        """Purge what ``fetch`` finds, page by page; False if time ran out first."""
        after: QueuePosition | None = None
        while budget.allows_another_batch():
            started = time.perf_counter()
            page = fetch(after, limit)
            if not page:
                return True
            after = page[-1].position
            due = [(image, category) for image in page if (category := categorise(image))]
            self._purge(due)
            budget.record_batch(time.perf_counter() - started)
        return False

    def drain_abandoned(self, limit: int, budget: _Budget) -> bool:
        """Delete the images of abandoned uploads, page by page; False if time ran out."""
        after: AbandonedUpload | None = None
        while budget.allows_another_batch():
            started = time.perf_counter()
            page = self._queue.abandoned_uploads(self.now, after, limit)
            if not page:
                return True
            after = page[-1]
            if not self._dry_run:
                stored = [StoredObject(upload.image_key) for upload in page]
                failed = set(self._images.delete_objects(stored, UNLIMITED).failed)
                self.failed_keys += len(failed)
                page = [upload for upload in page if upload.image_key not in failed]
                self._queue.forget_abandoned([upload.run_id for upload in page])
            self.deleted[PurgeCategory.ABANDONED_UPLOAD] += len(page)
            budget.record_batch(time.perf_counter() - started)
        return False

    def drain_liveness_sessions(self, limit: int, budget: _Budget) -> bool:
        """Delete the images of due liveness sessions (every object under each session's
        prefix), page by page; False if time ran out."""
        after: DueSession | None = None
        while budget.allows_another_batch():
            started = time.perf_counter()
            page = self._queue.due_liveness_sessions(self._policy, self.now, after, limit)
            if not page:
                return True
            after = page[-1]
            if not self._dry_run:
                prefixes = [
                    StoredObject(session_prefix(due.session_id), prefix=True) for due in page
                ]
                failed = set(self._images.delete_objects(prefixes, UNLIMITED).failed)
                self.failed_keys += len(failed)
                page = [due for due in page if session_prefix(due.session_id) not in failed]
                self._queue.mark_sessions_purged([due.session_id for due in page], self.now)
            self.deleted[PurgeCategory.LIVENESS_SESSION] += len(page)
            budget.record_batch(time.perf_counter() - started)
        return False

    def delete_idempotency_records(self, limit: int, budget: _Budget) -> bool:
        """Delete expired idempotency records, a batch at a time; False if time ran out."""
        while budget.allows_another_batch():
            if self._dry_run:
                return True
            started = time.perf_counter()
            deleted = self._queue.delete_expired_idempotency_records(self.now, limit)
            self.deleted_idempotency_records += deleted
            budget.record_batch(time.perf_counter() - started)
            if deleted < limit:
                return True
        return False

    def _purge(self, due: list[tuple[QueuedImage, PurgeCategory]]) -> None:
        keys = [image.image_key for image, _ in due if image.image_key is not None]
        # Belt and braces: whatever the queue says, a current reference is never deleted.
        protected = self._queue.current_reference_keys(keys) if keys else set()
        self.skipped_current_references += len(protected)
        due = [(image, category) for image, category in due if image.image_key not in protected]
        if self._dry_run:
            self._count(due)
            return
        # Recorded versions are deleted directly; the store lists only keys without one.
        stored = [
            StoredObject(image.image_key, image.image_version_id)
            for image, _ in due
            if image.image_key is not None
        ]
        failed = set(self._images.delete_objects(stored, UNLIMITED).failed) if stored else set()
        self.failed_keys += len(failed)
        # Stamp only what is really gone; failed keys stay unpurged for the next run.
        gone = [(image, category) for image, category in due if image.image_key not in failed]
        self._queue.mark_purged([image.run_pk for image, _ in gone], self.now)
        self._count(gone)

    def _count(self, purged: list[tuple[QueuedImage, PurgeCategory]]) -> None:
        for image, category in purged:
            if image.image_key is not None:
                self.deleted[category] += 1


def _overdue_seconds(policy: PurgePolicy, now: datetime, backlog: Backlog) -> float:
    overdue = [
        policy.rule_for(decision).cutoff(now) - oldest
        for decision, oldest in (
            (Decision.PASS, backlog.oldest_pass),
            (Decision.FAIL, backlog.oldest_fail),
        )
        if oldest is not None
    ]
    return max((age.total_seconds() for age in overdue), default=0.0)


class _Budget:
    """Allows another batch only while twice the slowest batch so far fits in the time left."""

    def __init__(self, time_left: Callable[[], float]) -> None:
        self._time_left = time_left
        self._slowest_ms = 0.0

    def allows_another_batch(self) -> bool:
        left = self._time_left()
        return left > 0 and left > 2 * self._slowest_ms

    def record_batch(self, seconds: float) -> None:
        self._slowest_ms = max(self._slowest_ms, seconds * 1000)
