"""Runs in flight, enrolments and idempotency records (expand only).

- ``pending_runs``: a run announced before its image is stored; the lockout budget counts a
  user's live verifications, erasure waits for a user's, the purge deletes the images of
  expired ones (requests that died between the S3 put and the commit).
- ``users.enrolment`` / ``runs.enrolment``: which registration of the user a run belongs to;
  a registration after an erasure starts the next, so the erased history stays hidden and
  late work of the erased enrolment cannot commit.
- ``idempotency_records``: the first answer to a request with an Idempotency-Key.

Backward compatible with the code before it: new tables, and new columns with defaults that
the previous release never needs to write.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.add_column("users", sa.Column("enrolment", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("runs", sa.Column("enrolment", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "pending_runs",
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("user_pk", Id, nullable=True),
        sa.Column("enrolment", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("image_key", sa.String(128), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(["user_pk"], ["users.id"], name="fk_pending_runs_user_pk_users"),
        sa.PrimaryKeyConstraint("run_id", name="pk_pending_runs"),
    )
    op.create_index(
        "ix_pending_runs_user_pk_kind_expires_at",
        "pending_runs",
        ["user_pk", "kind", "expires_at"],
    )
    op.create_index("ix_pending_runs_expires_at", "pending_runs", ["expires_at"])
    op.create_table(
        "idempotency_records",
        sa.Column("idempotency_key", sa.String(36), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("held_until", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("idempotency_key", name="pk_idempotency_records"),
    )
    op.create_index("ix_idempotency_records_expires_at", "idempotency_records", ["expires_at"])


def downgrade() -> None:
    op.drop_table("idempotency_records")
    op.drop_table("pending_runs")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("enrolment")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("enrolment")
