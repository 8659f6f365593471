"""The idempotency ledger on the database (table ``idempotency_records``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, Engine, and_, delete, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from faceauth.db.models import IdempotencyRecord
from faceauth.domain.idempotency import Answer
from faceauth.errors import DependencyUnavailable, IdempotencyKeyInUse, IdempotencyKeyReused

_RECORD = IdempotencyRecord


class SqlIdempotencyLedger:
    """Implements faceauth.domain.idempotency.IdempotencyLedger; one transaction per call."""

    def __init__(self, engine: Engine, retry_after_seconds: float = 2) -> None:
        self._engine = engine
        self._retry_after = retry_after_seconds

    def claim(
        self,
        key: str,
        fingerprint: str,
        now: datetime,
        held_until: datetime,
        expires_at: datetime,
    ) -> Answer | None:
        fresh = {
            "fingerprint": fingerprint,
            "status": None,
            "body": None,
            "held_until": held_until,
            "expires_at": expires_at,
        }
        # Each statement commits on its own, so no lock outlives it and racing claims of one
        # key cannot deadlock; the take-over below is a compare-and-set instead.
        with self._autocommit() as conn:
            created = conn.execute(
                insert(_RECORD)
                .prefix_with("IGNORE", dialect="mysql")
                .prefix_with("IGNORE", dialect="mariadb")
                .prefix_with("OR IGNORE", dialect="sqlite")
                .values(idempotency_key=key, **fresh)
            ).rowcount
            if created == 1:
                return None
            row = conn.execute(
                select(_RECORD.fingerprint, _RECORD.status, _RECORD.body, _RECORD.held_until).where(
                    _RECORD.idempotency_key == key, _RECORD.expires_at > now
                )
            ).one_or_none()
            if row is not None and row.fingerprint != fingerprint:
                raise IdempotencyKeyReused
            if row is not None and row.status is not None:
                return Answer(int(row.status), str(row.body or ""))
            if row is not None and row.held_until > now:
                raise IdempotencyKeyInUse(1)
            # Expired, or its first request died without an answer: ours, if still so.
            taken = conn.execute(
                update(_RECORD)
                .where(
                    _RECORD.idempotency_key == key,
                    or_(
                        _RECORD.expires_at <= now,
                        and_(_RECORD.status.is_(None), _RECORD.held_until <= now),
                    ),
                )
                .values(**fresh)
            ).rowcount
        if taken != 1:
            raise IdempotencyKeyInUse(1)
        return None

    def complete(self, key: str, answer: Answer) -> None:
        with self._transaction() as conn:
            conn.execute(
                update(_RECORD)
                .where(_RECORD.idempotency_key == key)
                .values(status=answer.status, body=answer.body)
            )

    def release(self, key: str) -> None:
        with self._transaction() as conn:
            conn.execute(delete(_RECORD).where(_RECORD.idempotency_key == key))

    @contextmanager
    def _autocommit(self) -> Iterator[Connection]:
        try:
            with self._engine.connect() as conn:
                yield conn.execution_options(isolation_level="AUTOCOMMIT")
        except SQLAlchemyError as exc:
            raise DependencyUnavailable("database", self._retry_after) from exc

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        try:
            with self._engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise DependencyUnavailable("database", self._retry_after) from exc
