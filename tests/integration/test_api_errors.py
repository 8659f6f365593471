"""Every client error code, triggered by a request, with nothing stored."""

from __future__ import annotations

import base64

import pytest

from compare import handler
from faceauth_local.events import proxy_event
from tests.api_client import LambdaContextStub, call_api, image_json
from tests.conftest import object_keys
from tests.images import jpeg, pixel_bomb_png, truncated_jpeg
from tests.integration.conftest import Stack
from tests.integration.db_queries import runs, users

REGISTER = "/users/alice/registration"


def assert_error(answer: object, status: int, code: str) -> None:
    assert (answer.status, answer.error_code) == (status, code), answer.body  # type: ignore[attr-defined]
    assert answer.body["error"]["message"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("raw_body", "why"),
    [
        ('{"image": ', "malformed JSON"),
        ("", "empty body"),
        ("{}", "missing field"),
        ('{"image": ""}', "empty image"),
        ('{"image": "aGVsbG8=", "extra": 1}', "unknown field"),
        ('["image"]', "not an object"),
        (b"D\xff\xfe", "not UTF-8: arrives base64-encoded and cannot be decoded to text"),
    ],
)
def test_malformed_bodies_are_400_invalid_request(
    stack: Stack, raw_body: str | bytes, why: str
) -> None:
    answer = call_api("POST", REGISTER, raw_body=raw_body)
    assert_error(answer, 400, "INVALID_REQUEST")
    assert object_keys(stack.s3) == [], why


@pytest.mark.parametrize("user_id", ["a.b", "x" * 65, "%2E%2E", "a%2Fb", "al ice"])
def test_user_ids_outside_the_allowlist_are_400(stack: Stack, user_id: str) -> None:
    answer = call_api("POST", f"/users/{user_id}/registration", json_body=image_json(jpeg()))
    assert_error(answer, 400, "INVALID_REQUEST")
    assert users(stack.database) == []


def test_image_that_is_not_base64_is_400_invalid_base64(stack: Stack) -> None:
    answer = call_api("POST", REGISTER, json_body={"image": "not base64!"})
    assert_error(answer, 400, "INVALID_BASE64")


def test_base64_encoded_proxy_body_that_is_not_base64_is_400_invalid_base64(stack: Stack) -> None:
    # API Gateway marks binary bodies isBase64Encoded; Powertools decodes them itself.
    event = proxy_event("POST", REGISTER, headers={"content-type": "application/json"}, body="{}")
    event["body"], event["isBase64Encoded"] = "***not-base64***", True
    answer = handler.lambda_handler(event, LambdaContextStub())  # type: ignore[arg-type]
    assert answer["statusCode"] == 400
    assert '"INVALID_BASE64"' in answer["body"]


@pytest.mark.parametrize(
    ("image", "why"),
    [
        (b"GIF89a" + b"\x00" * 200, "GIF is not accepted"),
        (b"hello world", "not an image"),
        (truncated_jpeg(), "truncated JPEG passes verify() but not load()"),
        (pixel_bomb_png(), "48 KB PNG declaring 400 megapixels"),
        (jpeg(79, 300), "under 80 px on a side"),
        (b"\xff\xd8\xff" + b"\x00" * 100, "JPEG magic bytes, no image"),
    ],
)
def test_bad_images_are_400_invalid_image(stack: Stack, image: bytes, why: str) -> None:
    answer = call_api("POST", REGISTER, json_body=image_json(image))
    assert_error(answer, 400, "INVALID_IMAGE")
    assert object_keys(stack.s3) == [], why


def test_image_over_the_size_limit_is_413(stack: Stack) -> None:
    oversized = b"\xff\xd8\xff" + b"\x00" * (4 * 1024 * 1024)
    answer = call_api("POST", REGISTER, json_body=image_json(oversized))
    assert_error(answer, 413, "IMAGE_TOO_LARGE")


def test_base64_text_longer_than_the_limit_allows_is_413_before_decoding(stack: Stack) -> None:
    answer = call_api("POST", REGISTER, json_body={"image": "A" * (6 * 1024 * 1024)})
    assert_error(answer, 413, "IMAGE_TOO_LARGE")


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/xml",
        None,
        "multipart/form-data",  # no boundary: Powertools itself would fail on it
        "application/x-www-form-urlencoded",
    ],
)
def test_non_json_requests_are_415(stack: Stack, content_type: str | None) -> None:
    answer = call_api("POST", REGISTER, json_body=image_json(jpeg()), content_type=content_type)
    assert_error(answer, 415, "UNSUPPORTED_MEDIA_TYPE")


@pytest.mark.parametrize("method", ["post", "Post"])
def test_a_lower_case_write_without_a_content_type_is_415_too(stack: Stack, method: str) -> None:
    # Given a registration sent as `post`, which the resolver routes as POST, without a type
    # When it is handled
    answer = call_api(method, REGISTER, json_body=image_json(jpeg()), content_type=None)
    # Then it is refused like a POST without one, and nobody is registered
    assert_error(answer, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert users(stack.database) == []


@pytest.mark.parametrize("content_type", ["Application/JSON", "application/json; charset=UTF-8"])
def test_json_content_types_are_compared_case_insensitively(
    stack: Stack, content_type: str
) -> None:
    answer = call_api("POST", REGISTER, json_body=image_json(jpeg()), content_type=content_type)
    assert answer.status == 201


def test_unknown_routes_are_404_with_the_error_shape(stack: Stack) -> None:
    assert_error(call_api("GET", "/nothing/here"), 404, "NOT_FOUND")


def test_unexpected_failures_are_500_without_a_stack_trace(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_args: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(stack.service, "get_status", explode)
    answer = call_api("GET", "/users/alice")
    assert_error(answer, 500, "INTERNAL_ERROR")
    assert "secret internals" not in str(answer.body)
    assert "Traceback" not in str(answer.body)


def test_rejected_requests_write_no_rows(stack: Stack) -> None:
    for image in (b"hello", truncated_jpeg(), pixel_bomb_png()):
        call_api("POST", REGISTER, json_body=image_json(image))
    call_api("POST", REGISTER, json_body={"image": base64.b64encode(b"x").decode() + "!"})
    assert users(stack.database) == []
    assert runs(stack.database) == []
