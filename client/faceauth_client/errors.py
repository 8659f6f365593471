"""Exceptions the client raises: one class per API error code, plus transport failures.

Every HTTP error answer becomes a `FaceAuthApiError` subclass chosen by the body's
`error.code`; answers that carry no faceauth error body (API Gateway's own 403/429, a proxy's
502) are classified by status instead.
"""

from __future__ import annotations

from typing import ClassVar


class FaceAuthClientError(Exception):
    """Base of everything this client raises on purpose."""


class TransportError(FaceAuthClientError):
    """The API could not be reached or the connection broke before an answer arrived."""


class RequestTimeoutError(TransportError):
    """The API did not answer within the client's timeout."""


class InvalidResponseError(FaceAuthClientError):
    """A success answer did not have the shape of API contract v1."""


class FaceAuthApiError(FaceAuthClientError):
    """The API answered with an error; `code` is the stable error code of the contract."""

    error_code: ClassVar[str] = "UNKNOWN_ERROR"

    def __init__(
        self,
        status: int,
        message: str,
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        self.code = code or self.error_code
        super().__init__(f"{self.code} ({status}): {message}")
        self.status = status
        self.message = message
        self.retry_after = retry_after


class InvalidRequestError(FaceAuthApiError):
    error_code = "INVALID_REQUEST"


class InvalidBase64Error(FaceAuthApiError):
    error_code = "INVALID_BASE64"


class InvalidImageError(FaceAuthApiError):
    error_code = "INVALID_IMAGE"


class ImageTooLargeError(FaceAuthApiError):
    error_code = "IMAGE_TOO_LARGE"


class UnsupportedMediaTypeError(FaceAuthApiError):
    error_code = "UNSUPPORTED_MEDIA_TYPE"


class NoFaceDetectedError(FaceAuthApiError):
    error_code = "NO_FACE_DETECTED"


class MultipleFacesError(FaceAuthApiError):
    error_code = "MULTIPLE_FACES"


class FaceTooSmallError(FaceAuthApiError):
    error_code = "FACE_TOO_SMALL"


class UserLockedError(FaceAuthApiError):
    error_code = "USER_LOCKED"


class UserNotRegisteredError(FaceAuthApiError):
    error_code = "USER_NOT_REGISTERED"


class NotFoundError(FaceAuthApiError):
    error_code = "NOT_FOUND"


class AlreadyRegisteredError(FaceAuthApiError):
    error_code = "ALREADY_REGISTERED"


class ForbiddenError(FaceAuthApiError):
    error_code = "FORBIDDEN"


class ThrottledError(FaceAuthApiError):
    error_code = "THROTTLED"


class QuotaExceededError(ThrottledError):
    """The API key's usage-plan quota is spent: waiting seconds does not help."""

    error_code = "QUOTA_EXCEEDED"


class DependencyUnavailableError(FaceAuthApiError):
    error_code = "DEPENDENCY_UNAVAILABLE"


class InternalServerError(FaceAuthApiError):
    error_code = "INTERNAL_ERROR"


ERRORS_BY_CODE: dict[str, type[FaceAuthApiError]] = {
    cls.error_code: cls
    for cls in (
        InvalidRequestError,
        InvalidBase64Error,
        InvalidImageError,
        ImageTooLargeError,
        UnsupportedMediaTypeError,
        NoFaceDetectedError,
        MultipleFacesError,
        FaceTooSmallError,
        UserLockedError,
        UserNotRegisteredError,
        NotFoundError,
        AlreadyRegisteredError,
        ForbiddenError,
        ThrottledError,
        QuotaExceededError,
        DependencyUnavailableError,
        InternalServerError,
    )
}

# For answers without a faceauth error body, e.g. API Gateway's {"message": "Forbidden"}.
ERRORS_BY_STATUS: dict[int, type[FaceAuthApiError]] = {
    400: InvalidRequestError,
    403: ForbiddenError,
    404: NotFoundError,
    413: ImageTooLargeError,
    415: UnsupportedMediaTypeError,
    429: ThrottledError,
    503: DependencyUnavailableError,
}


def error_class_for(status: int, code: str | None) -> type[FaceAuthApiError]:
    """Pick the exception class for an error answer: by code first, then by status."""
    if code is not None and code in ERRORS_BY_CODE:
        return ERRORS_BY_CODE[code]
    if status in ERRORS_BY_STATUS:
        return ERRORS_BY_STATUS[status]
    if status >= 500:
        return InternalServerError
    return FaceAuthApiError
