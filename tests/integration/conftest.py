"""The compare API wired to the real MariaDB, moto S3 and a scripted face engine."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from compare import handler
from faceauth import bootstrap
from faceauth.adapters.s3_store import S3ImageStore
from faceauth.db.session import Database
from faceauth.domain.liveness import LivenessPolicy
from faceauth.domain.ports import ImageStore
from faceauth.domain.services import FaceAuthService
from faceauth.settings import Settings
from tests.fakes import FakeClock, ScriptedFaceEngine

__all__ = ["FakeClock", "Stack", "serve"]


@dataclass
class Stack:
    service: FaceAuthService
    engine: ScriptedFaceEngine
    s3: Any
    database: Database
    clock: FakeClock
    settings: Settings
    images: ImageStore


def serve(
    settings: Settings,
    database: Database,
    images: ImageStore,
    engine: ScriptedFaceEngine,
    clock: FakeClock,
    liveness: LivenessPolicy | None = None,
) -> bootstrap.CompareDependencies:
    """The production wiring with the test's store, engine and clock, served by the handler
    (through Powertools' dependency_overrides)."""
    dependencies = bootstrap.compare_dependencies(
        settings, db=database, images=images, engine=engine, liveness=liveness, clock=clock
    )
    handler.app.dependency_overrides[handler.compare_dependencies] = lambda: dependencies
    return dependencies


@pytest.fixture
def stack(
    settings: Settings, database: Database, image_store: S3ImageStore, s3_client: Any
) -> Iterator[Stack]:
    """The handler serving a service on MariaDB + moto S3 with a scripted engine."""
    engine = ScriptedFaceEngine()
    clock = FakeClock()
    dependencies = serve(settings, database, image_store, engine, clock)
    yield Stack(dependencies.service, engine, s3_client, database, clock, settings, image_store)
    handler.app.dependency_overrides.clear()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The handler fuzz's numbers (test_handler_fuzz.py records them per shard, also from
    xdist workers): requests, time and rate, and what was answered."""
    shards = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", [])
        if name == "fuzz"
    ]
    if not shards:
        return
    requests = sum(shard["requests"] for shard in shards)
    seconds = max(shard["seconds"] for shard in shards)  # the shards ran side by side
    answers: Counter[str] = Counter()
    for shard in sorted(shards, key=lambda shard: shard["shard"]):
        answers.update(shard["answers"])
        terminalreporter.write_line(
            f"fuzz shard {shard['shard']}: seed {shard['seed']}, {shard['scenarios']} "
            f"scenarios, {shard['requests']} requests in {shard['seconds']} s"
        )
    terminalreporter.write_line(
        f"fuzz: {requests} requests in {seconds} s, {requests / max(seconds, 0.001):.0f} "
        f"requests/s; answers: {dict(answers.most_common())}"
    )
