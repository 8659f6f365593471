"""Logs and metrics carry counts and codes: never image bytes, never a raw user id."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator

import pytest

from faceauth.errors import DependencyUnavailable
from faceauth.observability import logger, user_ref
from tests.api_client import call_api, image_json
from tests.images import jpeg
from tests.integration.conftest import Stack

USER = "Very_Identifiable_User_42"


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Everything the shared Powertools logger writes, as the Lambda would print it."""
    buffer = io.StringIO()
    previous = logger.registered_handler.setStream(buffer)  # type: ignore[attr-defined]
    yield buffer
    logger.registered_handler.setStream(previous)  # type: ignore[attr-defined]


def test_no_log_line_contains_image_bytes_or_the_user_id(
    stack: Stack, log_stream: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a full register / verify / fail / error / erase cycle
    image = jpeg(320, 240, "teal")
    encoded = base64.b64encode(image).decode()
    call_api("POST", f"/users/{USER}/registration", json_body=image_json(image))
    call_api("POST", f"/users/{USER}/verification", json_body=image_json(image))
    stack.engine.compare_error = DependencyUnavailable("face_engine")
    call_api("POST", f"/users/{USER}/verification", json_body=image_json(image))
    call_api("POST", f"/users/{USER}/registration", json_body={"image": "!!"})
    call_api("DELETE", f"/users/{USER}/registration")
    # When we read everything the handler printed (logs and EMF metrics)
    printed = log_stream.getvalue() + capsys.readouterr().out  # logs + EMF metrics
    lines = [line for line in printed.splitlines() if line.strip()]
    # Then there were log lines, and none holds the image, a slice of it, or the user id
    assert any('"verification decided"' in line for line in lines)
    assert any(
        json.loads(line).get("user_ref") == user_ref(USER) for line in lines if line.startswith("{")
    )
    for line in lines:
        assert USER not in line
        assert encoded[100:160] not in line
        assert "captures/" not in line
        assert "references/" not in line
