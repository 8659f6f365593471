"""Apply or roll back the Alembic migrations in db/ (tests, `make run`, the migrate Lambda)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

# The repo keeps db/ beside layers/; the migrate Lambda zip ships it at its root.
_CANDIDATES = (
    Path(__file__).resolve().parents[4] / "db" / "alembic.ini",
    Path.cwd() / "db" / "alembic.ini",
)


def alembic_config(ini_path: Path | None = None) -> Config:
    path = ini_path or next((p for p in _CANDIDATES if p.exists()), None)
    if path is None:
        raise FileNotFoundError("db/alembic.ini not found next to the code or the working dir")
    return Config(str(path))


def upgrade(engine: Engine, revision: str = "head", ini_path: Path | None = None) -> None:
    config = alembic_config(ini_path)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base", ini_path: Path | None = None) -> None:
    config = alembic_config(ini_path)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
