"""Invoked by the deploy pipeline after `apply`: upgrades the schema to head (or to the
revision given as {"revision": "..."}), and answers with the revision before and after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from faceauth.bootstrap import database_engine
from faceauth.db import migrate
from faceauth.observability import logger
from faceauth.settings import get_settings

# The zip ships db/alembic.ini and db/migrations/ beside this package.
ALEMBIC_INI = Path(__file__).resolve().parents[1] / "db" / "alembic.ini"


def _current_revision(engine: Any) -> str | None:
    with engine.connect() as conn:
        try:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            return str(revision) if revision is not None else None
        except ProgrammingError:  # no alembic_version table yet: an empty database
            return None


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    target = str((event or {}).get("revision", "head"))
    engine = database_engine(get_settings())
    try:
        before = _current_revision(engine)
        migrate.upgrade(engine, target, ALEMBIC_INI if ALEMBIC_INI.exists() else None)
        after = _current_revision(engine)
    finally:
        engine.dispose()
    logger.info("schema migrated", extra={"from_revision": before, "to_revision": after})
    return {"from": before, "to": after}
