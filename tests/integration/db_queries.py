"""Reads the test database directly, to check what the API really wrote."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from faceauth.db.session import Database


def rows(database: Database, sql: str, **params: Any) -> list[dict[str, Any]]:
    with database.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(text(sql), params)]


def runs(database: Database) -> list[dict[str, Any]]:
    return rows(database, "SELECT * FROM runs ORDER BY id")


def users(database: Database) -> list[dict[str, Any]]:
    return rows(database, "SELECT * FROM users ORDER BY id")
