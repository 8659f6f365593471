"""Domain errors. Each carries a stable code the API maps to an HTTP status (compare.errors).

Messages are for people and never contain image bytes, face data or user ids.
"""

from __future__ import annotations

from typing import ClassVar


class FaceAuthError(Exception):
    """Base of every error faceauth reports to a caller."""

    code: ClassVar[str] = "INTERNAL_ERROR"
    default_message: ClassVar[str] = "Something went wrong."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class InvalidRequest(FaceAuthError):
    code = "INVALID_REQUEST"
    default_message = "The request is malformed."


class InvalidBase64(FaceAuthError):
    code = "INVALID_BASE64"
    default_message = "The image is not valid base64."


class InvalidImage(FaceAuthError):
    code = "INVALID_IMAGE"
    default_message = "The image is not a readable JPEG or PNG."


class ImageTooLarge(FaceAuthError):
    code = "IMAGE_TOO_LARGE"
    default_message = "The image is larger than allowed."


class UnsupportedMediaType(FaceAuthError):
    code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = "Send the request as application/json."


class NoFaceDetected(FaceAuthError):
    code = "NO_FACE_DETECTED"
    default_message = "No face was found in the image."


class MultipleFaces(FaceAuthError):
    code = "MULTIPLE_FACES"
    default_message = "More than one face is in the image; exactly one is required."


class FaceTooSmall(FaceAuthError):
    code = "FACE_TOO_SMALL"
    default_message = "The face is too small or unclear; move closer to the camera."


class UserNotRegistered(FaceAuthError):
    code = "USER_NOT_REGISTERED"
    default_message = "This user has no reference image; register first."


class AlreadyRegistered(FaceAuthError):
    code = "ALREADY_REGISTERED"
    default_message = "This user already has a reference image; use PUT to replace it."


class UserLocked(FaceAuthError):
    code = "USER_LOCKED"
    default_message = "Too many failed verifications; try again later."

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__()
        self.retry_after_seconds = max(1, retry_after_seconds)


class DependencyUnavailable(FaceAuthError):
    """A dependency (database, image store, face engine) failed or throttled; safe to retry."""

    code = "DEPENDENCY_UNAVAILABLE"
    default_message = "A service faceauth depends on is unavailable; retry shortly."

    def __init__(self, dependency: str, retry_after_seconds: int = 2) -> None:
        super().__init__()
        self.dependency = dependency
        self.retry_after_seconds = retry_after_seconds
