"""The client refuses an image over the API's limit before sending it, as IMAGE_TOO_LARGE."""

from __future__ import annotations

import pytest
from fake_api import VERIFICATION, FakeApi

from faceauth.settings import Settings
from faceauth_client import Client, ImageTooLargeError
from faceauth_client.client import DEFAULT_MAX_IMAGE_BYTES

LIMIT = 4 * 1024 * 1024


def test_default_limit_is_the_apis_default() -> None:
    # Given the API's default FACEAUTH_MAX_IMAGE_BYTES
    api_default = Settings.model_fields["max_image_bytes"].default
    # When the client's default is compared with it
    # Then they are the same 4 MiB
    assert DEFAULT_MAX_IMAGE_BYTES == api_default == LIMIT


def test_image_at_the_limit_is_sent(api: FakeApi) -> None:
    # Given an image of exactly 4 MiB
    api.reply(200, VERIFICATION)
    # When it is verified
    Client(api.base_url, "k", timeout=10).verify("alice", b"\xff" * LIMIT)
    # Then it was sent
    assert len(api.requests) == 1


@pytest.mark.parametrize("call", ["register", "replace_reference", "verify"])
def test_image_over_the_limit_is_refused_before_sending(api: FakeApi, call: str) -> None:
    # Given an image one byte over 4 MiB
    client = Client(api.base_url, "k")
    # When it is sent
    with pytest.raises(ImageTooLargeError) as caught:
        getattr(client, call)("alice", b"\xff" * (LIMIT + 1))
    # Then the client raised the API's IMAGE_TOO_LARGE, not retryable, and sent nothing
    assert (caught.value.code, caught.value.status) == ("IMAGE_TOO_LARGE", 413)
    assert not caught.value.retryable
    assert str(LIMIT + 1) in caught.value.message
    assert api.requests == []


def test_limit_is_configurable(api: FakeApi) -> None:
    # Given a client for an API configured with a 1 KiB limit
    client = Client(api.base_url, "k", max_image_bytes=1024)
    # When a 1025-byte image is verified
    # Then it is refused without a request
    with pytest.raises(ImageTooLargeError):
        client.verify("alice", b"\xff" * 1025)
    assert api.requests == []


def test_413_from_a_server_that_stops_reading_is_image_too_large(api: FakeApi) -> None:
    # Given a server with a lower limit that answers 413 before reading the body, then closes
    api.error(413, "IMAGE_TOO_LARGE", read_body=False)
    client = Client(api.base_url, "k", max_image_bytes=8 * 1024 * 1024)
    # When a 6 MiB image is registered
    # Then the server's answer is raised, not a broken connection
    with pytest.raises(ImageTooLargeError) as caught:
        client.register("alice", b"\xff" * (6 * 1024 * 1024))
    assert caught.value.message == "IMAGE_TOO_LARGE happened"
    assert len(api.requests) == 1
