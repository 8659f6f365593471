"""Every error code of the API's error table becomes its own exception type."""

from __future__ import annotations

import pytest
from fake_api import ERRORS, FakeApi

import faceauth_client
from faceauth_client import (
    AlreadyRegisteredError,
    Client,
    DependencyUnavailableError,
    FaceAuthApiError,
    FaceTooSmallError,
    ForbiddenError,
    IdempotencyKeyInUseError,
    IdempotencyKeyReusedError,
    ImageTooLargeError,
    InternalServerError,
    InvalidBase64Error,
    InvalidImageError,
    InvalidRequestError,
    MultipleFacesError,
    NoFaceDetectedError,
    NotFoundError,
    QuotaExceededError,
    ThrottledError,
    TransportError,
    UnsupportedMediaTypeError,
    UserLockedError,
    UserNotRegisteredError,
    VerificationInProgressError,
)

# The names callers already catch: a change to the table that renames one breaks them.
PUBLISHED_NAMES = [
    (400, "INVALID_REQUEST", InvalidRequestError),
    (400, "INVALID_BASE64", InvalidBase64Error),
    (400, "INVALID_IMAGE", InvalidImageError),
    (413, "IMAGE_TOO_LARGE", ImageTooLargeError),
    (415, "UNSUPPORTED_MEDIA_TYPE", UnsupportedMediaTypeError),
    (422, "NO_FACE_DETECTED", NoFaceDetectedError),
    (422, "MULTIPLE_FACES", MultipleFacesError),
    (422, "FACE_TOO_SMALL", FaceTooSmallError),
    (423, "USER_LOCKED", UserLockedError),
    (404, "USER_NOT_REGISTERED", UserNotRegisteredError),
    (404, "NOT_FOUND", NotFoundError),
    (409, "ALREADY_REGISTERED", AlreadyRegisteredError),
    (403, "FORBIDDEN", ForbiddenError),
    (429, "THROTTLED", ThrottledError),
    (429, "QUOTA_EXCEEDED", QuotaExceededError),
    (503, "DEPENDENCY_UNAVAILABLE", DependencyUnavailableError),
    (500, "INTERNAL_ERROR", InternalServerError),
    (409, "IDEMPOTENCY_KEY_IN_USE", IdempotencyKeyInUseError),
    (422, "IDEMPOTENCY_KEY_REUSED", IdempotencyKeyReusedError),
    (423, "VERIFICATION_IN_PROGRESS", VerificationInProgressError),
]


def make_client(api: FakeApi) -> Client:
    return Client(api.base_url, "k", timeout=2, max_retries=0)


@pytest.mark.parametrize("code", ERRORS)
def test_every_code_of_the_table_is_an_exported_class_with_its_row(code: str) -> None:
    # Given a row of the API's error table
    row = ERRORS[code]
    # When the client's exported classes are searched for its code
    (error_type,) = [
        value
        for value in vars(faceauth_client).values()
        if isinstance(value, type) and issubclass(value, FaceAuthApiError) and value.code == code
    ]
    # Then exactly one carries the row's status, retryable flag and message
    assert error_type.__name__ in faceauth_client.__all__
    assert (error_type.status, error_type.retryable) == (row["status"], row["retryable"])
    assert error_type.default_message == row["message"]
    assert row["message"] in " ".join((error_type.__doc__ or "").split())


@pytest.mark.parametrize(("status", "code", "error_type"), PUBLISHED_NAMES)
def test_error_code_maps_to_its_exception(
    api: FakeApi, status: int, code: str, error_type: type[FaceAuthApiError]
) -> None:
    # Given an API that answers with this error
    api.error(status, code)
    # When a capture is verified
    with pytest.raises(error_type) as caught:
        make_client(api).verify("alice", b"img")
    # Then the exception carries status, code and the API's message
    assert caught.value.status == status
    assert caught.value.code == code
    assert caught.value.message == f"{code} happened"
    assert isinstance(caught.value, FaceAuthApiError)


def test_user_locked_carries_retry_after(api: FakeApi) -> None:
    # Given a locked user
    api.error(423, "USER_LOCKED", headers={"Retry-After": "900"})
    # When a capture is verified
    with pytest.raises(UserLockedError) as caught:
        make_client(api).verify("alice", b"img")
    # Then the lock's remaining seconds are exposed
    assert caught.value.retry_after == 900.0


def test_api_gateway_forbidden_without_error_body_is_forbidden(api: FakeApi) -> None:
    # Given API Gateway's own answer to a missing key, which has no error code
    api.reply(403, {"message": "Forbidden"})
    # When the status is read
    with pytest.raises(ForbiddenError) as caught:
        make_client(api).status("alice")
    # Then the status decides the type and the gateway's message is kept
    assert caught.value.code == "FORBIDDEN"
    assert caught.value.message == "Forbidden"


def test_unknown_code_keeps_the_code_the_api_sent(api: FakeApi) -> None:
    # Given a code newer than this client
    api.error(418, "SOMETHING_NEW")
    # When the status is read
    with pytest.raises(FaceAuthApiError) as caught:
        make_client(api).status("alice")
    # Then the base type is raised with the server's code
    assert type(caught.value) is FaceAuthApiError
    assert caught.value.code == "SOMETHING_NEW"


def test_bad_gateway_without_body_reads_as_the_gateway_response(api: FakeApi) -> None:
    # Given a proxy answering 502 with an HTML page
    api.reply(502, raw=b"<html>bad gateway</html>")
    # When health is checked
    # Then it is read as the table's gateway response for 502, with the code's message
    with pytest.raises(DependencyUnavailableError) as caught:
        make_client(api).health()
    assert caught.value.status == 502
    assert caught.value.message == DependencyUnavailableError.default_message


def test_request_too_large_without_body_is_image_too_large(api: FakeApi) -> None:
    # Given a server answering 413 with a plain-text page
    api.reply(413, raw=b"Request Entity Too Large")
    # When a capture is verified
    # Then it is IMAGE_TOO_LARGE, as the gateway's REQUEST_TOO_LARGE response says
    with pytest.raises(ImageTooLargeError) as caught:
        make_client(api).verify("alice", b"img")
    assert caught.value.code == "IMAGE_TOO_LARGE"


@pytest.mark.parametrize(
    ("status", "error_type"), [(418, InvalidRequestError), (503, InternalServerError)]
)
def test_other_statuses_without_body_read_as_the_gateway_defaults(
    api: FakeApi, status: int, error_type: type[FaceAuthApiError]
) -> None:
    # Given an answer without an error body on a status no gateway response names
    api.reply(status, raw=b"<html>oops</html>")
    # When health is checked
    # Then it is the table's DEFAULT_4XX / DEFAULT_5XX code, keeping the real status
    with pytest.raises(error_type) as caught:
        make_client(api).health()
    assert caught.value.status == status


def test_unreachable_api_raises_transport_error() -> None:
    # Given nothing listening on the port (port 9 is discard, closed on loopback)
    client = Client("http://127.0.0.1:9/v1", "k", timeout=2, max_retries=0)
    # When health is checked
    # Then a transport error is raised
    with pytest.raises(TransportError):
        client.health()
