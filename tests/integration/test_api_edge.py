"""Hostile and unusual bodies at the edge: only a JSON object is a request, no body shape is
a 500, and the two image encodings real clients produce are accepted (issue 10, items 1-2)."""

from __future__ import annotations

import base64
import json

import pytest

from tests.api_client import call_api, image_json
from tests.conftest import object_keys
from tests.images import jpeg, png
from tests.integration.conftest import Stack
from tests.integration.db_queries import runs, users

REGISTER = "/users/alice/registration"
VERIFY = "/users/alice/verification"


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


# -- only a JSON object is a request ----------------------------------------------------------


def test_an_array_holding_a_valid_request_registers_nobody(stack: Stack) -> None:
    # Given a JSON array whose first element would be a valid registration
    body = json.dumps([image_json(jpeg())])
    # When it is sent
    answer = call_api("POST", REGISTER, raw_body=body)
    # Then it is refused as not an object, and nothing is stored
    assert (answer.status, answer.error_code) == (400, "INVALID_REQUEST")
    assert "JSON object" in answer.body["error"]["message"]
    assert (users(stack.database), object_keys(stack.s3)) == ([], [])


def test_an_array_of_two_images_decides_nothing(stack: Stack) -> None:
    # Given alice registered, and an array of two candidate selfies
    assert call_api("POST", REGISTER, json_body=image_json(jpeg())).status == 201
    body = json.dumps([image_json(jpeg()), image_json(png())])
    # When it is sent for verification
    answer = call_api("POST", VERIFY, raw_body=body)
    # Then no verification ran
    assert (answer.status, answer.error_code) == (400, "INVALID_REQUEST")
    assert stack.engine.compared == []
    assert len(runs(stack.database)) == 1


@pytest.mark.parametrize(
    ("body", "kind"),
    [('"an image"', "a string"), ("42", "a number"), ("null", "null"), ("true", "a boolean")],
)
def test_a_scalar_body_is_400_saying_what_it_was(stack: Stack, body: str, kind: str) -> None:
    answer = call_api("POST", REGISTER, raw_body=body)
    assert (answer.status, answer.error_code) == (400, "INVALID_REQUEST")
    assert kind in answer.body["error"]["message"]


@pytest.mark.parametrize("depth", [100, 1_000, 100_000])
def test_deeply_nested_json_is_400_never_500(stack: Stack, depth: int) -> None:
    # Given a small body nested `depth` levels deep
    body = '{"image": ' + "[" * depth + "]" * depth + "}"
    # When it is sent
    answer = call_api("POST", REGISTER, raw_body=body)
    # Then it is a client error
    assert (answer.status, answer.error_code) == (400, "INVALID_REQUEST")


def test_a_number_with_thousands_of_digits_is_400_never_500(stack: Stack) -> None:
    answer = call_api("POST", REGISTER, raw_body='{"image": ' + "9" * 5000 + "}")
    assert (answer.status, answer.error_code) == (400, "INVALID_REQUEST")


# -- the image encodings real clients produce -------------------------------------------------


@pytest.mark.parametrize(
    ("encode", "form"),
    [
        (lambda image: "data:image/jpeg;base64," + b64(image), "a canvas data URL"),
        (lambda image: "DATA:Image/JPEG;BASE64," + b64(image), "a data URL in capitals"),
        (lambda image: base64.encodebytes(image).decode(), "76-character lines"),
        (lambda image: base64.encodebytes(image).decode().replace("\n", "\r\n"), "CRLF lines"),
        (lambda image: "  " + b64(image) + "\n", "surrounding whitespace"),
    ],
)
def test_the_encodings_clients_produce_are_accepted(
    stack: Stack, encode: object, form: str
) -> None:
    # Given a JPEG encoded the way a real client does it
    image = jpeg()
    body = {"image": encode(image)}  # type: ignore[operator]
    # When it is registered
    answer = call_api("POST", REGISTER, json_body=body)
    # Then it is stored byte for byte
    assert answer.status == 201, form
    (key,) = object_keys(stack.s3)
    assert stack.s3.get_object(Bucket=stack.settings.images_bucket, Key=key)["Body"].read() == image


def test_a_png_data_url_is_accepted(stack: Stack) -> None:
    answer = call_api("POST", REGISTER, json_body={"image": "data:image/png;base64," + b64(png())})
    assert answer.status == 201
    assert object_keys(stack.s3)[0].endswith(".png")


@pytest.mark.parametrize(
    ("image", "says"),
    [
        (base64.urlsafe_b64encode(b"\xfb\xff" * 300).decode(), "base64url"),
        (b64(jpeg()).rstrip("=")[:-1], "padding"),
        ("data:image/gif;base64," + b64(jpeg()), "'image/gif'"),
        ("data:text/html;base64," + b64(jpeg()), "'text/html'"),
        ("data:image/jpeg," + b64(jpeg()), ";base64"),
        ("data:image/jpeg;base64" + b64(jpeg()), "comma"),
        ("not base64!", "characters outside"),
    ],
)
def test_other_encodings_are_400_invalid_base64_saying_what_was_found(
    stack: Stack, image: str, says: str
) -> None:
    answer = call_api("POST", REGISTER, json_body={"image": image})
    assert (answer.status, answer.error_code) == (400, "INVALID_BASE64")
    assert says in answer.body["error"]["message"]
    assert object_keys(stack.s3) == []
