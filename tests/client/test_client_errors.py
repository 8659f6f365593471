"""Every error code of the contract becomes its own exception type."""

from __future__ import annotations

import pytest
from fake_api import FakeApi

from faceauth_client import (
    AlreadyRegisteredError,
    Client,
    DependencyUnavailableError,
    FaceAuthApiError,
    FaceTooSmallError,
    ForbiddenError,
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
)

ERROR_TABLE = [
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
]


def make_client(api: FakeApi) -> Client:
    return Client(api.base_url, "k", timeout=2, max_retries=0)


@pytest.mark.parametrize(("status", "code", "error_type"), ERROR_TABLE)
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


def test_bad_gateway_without_body_is_internal_error(api: FakeApi) -> None:
    # Given a proxy answering 502 with an HTML page
    api.reply(502, raw=b"<html>bad gateway</html>")
    # When health is checked
    # Then it is reported as a server error
    with pytest.raises(InternalServerError) as caught:
        make_client(api).health()
    assert caught.value.status == 502


def test_unreachable_api_raises_transport_error() -> None:
    # Given nothing listening on the port (port 9 is discard, closed on loopback)
    client = Client("http://127.0.0.1:9/v1", "k", timeout=2)
    # When health is checked
    # Then a transport error is raised
    with pytest.raises(TransportError):
        client.health()
