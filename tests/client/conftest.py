"""Fixtures for the client tests: a fake faceauth API on 127.0.0.1:0."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_api import FakeApi


@pytest.fixture
def api() -> Iterator[FakeApi]:
    fake = FakeApi()
    fake.start()
    yield fake
    fake.stop()
