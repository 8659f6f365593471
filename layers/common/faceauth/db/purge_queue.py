"""The purge queue on the runs table: keyset walks over ``ix_runs_purge_queue``.

Every query starts with ``kind = ? AND purged_at IS NULL`` and a range on ``created_at``,
the leading columns of ``ix_runs_purge_queue (kind, purged_at, created_at, id)``, and pages
by ``(created_at, id)`` in index order: no OFFSET, no filesort, and purged rows drop out of
the range for good. Each method is its own short transaction, so the purge never holds a
transaction open across an S3 call.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    delete,
    false,
    func,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from faceauth.db.models import IdempotencyRecord, LivenessSession, PendingRun, Run, User
from faceauth.domain.liveness import SESSION_WRITE_GRACE
from faceauth.domain.model import Decision, RunKind
from faceauth.domain.purge import (
    AbandonedUpload,
    Backlog,
    DueSession,
    PurgePolicy,
    QueuedImage,
    QueuePosition,
)
from faceauth.errors import DependencyUnavailable

_DB_NOW = {
    "mysql": "SELECT UTC_TIMESTAMP(6)",
    "mariadb": "SELECT UTC_TIMESTAMP(6)",
    "sqlite": "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')",
}

# Walk runs in purge-queue order and look each user up by primary key; left to itself the
# optimizer may start from users and sort.
_RUNS_FIRST = "STRAIGHT_JOIN"


class SqlPurgeQueue:
    """Implements faceauth.domain.purge.PurgeQueue with SQLAlchemy Core on one engine."""

    def __init__(self, engine: Engine, retry_after_seconds: int = 2) -> None:
        self._engine = engine
        self._retry_after = retry_after_seconds

    def database_now(self) -> datetime:
        with self._connection() as conn:
            value: Any = conn.execute(text(_DB_NOW[conn.dialect.name])).scalar_one()
        return value if isinstance(value, datetime) else datetime.fromisoformat(value)

    def due_captures(
        self, policy: PurgePolicy, now: datetime, after: QueuePosition | None, limit: int
    ) -> list[QueuedImage]:
        query = (
            select(Run.id, Run.created_at, Run.image_key, Run.result, Run.image_version_id)
            .where(_unpurged(RunKind.VERIFICATION), _due(policy, now), _after(after))
            .order_by(Run.created_at, Run.id)
            .limit(limit)
        )
        with self._connection() as conn:
            rows = conn.execute(query).all()
        return [
            QueuedImage(
                row.id,
                row.created_at,
                row.image_key,
                Decision(row.result) if row.result else None,
                row.image_version_id,
            )
            for row in rows
        ]

    def superseded_references(self, after: QueuePosition | None, limit: int) -> list[QueuedImage]:
        query = (
            select(Run.id, Run.created_at, Run.image_key, Run.image_version_id)
            .prefix_with(_RUNS_FIRST, dialect="mysql")
            .join(User, User.id == Run.user_pk)
            .where(_superseded(), _after(after))
            .order_by(Run.created_at, Run.id)
            .limit(limit)
        )
        with self._connection() as conn:
            rows = conn.execute(query).all()
        return [
            QueuedImage(
                row.id, row.created_at, row.image_key, image_version_id=row.image_version_id
            )
            for row in rows
        ]

    def current_reference_keys(self, keys: Sequence[str]) -> set[str]:
        if not keys:
            return set()
        query = select(User.reference_key).where(User.reference_key.in_(list(keys)))
        with self._connection() as conn:
            return {key for key in conn.scalars(query) if key is not None}

    def mark_purged(self, run_pks: Sequence[int], at: datetime) -> int:
        if not run_pks:
            return 0
        statement = (
            update(Run)
            .where(Run.id.in_(list(run_pks)), Run.purged_at.is_(None))
            .values(purged_at=at)
        )
        with self._connection(write=True) as conn:
            return int(conn.execute(statement).rowcount)

    def abandoned_uploads(
        self, now: datetime, after: AbandonedUpload | None, limit: int
    ) -> list[AbandonedUpload]:
        query = select(PendingRun.run_id, PendingRun.image_key, PendingRun.expires_at).where(
            PendingRun.expires_at <= now
        )
        if after is not None:
            query = query.where(
                PendingRun.expires_at >= after.expires_at,
                or_(PendingRun.expires_at > after.expires_at, PendingRun.run_id > after.run_id),
            )
        query = query.order_by(PendingRun.expires_at, PendingRun.run_id).limit(limit)
        with self._connection() as conn:
            rows = conn.execute(query).all()
        return [AbandonedUpload(row.run_id, row.image_key, row.expires_at) for row in rows]

    def forget_abandoned(self, run_ids: Sequence[str]) -> None:
        if run_ids:
            with self._connection(write=True) as conn:
                conn.execute(delete(PendingRun).where(PendingRun.run_id.in_(list(run_ids))))

    def due_liveness_sessions(
        self, policy: PurgePolicy, now: datetime, after: DueSession | None, limit: int
    ) -> list[DueSession]:
        table = LivenessSession
        # Walk order: used sessions by when they were used, unused ones by their end.
        due_since = func.coalesce(table.used_at, table.expires_at)
        due = or_(
            and_(table.used_at.is_(None), table.expires_at <= now - SESSION_WRITE_GRACE),
            and_(
                table.retained_as == Decision.PASS.value,
                table.used_at <= policy.passed.cutoff(now),
            ),
            and_(
                or_(table.retained_as.is_(None), table.retained_as != Decision.PASS.value),
                table.used_at <= policy.failed.cutoff(now),
            ),
        )
        query = select(table.session_id, due_since.label("due_since")).where(
            table.purged_at.is_(None), due
        )
        if after is not None:
            query = query.where(
                or_(
                    due_since > after.due_since,
                    and_(due_since == after.due_since, table.session_id > after.session_id),
                )
            )
        query = query.order_by(due_since, table.session_id).limit(limit)
        with self._connection() as conn:
            rows = conn.execute(query).all()
        return [
            DueSession(
                row.session_id,
                row.due_since
                if isinstance(row.due_since, datetime)
                else datetime.fromisoformat(row.due_since),
            )
            for row in rows
        ]

    def mark_sessions_purged(self, session_ids: Sequence[str], at: datetime) -> None:
        if session_ids:
            with self._connection(write=True) as conn:
                conn.execute(
                    update(LivenessSession)
                    .where(LivenessSession.session_id.in_(list(session_ids)))
                    .values(purged_at=at)
                )

    def delete_expired_idempotency_records(self, now: datetime, limit: int) -> int:
        with self._connection(write=True) as conn:
            keys = conn.scalars(
                select(IdempotencyRecord.idempotency_key)
                .where(IdempotencyRecord.expires_at <= now)
                .order_by(IdempotencyRecord.expires_at)
                .limit(limit)
            ).all()
            if keys:
                conn.execute(
                    delete(IdempotencyRecord).where(
                        IdempotencyRecord.idempotency_key.in_(keys),
                        IdempotencyRecord.expires_at <= now,
                    )
                )
        return len(keys)

    def backlog(self, policy: PurgePolicy, now: datetime) -> Backlog:
        pass_cutoff, fail_cutoff = policy.passed.cutoff(now), policy.failed.cutoff(now)
        older = min(pass_cutoff, fail_cutoff)
        newer = max(pass_cutoff, fail_cutoff)
        captures = _unpurged(RunKind.VERIFICATION)
        # Everything at or before the older cutoff is due whatever its result: counted from
        # the index alone. Between the cutoffs only the shorter-retention result is due.
        all_due = select(func.count()).where(captures, Run.created_at <= older)
        window_due = select(func.count()).where(
            captures, Run.created_at > older, Run.created_at <= newer, _shorter_retention(policy)
        )
        superseded = (
            select(func.count())
            .prefix_with(_RUNS_FIRST, dialect="mysql")
            .select_from(Run)
            .join(User, User.id == Run.user_pk)
            .where(_superseded())
        )
        with self._connection() as conn:
            rows = sum(conn.execute(query).scalar_one() for query in (all_due, window_due))
            rows += conn.execute(superseded).scalar_one()
            oldest_pass = _oldest(conn, pass_cutoff, _recorded_pass())
            oldest_fail = _oldest(conn, fail_cutoff, ~_recorded_pass())
        return Backlog(rows=rows, oldest_pass=oldest_pass, oldest_fail=oldest_fail)

    @contextmanager
    def _connection(self, *, write: bool = False) -> Iterator[Connection]:
        try:
            with self._engine.begin() if write else self._engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise DependencyUnavailable("database", self._retry_after) from exc


def _unpurged(kind: RunKind) -> ColumnElement[bool]:
    return and_(Run.kind == kind.value, Run.purged_at.is_(None))


def _after(position: QueuePosition | None) -> ColumnElement[bool]:
    # A plain range on created_at (index-seekable on every MySQL version) with the tie on
    # id as a filter, rather than a row-value comparison.
    if position is None:
        return true()
    return and_(
        Run.created_at >= position.created_at,
        or_(Run.created_at > position.created_at, Run.id > position.run_pk),
    )


def _superseded() -> ColumnElement[bool]:
    """Registration runs whose image is no longer their user's reference."""
    return and_(
        _unpurged(RunKind.REGISTRATION),
        Run.image_key.is_not(None),
        or_(User.reference_key.is_(None), User.reference_key != Run.image_key),
    )


def _recorded_pass() -> ColumnElement[bool]:
    """A recorded PASS; false (not unknown) for a run without a result."""
    return and_(Run.result.is_not(None), Run.result == Decision.PASS.value)


def _shorter_retention(policy: PurgePolicy) -> ColumnElement[bool]:
    """The captures due between the two cutoffs: those whose retention is the shorter."""
    if policy.passed.retention == policy.failed.retention:
        return false()
    if policy.passed.retention < policy.failed.retention:
        return _recorded_pass()
    return ~_recorded_pass()


def _due(policy: PurgePolicy, now: datetime) -> ColumnElement[bool]:
    pass_cutoff, fail_cutoff = policy.passed.cutoff(now), policy.failed.cutoff(now)
    older, newer = min(pass_cutoff, fail_cutoff), max(pass_cutoff, fail_cutoff)
    return and_(
        Run.created_at <= newer,
        or_(Run.created_at <= older, _shorter_retention(policy)),
    )


def _oldest(conn: Connection, cutoff: datetime, result: ColumnElement[bool]) -> datetime | None:
    """The oldest unpurged capture with this result that is due at ``cutoff``."""
    query = (
        select(Run.created_at)
        .where(_unpurged(RunKind.VERIFICATION), Run.created_at <= cutoff, result)
        .order_by(Run.created_at, Run.id)
        .limit(1)
    )
    value: datetime | None = conn.execute(query).scalar_one_or_none()
    return value


__all__ = ["SqlPurgeQueue"]
