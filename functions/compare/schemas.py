"""Request and response bodies of the v1 API (camelCase on the wire), and their explicit
mapping from the domain's records: routes never return domain or ORM objects."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from faceauth.domain.liveness import CreatedSession
from faceauth.domain.model import (
    LastVerification,
    RegistrationReceipt,
    UserStatus,
    VerificationOutcome,
)

USER_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

# Stored as naive UTC; sent with an explicit offset so clients never guess.
UtcDatetime = Annotated[
    datetime, AfterValidator(lambda d: d.replace(tzinfo=UTC) if d.tzinfo is None else d)
]


class VerificationResult(enum.StrEnum):
    """The decision of a verification."""

    PASS = "PASS"  # noqa: S105 - a verification result, not a password
    FAIL = "FAIL"


class HealthStatus(enum.StrEnum):
    OK = "ok"


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


LIVENESS_SESSION_ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class SelfieRequest(ApiModel):
    """A selfie: exactly one of `image` (base64 JPEG or PNG, at most 4 MB decoded) or
    `livenessSessionId` (a completed Face Liveness session of the same user)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"image": "/9j/4AAQSkZJRgABAQAAAQABAAD..."}]},
    )
    image: str | None = Field(
        default=None,
        min_length=1,
        description="Base64-encoded JPEG or PNG image (line breaks and a "
        "data:image/jpeg;base64, or data:image/png;base64, prefix are accepted).",
    )
    liveness_session_id: str | None = Field(
        default=None,
        pattern=LIVENESS_SESSION_ID_PATTERN,
        description="The id of a Face Liveness session created for this user with "
        "POST /users/{userId}/liveness-sessions and completed in the app.",
    )

    @model_validator(mode="after")
    def _exactly_one_selfie(self) -> SelfieRequest:
        if (self.image is None) == (self.liveness_session_id is None):
            raise ValueError("send exactly one of image or livenessSessionId")
        return self


class LivenessSessionResponse(ApiModel):
    session_id: str = Field(
        description="Give it to the Face Liveness component, then send it as "
        "livenessSessionId to register or verify."
    )
    region: str = Field(description="The AWS region the Face Liveness component streams to.")
    expires_at: UtcDatetime = Field(description="The session can be used until then.")

    @classmethod
    def of(cls, created: CreatedSession) -> LivenessSessionResponse:
        return cls(
            session_id=created.session_id, region=created.region, expires_at=created.expires_at
        )


class RegistrationResponse(ApiModel):
    run_id: str = Field(description="Id of this registration; store it in the app's audit table.")
    user_id: str
    registered_at: UtcDatetime

    @classmethod
    def of(cls, receipt: RegistrationReceipt) -> RegistrationResponse:
        return cls(
            run_id=receipt.run_id, user_id=receipt.user_id, registered_at=receipt.registered_at
        )


class VerificationResponse(ApiModel):
    run_id: str = Field(description="Id of this verification; store it in the app's audit table.")
    user_id: str
    similarity: float = Field(ge=0, le=100, description="How alike the faces are, 0-100.")
    threshold: float = Field(ge=0, le=100, description="Similarity needed to pass.")
    result: VerificationResult
    verified_at: UtcDatetime

    @classmethod
    def of(cls, outcome: VerificationOutcome) -> VerificationResponse:
        return cls(
            run_id=outcome.run_id,
            user_id=outcome.user_id,
            similarity=outcome.similarity,
            threshold=outcome.threshold,
            result=VerificationResult(outcome.result.value),
            verified_at=outcome.verified_at,
        )


class LastVerificationBody(ApiModel):
    run_id: str
    result: VerificationResult | None = Field(
        description="PASS or FAIL; null when the run ended in an error (see errorCode)."
    )
    similarity: float | None
    error_code: str | None
    verified_at: UtcDatetime

    @classmethod
    def of(cls, last: LastVerification) -> LastVerificationBody:
        return cls(
            run_id=last.run_id,
            result=VerificationResult(last.result.value) if last.result else None,
            similarity=last.similarity,
            error_code=last.error_code,
            verified_at=last.verified_at,
        )


class UserStatusResponse(ApiModel):
    user_id: str
    registered: bool
    registered_at: UtcDatetime | None
    last_verification: LastVerificationBody | None
    locked: bool
    locked_until: UtcDatetime | None
    consecutive_failures: int

    @classmethod
    def of(cls, status: UserStatus) -> UserStatusResponse:
        last = status.last_verification
        return cls(
            user_id=status.user_id,
            registered=status.registered,
            registered_at=status.registered_at,
            last_verification=LastVerificationBody.of(last) if last else None,
            locked=status.locked,
            locked_until=status.locked_until,
            consecutive_failures=status.consecutive_failures,
        )


class HealthResponse(ApiModel):
    status: HealthStatus


class ErrorDetail(ApiModel):
    code: str = Field(description="Stable, machine-readable error code.")
    message: str = Field(description="What went wrong, for a person.")


class ErrorResponse(ApiModel):
    error: ErrorDetail
