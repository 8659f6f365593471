"""The local stack's SQLite with several writer processes (`make run WORKERS=N`): build_engine
serialises transactions, so a read-modify-write in one process never overwrites another's."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from threading import Barrier

from sqlalchemy import text

from faceauth.db.session import build_engine

PROCESSES = 4
INCREMENTS = 50


def _increment(database_url: str, start: Barrier) -> None:
    """One worker process: its own engine, released with the others, then INCREMENTS
    transactions that each read the counter and write it back plus one."""
    engine = build_engine(database_url)
    start.wait()
    for _ in range(INCREMENTS):
        with engine.begin() as conn:
            value = conn.execute(text("SELECT value FROM counter")).scalar_one()
            conn.execute(text("UPDATE counter SET value = :value"), {"value": value + 1})
    engine.dispose()


def test_read_modify_writes_from_several_processes_lose_no_update(tmp_path: Path) -> None:
    # Given a counter at 0 in a SQLite file
    database_url = f"sqlite:///{tmp_path / 'faceauth.db'}"
    engine = build_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (value INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))

    # When four processes increment it at the same time, each through its own engine
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    workers = [
        context.Process(target=_increment, args=(database_url, start)) for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    # Then every increment is counted
    assert [worker.exitcode for worker in workers] == [0] * PROCESSES
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM counter")).scalar_one() == (
            PROCESSES * INCREMENTS
        )
    engine.dispose()
