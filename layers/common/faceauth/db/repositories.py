"""Repositories: take a session, never commit, map rows to domain records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from faceauth.db.models import Run, User
from faceauth.domain.model import Decision, LastVerification, NewRun, RunKind, UserRecord
from faceauth.errors import AlreadyRegistered


def _to_record(row: User) -> UserRecord:
    return UserRecord(
        pk=row.id,
        user_id=row.external_id,
        reference_key=row.reference_key,
        registered_at=row.registered_at,
        consecutive_failures=row.consecutive_failures,
        locked_until=row.locked_until,
    )


class SqlUserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, user_id: str, *, for_update: bool = False) -> UserRecord | None:
        query = select(User).where(User.external_id == user_id)
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
            created_at=at,
        )
        self._session.add(row)
        try:
            # The unique key decides a race between two first registrations.
            self._session.flush()
        except IntegrityError as exc:
            raise AlreadyRegistered from exc
        return _to_record(row)

    def register_existing(self, pk: int, reference_key: str, at: datetime) -> bool:
        result = self._session.execute(
            update(User)
            .where(User.id == pk, User.reference_key.is_(None))
            .values(
                reference_key=reference_key,
                registered_at=at,
                erased_at=None,
                consecutive_failures=0,
                locked_until=None,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

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

    def erase(self, pk: int, at: datetime) -> None:
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
                user_id=run.user_pk,
                kind=run.kind.value,
                result=run.result.value if run.result else None,
                similarity=run.similarity,
                threshold=run.threshold,
                image_key=run.image_key,
                image_version_id=run.image_version_id,
                error_code=run.error_code,
                request_id=run.request_id,
                engine=run.engine,
                created_at=run.created_at,
            )
        )

    def last_verification(self, user_pk: int) -> LastVerification | None:
        row = self._session.scalars(
            select(Run)
            .where(Run.user_id == user_pk, Run.kind == RunKind.VERIFICATION.value)
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

    def unpurged_image_keys(self, user_pk: int) -> list[str]:
        keys = self._session.scalars(
            select(Run.image_key).where(
                Run.user_id == user_pk, Run.purged_at.is_(None), Run.image_key.is_not(None)
            )
        )
        return [key for key in keys if key]

    def mark_user_images_purged(self, user_pk: int, at: datetime) -> int:
        result = self._session.execute(
            update(Run).where(Run.user_id == user_pk, Run.purged_at.is_(None)).values(purged_at=at)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def mark_image_purged(self, image_key: str, at: datetime) -> None:
        self._session.execute(
            update(Run)
            .where(Run.image_key == image_key, Run.purged_at.is_(None))
            .values(purged_at=at)
        )
