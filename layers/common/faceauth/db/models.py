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
    created_at: Mapped[datetime] = mapped_column(Timestamp)

    # The purge checks every batch of keys against the current references.
    __table_args__ = (Index("ix_users_reference_key", "reference_key"),)


class Run(Base):
    """One registration or verification; its image is deleted by the purge or by erasure."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(36), unique=True)
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id"))
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
