"""Face Liveness: a selfie counts only if it came from a live person in front of the camera.

The app streams a short video through the Face Liveness SDK into a session this API created
for the user; the server then asks the liveness service for the session's result and decides
(never the app). A session is bound to its user and used at most once. Its images (the
reference frame and up to four audit images) are written by the liveness service under
``liveness/<session id>/`` and follow the retention of the run that used them; an unused
session's images are deleted once the session is over.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from faceauth.domain.deadline import Deadline
from faceauth.domain.model import Decision, StoredObject
from faceauth.errors import LivenessRequired, LivenessUnavailable

# The liveness service writes a session's images under <this>/<session id>/ in the images
# bucket (its S3KeyPrefix); the bucket's lifecycle rule on the prefix is the backstop.
OUTPUT_KEY_PREFIX = "liveness"
# Face Liveness sessions end 3 minutes after they were created; the service may still be
# writing the session's images for a little while after that.
SESSION_LIFETIME = timedelta(minutes=3)
SESSION_WRITE_GRACE = timedelta(seconds=60)


class LivenessMode(enum.StrEnum):
    OFF = "off"
    OPTIONAL = "optional"
    REQUIRED = "required"


@dataclass(frozen=True, slots=True)
class UploadedSelfie:
    """A selfie sent as an image."""

    content: bytes


@dataclass(frozen=True, slots=True)
class LivenessSelfie:
    """A selfie taken by a Face Liveness session: its reference frame is the capture."""

    session_id: str


Selfie = UploadedSelfie | LivenessSelfie


class LivenessStatus(enum.StrEnum):
    CREATED = "CREATED"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True, slots=True)
class LivenessResult:
    """What the liveness service found. ``confidence`` is recorded, never sent to clients."""

    status: LivenessStatus
    confidence: float | None
    reference: StoredObject | None  # the reference frame, as the service stored it


@dataclass(frozen=True, slots=True)
class CreatedSession:
    session_id: str
    region: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class LivenessSession:
    """A session as this API recorded it."""

    session_id: str
    user_id: str  # the app's user id the session was created for
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None

    @property
    def prefix(self) -> str:
        return session_prefix(self.session_id)

    @property
    def writable_until(self) -> datetime:
        """Until when the liveness service may write this session's images."""
        return self.expires_at + SESSION_WRITE_GRACE

    def may_still_be_written(self, now: datetime) -> bool:
        """Whether the liveness service may still write images of this unused session."""
        return self.used_at is None and self.writable_until > now


def session_prefix(session_id: str) -> str:
    """Where the liveness service puts a session's reference frame and audit images."""
    return f"{OUTPUT_KEY_PREFIX}/{session_id}/"


class LivenessService(Protocol):
    """The liveness service (Amazon Rekognition Face Liveness)."""

    region: str

    def create_session(
        self, client_token: str, output_prefix: str, audit_images: int, deadline: Deadline
    ) -> str:
        """A new session writing its images under ``output_prefix``; the same token gives the
        same session. Raises DependencyUnavailable."""

    def results(self, session_id: str, deadline: Deadline) -> LivenessResult:
        """The session's result. Raises LivenessSessionInvalid (unknown session),
        DependencyUnavailable."""


@dataclass(frozen=True, slots=True)
class LivenessPolicy:
    """FACEAUTH_LIVENESS and its settings. ``service`` is None where no liveness service
    exists (the local engine)."""

    mode: LivenessMode
    min_confidence: float
    audit_images: int
    service: LivenessService | None

    def available(self) -> LivenessService:
        """The service, or LivenessUnavailable (off, or no service here)."""
        if self.mode is LivenessMode.OFF or self.service is None:
            raise LivenessUnavailable
        return self.service

    def accept_upload(self) -> None:
        """Raises LivenessRequired when only liveness selfies count."""
        if self.mode is LivenessMode.REQUIRED:
            raise LivenessRequired

    def judge(self, result: LivenessResult) -> Decision:
        """PASS when the session succeeded at or above the confidence, else FAIL."""
        succeeded = result.status is LivenessStatus.SUCCEEDED and result.reference is not None
        confident = result.confidence is not None and result.confidence >= self.min_confidence
        return Decision.PASS if succeeded and confident else Decision.FAIL
