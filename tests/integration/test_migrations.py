"""Alembic revisions upgrade and downgrade on MariaDB, and the migrate Lambda applies them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from faceauth.db import migrate
from faceauth.db.models import Base
from migrate import handler as migrate_lambda
from tests.api_client import LambdaContextStub
from tests.conftest import TEST_SERVER_URL


@pytest.fixture
def empty_database(db_engine: Engine) -> Iterator[Engine]:
    """A second, empty database on the same MariaDB server (the suite's is already at head)."""
    server = make_url(TEST_SERVER_URL)
    name = f"faceauth_mig_{uuid.uuid4().hex[:8]}"
    with db_engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}`"))
    engine = create_engine(server.set(database=name))
    yield engine
    engine.dispose()
    with db_engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE `{name}`"))


def test_upgrade_creates_the_tables_the_models_describe(empty_database: Engine) -> None:
    migrate.upgrade(empty_database)
    inspector = inspect(empty_database)
    for table in Base.metadata.sorted_tables:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == set(table.columns.keys()), table.name
    index_names = {i["name"] for i in inspector.get_indexes("runs")}
    assert "ix_runs_purge_queue" in index_names


def test_downgrade_to_base_removes_everything_and_upgrade_works_again(
    empty_database: Engine,
) -> None:
    migrate.upgrade(empty_database)
    migrate.downgrade(empty_database, "base")
    assert set(inspect(empty_database).get_table_names()) == {"alembic_version"}
    migrate.upgrade(empty_database)
    assert {"users", "runs"} <= set(inspect(empty_database).get_table_names())


def test_migrate_lambda_reports_the_revisions(
    empty_database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "FACEAUTH_DATABASE_URL", empty_database.url.render_as_string(hide_password=False)
    )
    migrate_lambda.get_settings.cache_clear()
    try:
        answer = migrate_lambda.lambda_handler({}, LambdaContextStub())  # type: ignore[arg-type]
    finally:
        migrate_lambda.get_settings.cache_clear()
    assert answer["from"] is None
    assert answer["to"] == migrate_head()


def migrate_head() -> str:
    return str(ScriptDirectory.from_config(migrate.alembic_config()).get_current_head())


def test_the_models_and_the_migrations_describe_the_same_schema(db_engine: Engine) -> None:
    # Given the suite's database, migrated to head
    with db_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        # When Alembic compares it with the SQLAlchemy models
        differences = compare_metadata(context, Base.metadata)
    # Then there is nothing a new revision would have to change
    assert differences == []
