"""Face Liveness sessions, and runs that used one (expand only).

- ``liveness_sessions``: each session created for a user (bound to the app's user id, as a
  session may come before the first registration), when it was used and by which run, and
  the retention its images follow.
- ``runs.liveness_session_id`` / ``runs.liveness_confidence``: the session whose reference
  frame was the run's capture, and its confidence (audit only; never sent to clients).
- ``pending_runs.image_key`` becomes nullable: a liveness verification stores no image.

Backward compatible with the code before it: a new table, new nullable columns, and a
column relaxed to nullable that the previous release always fills.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "liveness_sessions",
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.Column("used_at", Timestamp, nullable=True),
        sa.Column("used_by_run_id", sa.String(36), nullable=True),
        sa.Column("retained_as", sa.String(8), nullable=True),
        sa.Column("purged_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("session_id", name="pk_liveness_sessions"),
    )
    op.create_index(
        "ix_liveness_sessions_user_id_created_at", "liveness_sessions", ["user_id", "created_at"]
    )
    op.create_index(
        "ix_liveness_sessions_purge_queue",
        "liveness_sessions",
        ["purged_at", "used_at", "expires_at"],
    )
    op.add_column("runs", sa.Column("liveness_session_id", sa.String(36), nullable=True))
    op.add_column("runs", sa.Column("liveness_confidence", sa.Double(), nullable=True))
    with op.batch_alter_table("pending_runs") as batch:
        batch.alter_column("image_key", existing_type=sa.String(128), nullable=True)


def downgrade() -> None:
    # Liveness verifications in flight have no image to announce; they cannot be kept.
    op.execute("DELETE FROM pending_runs WHERE image_key IS NULL")
    with op.batch_alter_table("pending_runs") as batch:
        batch.alter_column("image_key", existing_type=sa.String(128), nullable=False)
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("liveness_confidence")
        batch.drop_column("liveness_session_id")
    op.drop_table("liveness_sessions")
