"""The one engine/session factory and the unit of work at the request boundary."""

from __future__ import annotations

import json
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from faceauth.db.repositories import (
    SqlLivenessSessionRepository,
    SqlPendingRunRepository,
    SqlRunRepository,
    SqlUserRepository,
)
from faceauth.errors import DependencyUnavailable


def url_from_secret(
    secret_arn: str, *, host: str | None, port: int, name: str, max_age_seconds: int
) -> URL:
    """The URL built from the RDS Secrets Manager secret (cached by Powertools for
    ``max_age_seconds``); explicit host/port/name win over the secret's."""
    from aws_lambda_powertools.utilities import parameters  # noqa: PLC0415 - AWS only

    secret: Any = parameters.get_secret(secret_arn, max_age=max_age_seconds)
    values = json.loads(secret)
    return URL.create(
        "mysql+pymysql",
        username=values["username"],
        password=values["password"],
        host=host or values.get("host"),
        port=int(port or values.get("port", 3306)),
        database=name or values.get("dbname"),
    )


def build_engine(
    url: URL | str,
    *,
    connect_timeout_seconds: int = 3,
    require_tls: bool = False,
    tls_ca_path: str | None = None,
) -> Engine:
    """An engine sized for Lambda: one warm connection per container, checked before use."""
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        # The local stack, where several processes may write (`make run WORKERS=N`). SQLite
        # has no row locks, so every transaction starts with BEGIN IMMEDIATE: it takes the
        # write lock at once and the next one waits (10 s busy timeout): transactions run one
        # after the other and no read-modify-write is lost. SQLAlchemy's pysqlite recipe:
        # the driver's own BEGIN is off (isolation_level None), the "begin" event emits ours.
        engine = create_engine(url, connect_args={"timeout": 10})

        @event.listens_for(engine, "connect")
        def _sqlite_connection(conn: Any, _record: Any) -> None:
            conn.isolation_level = None
            cursor = conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # No fsync per commit (under the write lock, it halved WORKERS=2's gain): in WAL
            # mode a commit still survives a crash of the process, not one of the machine.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    timeout = connect_timeout_seconds
    connect_args: dict[str, Any] = {
        "connect_timeout": timeout,
        "read_timeout": 10,
        "write_timeout": 10,
        "charset": "utf8mb4",
    }
    if require_tls:
        # RDS enforces TLS (require_secure_transport); verify against the CA when shipped.
        connect_args["ssl"] = {"ca": tls_ca_path} if tls_ca_path else {"check_hostname": False}
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=1,
        max_overflow=2,
        pool_timeout=timeout,
        pool_recycle=280,  # below RDS Proxy / MySQL idle timeouts
        connect_args=connect_args,
    )


class SqlUnitOfWork:
    """One transaction. Rolls back unless commit() ran; database faults become
    DependencyUnavailable so callers answer 503 instead of a stack trace."""

    users: SqlUserRepository
    runs: SqlRunRepository
    pending: SqlPendingRunRepository
    liveness: SqlLivenessSessionRepository

    def __init__(self, factory: sessionmaker[Session], retry_after_seconds: int = 2) -> None:
        self._factory = factory
        self._retry_after = retry_after_seconds

    def __enter__(self) -> SqlUnitOfWork:
        self._session = self._factory()
        self.users = SqlUserRepository(self._session)
        self.runs = SqlRunRepository(self._session)
        self.pending = SqlPendingRunRepository(self._session)
        self.liveness = SqlLivenessSessionRepository(self._session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._session.rollback()
            self._session.close()
        except SQLAlchemyError:
            self._session.invalidate()
        if isinstance(exc, SQLAlchemyError) and not isinstance(exc, IntegrityError):
            raise DependencyUnavailable("database", self._retry_after) from exc

    def commit(self) -> None:
        self._session.commit()

    def ping(self) -> None:
        self._session.execute(text("SELECT 1"))


class Database:
    """Owns the engine; hands out units of work. Create once per container."""

    def __init__(self, engine: Engine, retry_after_seconds: int = 2) -> None:
        self.engine = engine
        self._factory = sessionmaker(engine, expire_on_commit=False)
        self._retry_after = retry_after_seconds

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._factory, self._retry_after)


__all__ = ["DBAPIError", "Database", "SqlUnitOfWork", "build_engine", "url_from_secret"]
