"""Record the S3 version id of each run's image.

In a versioned bucket the purge then deletes ``(key, version id)`` directly instead of
listing each key's versions first. Nullable: rows written before this revision have none
and are still deleted by listing.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # S3 version ids are opaque strings of up to 1024 bytes.
    op.add_column("runs", sa.Column("image_version_id", sa.String(1024), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("image_version_id")
