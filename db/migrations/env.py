"""Alembic environment: online migrations only, on the caller's connection when given."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from faceauth.bootstrap import database_engine
from faceauth.db.models import Base
from faceauth.settings import get_settings

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = database_engine(get_settings())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


run_migrations_online()
