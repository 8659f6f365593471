"""The compare API wired to the real MariaDB, moto S3 and a scripted face engine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest

from compare import handler
from faceauth.adapters.s3_store import S3ImageStore
from faceauth.db.session import Database
from faceauth.domain.services import FaceAuthService
from faceauth.settings import Settings
from faceauth.wiring import build_service
from tests.fakes import ScriptedFaceEngine


@dataclass
class FakeClock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 26, 12, 0, 0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Stack:
    service: FaceAuthService
    engine: ScriptedFaceEngine
    s3: Any
    database: Database
    clock: FakeClock
    settings: Settings


def make_service(
    settings: Settings,
    database: Database,
    images: Any,
    engine: ScriptedFaceEngine,
    clock: FakeClock,
) -> FaceAuthService:
    """The production wiring, with the test's store, engine and clock."""
    return build_service(settings, database=database, images=images, engine=engine, clock=clock)


@pytest.fixture
def stack(
    settings: Settings, database: Database, image_store: S3ImageStore, s3_client: Any
) -> Iterator[Stack]:
    """The handler serving a service on MariaDB + moto S3 with a scripted engine."""
    engine = ScriptedFaceEngine()
    clock = FakeClock()
    service = make_service(settings, database, image_store, engine, clock)
    handler.use_service(service)
    yield Stack(service, engine, s3_client, database, clock, settings)
    handler.use_service(None)
