"""Value objects of the selfie-login domain."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class RunKind(enum.StrEnum):
    REGISTRATION = "REGISTRATION"
    VERIFICATION = "VERIFICATION"


class Decision(enum.StrEnum):
    PASS = "PASS"  # noqa: S105 - a verification result, not a password
    FAIL = "FAIL"

    @classmethod
    def of(cls, similarity: float, threshold: float) -> Decision:
        """The one PASS/FAIL rule: PASS at or above the threshold. Decided once, when the
        verification runs, and recorded; nothing re-derives it later."""
        return cls.PASS if similarity >= threshold else cls.FAIL


@dataclass(frozen=True, slots=True)
class StoredObject:
    """An object as it was stored: its key, and the version S3 gave it (None when the
    bucket kept no versions, when it is unknown, or for rows written before versions were
    recorded: then every version of the key is deleted). With ``prefix``, the key is a
    prefix and every object under it goes (a liveness session's images)."""

    key: str
    version_id: str | None = None
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class ValidatedImage:
    """An image that passed the size, format and dimension checks."""

    content: bytes
    format: str  # "JPEG" or "PNG"
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return "image/jpeg" if self.format == "JPEG" else "image/png"

    @property
    def extension(self) -> str:
        return "jpg" if self.format == "JPEG" else "png"


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user as the domain sees it (mapped from persistence).

    ``enrolment`` numbers the user's registrations: each registration after an erasure
    starts a new one, and runs and in-flight work belong to the enrolment they started in,
    so nothing of an erased enrolment can be committed, shown or left behind."""

    pk: int
    user_id: str
    reference_key: str | None
    registered_at: datetime | None
    consecutive_failures: int
    locked_until: datetime | None
    enrolment: int = 1

    @property
    def is_registered(self) -> bool:
        return self.reference_key is not None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


@dataclass(frozen=True, slots=True)
class NewRun:
    """A run to record: one registration or one verification."""

    run_id: str
    user_pk: int
    kind: RunKind
    created_at: datetime
    image_key: str | None
    enrolment: int = 1
    threshold: float | None = None
    image_version_id: str | None = None  # what PutObject returned in a versioned bucket
    similarity: float | None = None
    result: Decision | None = None
    error_code: str | None = None
    request_id: str | None = None
    engine: str | None = None
    liveness_session_id: str | None = None
    liveness_confidence: float | None = None  # recorded, never sent to the client


@dataclass(frozen=True, slots=True)
class PendingRun:
    """A run in flight, recorded before its image is stored and settled when the run is
    committed or its image removed. It is the intent that lets an image whose request died
    be found and deleted (nothing lists the bucket), and, for verifications, a reservation
    against the lockout budget. ``expires_at`` is when its request is surely over (its
    deadline plus a grace): until then the owner may still write; after it the row only
    waits for the purge to delete its image."""

    run_id: str
    user_pk: int | None  # None: a first registration, the user row does not exist yet
    enrolment: int
    kind: RunKind
    image_key: str | None  # None: the run stores no image (a liveness verification)
    created_at: datetime
    expires_at: datetime

    def is_live(self, now: datetime) -> bool:
        return self.expires_at > now


@dataclass(frozen=True, slots=True)
class LastVerification:
    run_id: str
    result: Decision | None
    similarity: float | None
    error_code: str | None
    verified_at: datetime


@dataclass(frozen=True, slots=True)
class RegistrationReceipt:
    run_id: str
    user_id: str
    registered_at: datetime


@dataclass(frozen=True, slots=True)
class VerificationOutcome:
    run_id: str
    user_id: str
    similarity: float
    threshold: float
    result: Decision
    verified_at: datetime
    engine_seconds: float


@dataclass(frozen=True, slots=True)
class UserStatus:
    user_id: str
    registered: bool
    registered_at: datetime | None
    last_verification: LastVerification | None
    locked: bool
    locked_until: datetime | None
    consecutive_failures: int
