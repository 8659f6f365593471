"""Tables of faceauth. Timestamps are naive UTC with microseconds (DATETIME(6) on MySQL)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on MySQL, INTEGER on SQLite (where only INTEGER PRIMARY KEY autoincrements).
Id = BigInteger().with_variant(Integer(), "sqlite")
Timestamp = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    # The app's own user id, validated against an allowlist at the API edge.
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    reference_key: Mapped[str | None] = mapped_column(String(128))
    registered_at: Mapped[datetime | None] = mapped_column(Timestamp)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(Timestamp)
    erased_at: Mapped[datetime | None] = mapped_column(Timestamp)
    # Which registration of the user this is: a registration after an erasure starts the
    # next one, so runs and work in flight of the erased one are told apart.
    enrolment: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(Timestamp)

    # The purge checks every batch of keys against the current references.
    __table_args__ = (Index("ix_users_reference_key", "reference_key"),)


class Run(Base):
    """One registration or verification; its image is deleted by the purge or by erasure."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(36), unique=True)
    # users.id, not the app's user id (users.external_id). The column keeps its first name:
    # renaming it would be a destructive (contract) migration for a name only.
    user_pk: Mapped[int] = mapped_column("user_id", Id, ForeignKey("users.id"))
    enrolment: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    kind: Mapped[str] = mapped_column(String(16))
    result: Mapped[str | None] = mapped_column(String(8))
    similarity: Mapped[float | None] = mapped_column(Double)
    threshold: Mapped[float | None] = mapped_column(Double)
    image_key: Mapped[str | None] = mapped_column(String(128))
    # The S3 version PutObject returned (up to 1024 bytes): the purge deletes it directly.
    image_version_id: Mapped[str | None] = mapped_column(String(1024))
    error_code: Mapped[str | None] = mapped_column(String(32))
    request_id: Mapped[str | None] = mapped_column(String(64))
    engine: Mapped[str | None] = mapped_column(String(16))
    # The Face Liveness session whose reference frame was the capture, and its confidence
    # (kept for audit, never sent to the client).
    liveness_session_id: Mapped[str | None] = mapped_column(String(36))
    liveness_confidence: Mapped[float | None] = mapped_column(Double)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    purged_at: Mapped[datetime | None] = mapped_column(Timestamp)

    __table_args__ = (
        # The purge walks unpurged rows by (created_at, id): equality on kind and purged_at,
        # then a range and keyset order on the rest, with no filesort and no OFFSET.
        Index("ix_runs_purge_queue", "kind", "purged_at", "created_at", "id"),
        # Status and erasure look up a user's runs, newest first.
        Index("ix_runs_user_created", "user_id", "created_at"),
        Index("ix_runs_image_key", "image_key"),
    )


class PendingRun(Base):
    """A run in flight: recorded before its image is stored, deleted in the transaction that
    records the run (or once its image is removed). See faceauth.domain.model.PendingRun."""

    __tablename__ = "pending_runs"

    run_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # NULL for a first registration: the user row is created with the run.
    user_pk: Mapped[int | None] = mapped_column(Id, ForeignKey("users.id"))
    enrolment: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    # NULL when the run stores no image of its own (a liveness verification).
    image_key: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)

    __table_args__ = (
        # The lockout budget counts a user's live verifications; erasure lists a user's.
        Index("ix_pending_runs_user_pk_kind_expires_at", "user_pk", "kind", "expires_at"),
        # The purge sweeps expired ones, oldest first.
        Index("ix_pending_runs_expires_at", "expires_at"),
    )


class IdempotencyRecord(Base):
    """The first answer to a request sent with an Idempotency-Key, replayed to its retries."""

    __tablename__ = "idempotency_records"

    idempotency_key: Mapped[str] = mapped_column(String(36), primary_key=True)
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # NULL while the first request runs; its answer once it has one worth replaying.
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    # Until then the first request may still be running (its deadline plus a grace).
    held_until: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)

    __table_args__ = (Index("ix_idempotency_records_expires_at", "expires_at"),)


class LivenessSession(Base):
    """A Face Liveness session created for a user; its images live under
    ``liveness/<session_id>/`` until the purge or an erasure deletes them."""

    __tablename__ = "liveness_sessions"

    session_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # The app's user id: a session may precede the user's first registration.
    user_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    used_at: Mapped[datetime | None] = mapped_column(Timestamp)
    used_by_run_id: Mapped[str | None] = mapped_column(String(36))
    # The retention its images follow: the outcome of the run that used it (PASS or FAIL).
    retained_as: Mapped[str | None] = mapped_column(String(8))
    purged_at: Mapped[datetime | None] = mapped_column(Timestamp)

    __table_args__ = (
        Index("ix_liveness_sessions_user_id_created_at", "user_id", "created_at"),
        # The purge walks unpurged sessions by when they were used (or created).
        Index("ix_liveness_sessions_purge_queue", "purged_at", "used_at", "expires_at"),
    )
