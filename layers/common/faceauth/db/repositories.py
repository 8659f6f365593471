"""Repositories: take a session, never commit, map rows to domain records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from faceauth.db import models
from faceauth.db.models import Run, User
from faceauth.domain.liveness import LivenessSession
from faceauth.domain.model import (
    Decision,
    LastVerification,
    NewRun,
    PendingRun,
    RunKind,
    StoredObject,
    UserRecord,
)
from faceauth.domain.ports import RunImage
from faceauth.errors import AlreadyRegistered


def _to_record(row: User) -> UserRecord:
    return UserRecord(
        pk=row.id,
        user_id=row.external_id,
        reference_key=row.reference_key,
        registered_at=row.registered_at,
        consecutive_failures=row.consecutive_failures,
        locked_until=row.locked_until,
        enrolment=row.enrolment,
    )


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0))


class SqlUserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, user_id: str, *, for_update: bool = False) -> UserRecord | None:
        query = select(User).where(User.external_id == user_id)
        if for_update:
            query = query.with_for_update()
        row = self._session.scalars(query).one_or_none()
        return _to_record(row) if row else None

    def get_by_pk(self, pk: int, *, for_update: bool = False) -> UserRecord | None:
        query = select(User).where(User.id == pk)
        if for_update:
            query = query.with_for_update()
        row = self._session.scalars(query).one_or_none()
        return _to_record(row) if row else None

    def add_registered(self, user_id: str, reference_key: str, at: datetime) -> UserRecord:
        row = User(
            external_id=user_id,
            reference_key=reference_key,
            registered_at=at,
            consecutive_failures=0,
            enrolment=1,
            created_at=at,
        )
        self._session.add(row)
        try:
            # The unique key decides a race between two first registrations.
            self._session.flush()
        except IntegrityError as exc:
            raise AlreadyRegistered from exc
        return _to_record(row)

    def register_again(self, pk: int, enrolment: int, reference_key: str, at: datetime) -> bool:
        result = self._session.execute(
            update(User)
            .where(User.id == pk, User.reference_key.is_(None), User.enrolment == enrolment - 1)
            .values(
                reference_key=reference_key,
                registered_at=at,
                enrolment=enrolment,
                erased_at=None,
                consecutive_failures=0,
                locked_until=None,
            )
        )
        return _rowcount(result) == 1

    def replace_reference(self, pk: int, reference_key: str, at: datetime) -> None:
        self._session.execute(
            update(User).where(User.id == pk).values(reference_key=reference_key, registered_at=at)
        )

    def record_decision(
        self, pk: int, consecutive_failures: int, locked_until: datetime | None
    ) -> None:
        self._session.execute(
            update(User)
            .where(User.id == pk)
            .values(consecutive_failures=consecutive_failures, locked_until=locked_until)
        )

    def unregister(self, pk: int, at: datetime) -> None:
        self._session.execute(
            update(User)
            .where(User.id == pk)
            .values(
                reference_key=None,
                registered_at=None,
                erased_at=at,
                consecutive_failures=0,
                locked_until=None,
            )
        )


class SqlRunRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, run: NewRun) -> None:
        self._session.add(
            Run(
                run_id=run.run_id,
                user_pk=run.user_pk,
                enrolment=run.enrolment,
                kind=run.kind.value,
                result=run.result.value if run.result else None,
                similarity=run.similarity,
                threshold=run.threshold,
                image_key=run.image_key,
                image_version_id=run.image_version_id,
                error_code=run.error_code,
                request_id=run.request_id,
                engine=run.engine,
                liveness_session_id=run.liveness_session_id,
                liveness_confidence=run.liveness_confidence,
                created_at=run.created_at,
            )
        )

    def last_verification(self, user_pk: int, enrolment: int) -> LastVerification | None:
        row = self._session.scalars(
            select(Run)
            .where(
                Run.user_pk == user_pk,
                Run.enrolment == enrolment,
                Run.kind == RunKind.VERIFICATION.value,
            )
            .order_by(Run.created_at.desc(), Run.id.desc())
            .limit(1)
        ).one_or_none()
        if row is None:
            return None
        return LastVerification(
            run_id=row.run_id,
            result=Decision(row.result) if row.result else None,
            similarity=row.similarity,
            error_code=row.error_code,
            verified_at=row.created_at,
        )

    def unpurged_images(self, user_pk: int, up_to_enrolment: int) -> list[RunImage]:
        rows = self._session.execute(
            select(Run.run_id, Run.image_key, Run.image_version_id).where(
                Run.user_pk == user_pk,
                Run.enrolment <= up_to_enrolment,
                Run.purged_at.is_(None),
                Run.image_key.is_not(None),
            )
        )
        return [
            RunImage(row.run_id, StoredObject(row.image_key, row.image_version_id)) for row in rows
        ]

    def mark_purged(self, run_ids: Sequence[str], at: datetime) -> None:
        if run_ids:
            self._session.execute(
                update(Run)
                .where(Run.run_id.in_(list(run_ids)), Run.purged_at.is_(None))
                .values(purged_at=at)
            )

    def mark_image_purged(self, image_key: str, at: datetime) -> None:
        self._session.execute(
            update(Run)
            .where(Run.image_key == image_key, Run.purged_at.is_(None))
            .values(purged_at=at)
        )


def _to_pending(row: models.PendingRun) -> PendingRun:
    return PendingRun(
        run_id=row.run_id,
        user_pk=row.user_pk,
        enrolment=row.enrolment,
        kind=RunKind(row.kind),
        image_key=row.image_key,
        created_at=row.created_at,
        expires_at=row.expires_at,
    )


class SqlPendingRunRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, pending: PendingRun) -> None:
        self._session.add(
            models.PendingRun(
                run_id=pending.run_id,
                user_pk=pending.user_pk,
                enrolment=pending.enrolment,
                kind=pending.kind.value,
                image_key=pending.image_key,
                created_at=pending.created_at,
                expires_at=pending.expires_at,
            )
        )
        # Written now, so a failure shows here and not at commit.
        self._session.flush()

    def live_verifications(self, user_pk: int, now: datetime) -> list[PendingRun]:
        rows = self._session.scalars(
            select(models.PendingRun).where(
                models.PendingRun.user_pk == user_pk,
                models.PendingRun.kind == RunKind.VERIFICATION.value,
                models.PendingRun.expires_at > now,
            )
        )
        return [_to_pending(row) for row in rows]

    def of_user(self, user_pk: int, up_to_enrolment: int) -> list[PendingRun]:
        rows = self._session.scalars(
            select(models.PendingRun).where(
                models.PendingRun.user_pk == user_pk,
                models.PendingRun.enrolment <= up_to_enrolment,
            )
        )
        return [_to_pending(row) for row in rows]

    def settle(self, run_id: str, now: datetime) -> bool:
        result = self._session.execute(
            delete(models.PendingRun).where(
                models.PendingRun.run_id == run_id, models.PendingRun.expires_at > now
            )
        )
        return _rowcount(result) == 1

    def forget(self, run_ids: Sequence[str]) -> None:
        if run_ids:
            self._session.execute(
                delete(models.PendingRun).where(models.PendingRun.run_id.in_(list(run_ids)))
            )

    def abandon(self, run_id: str, now: datetime) -> None:
        self._session.execute(
            update(models.PendingRun)
            .where(models.PendingRun.run_id == run_id, models.PendingRun.expires_at > now)
            .values(expires_at=now)
        )


def _to_session(row: models.LivenessSession) -> LivenessSession:
    return LivenessSession(
        session_id=row.session_id,
        user_id=row.user_id,
        created_at=row.created_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
    )


class SqlLivenessSessionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, liveness: LivenessSession) -> None:
        self._session.add(
            models.LivenessSession(
                session_id=liveness.session_id,
                user_id=liveness.user_id,
                created_at=liveness.created_at,
                expires_at=liveness.expires_at,
            )
        )
        self._session.flush()

    def get(self, session_id: str) -> LivenessSession | None:
        row = self._session.get(models.LivenessSession, session_id)
        return _to_session(row) if row else None

    def use(
        self,
        session_id: str,
        user_id: str,
        at: datetime,
        run_id: str | None,
        retained_as: Decision,
    ) -> bool:
        table = models.LivenessSession
        result = self._session.execute(
            update(table)
            .where(
                table.session_id == session_id,
                table.user_id == user_id,
                table.used_at.is_(None),
                table.purged_at.is_(None),
            )
            .values(used_at=at, used_by_run_id=run_id, retained_as=retained_as.value)
        )
        return _rowcount(result) == 1

    def of_user(self, user_id: str, created_up_to: datetime) -> list[LivenessSession]:
        table = models.LivenessSession
        rows = self._session.scalars(
            select(table).where(
                table.user_id == user_id,
                table.created_at <= created_up_to,
                table.purged_at.is_(None),
            )
        )
        return [_to_session(row) for row in rows]

    def mark_erased(self, session_ids: Sequence[str], at: datetime) -> None:
        if session_ids:
            table = models.LivenessSession
            self._session.execute(
                update(table)
                .where(table.session_id.in_(list(session_ids)))
                .values(purged_at=at, used_at=func.coalesce(table.used_at, at))
            )
