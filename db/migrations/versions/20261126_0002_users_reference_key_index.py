"""Index users.reference_key: the purge checks every batch of keys it is about to delete
against the current references, and must never delete one.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_users_reference_key", "users", ["reference_key"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_users_reference_key", table_name="users")
