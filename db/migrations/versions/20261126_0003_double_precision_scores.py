"""Store similarity and threshold as double precision.

A single-precision FLOAT reads 90.1 back as 90.0999984..., which the status endpoint
would show and which makes "exactly at the threshold" comparisons fragile.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("similarity", "threshold")


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        for column in _COLUMNS:
            batch.alter_column(
                column, type_=sa.Double(), existing_type=sa.Float(), existing_nullable=True
            )


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        for column in _COLUMNS:
            batch.alter_column(
                column, type_=sa.Float(), existing_type=sa.Double(), existing_nullable=True
            )
