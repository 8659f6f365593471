"""Domain errors. Each carries a stable code; the API's error table
(functions/compare/error_codes.json) gives each code its HTTP status, retry advice and default
message, so a domain error needs a message only when it has something specific to say.

Messages are for people and never contain image bytes, face data or user ids.
"""

from __future__ import annotations

import math
from typing import ClassVar


class FaceAuthError(Exception):
    """Base of every error faceauth reports to a caller."""

    code: ClassVar[str] = "INTERNAL_ERROR"

    def __init__(self, message: str | None = None) -> None:
        self.message = message
        super().__init__(message or self.code)


class InvalidRequest(FaceAuthError):
    code = "INVALID_REQUEST"


class InvalidBase64(FaceAuthError):
    code = "INVALID_BASE64"


class InvalidImage(FaceAuthError):
    code = "INVALID_IMAGE"


class ImageTooLarge(FaceAuthError):
    code = "IMAGE_TOO_LARGE"


class UnsupportedMediaType(FaceAuthError):
    code = "UNSUPPORTED_MEDIA_TYPE"


class FaceQualityError(FaceAuthError):
    """The image holds no usable single face: the user's to fix, not the engine's. A
    verification that ends so is recorded as a run but does not count towards the lockout.
    Its subclasses name the problem; any new one answers 422 like them."""

    code = "FACE_NOT_USABLE"


class NoFaceDetected(FaceQualityError):
    code = "NO_FACE_DETECTED"


class MultipleFaces(FaceQualityError):
    code = "MULTIPLE_FACES"


class FaceTooSmall(FaceQualityError):
    code = "FACE_TOO_SMALL"


class UserNotRegistered(FaceAuthError):
    code = "USER_NOT_REGISTERED"


class AlreadyRegistered(FaceAuthError):
    code = "ALREADY_REGISTERED"


class RetryLater(FaceAuthError):
    """An error the same request may not hit later; retry_after_seconds says when."""

    def __init__(self, retry_after_seconds: float, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = max(1, math.ceil(retry_after_seconds))


class UserLocked(RetryLater):
    code = "USER_LOCKED"


class VerificationInProgress(RetryLater):
    """Another verification of the user is in flight and could use up the lockout budget."""

    code = "VERIFICATION_IN_PROGRESS"


class IdempotencyKeyInUse(RetryLater):
    code = "IDEMPOTENCY_KEY_IN_USE"


class IdempotencyKeyReused(FaceAuthError):
    code = "IDEMPOTENCY_KEY_REUSED"


class DependencyUnavailable(RetryLater):
    """A dependency (database, image store, face engine) failed or throttled, or the request
    ran out of time; safe to retry."""

    code = "DEPENDENCY_UNAVAILABLE"

    def __init__(self, dependency: str, retry_after_seconds: float = 2) -> None:
        super().__init__(retry_after_seconds)
        self.dependency = dependency


class OutOfTime(DependencyUnavailable):
    """The request's deadline came before its work was done; what it stored was cleaned up."""

    def __init__(self, step: str, retry_after_seconds: float = 2) -> None:
        super().__init__("deadline", retry_after_seconds)
        self.step = step


class LivenessSessionInvalid(FaceAuthError):
    """Unknown, already used, or another user's session: one error, so a caller learns
    nothing about other users' sessions."""

    code = "LIVENESS_SESSION_INVALID"


class LivenessSessionExpired(FaceAuthError):
    code = "LIVENESS_SESSION_EXPIRED"


class LivenessSessionIncomplete(FaceAuthError):
    code = "LIVENESS_SESSION_INCOMPLETE"


class LivenessFailed(FaceAuthError):
    """The session did not show a live person with enough confidence (counts as a FAIL)."""

    code = "LIVENESS_FAILED"


class LivenessRequired(FaceAuthError):
    code = "LIVENESS_REQUIRED"


class LivenessUnavailable(FaceAuthError):
    code = "LIVENESS_UNAVAILABLE"
