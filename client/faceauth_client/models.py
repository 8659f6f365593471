"""Typed results of the API, parsed from its JSON answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar, cast

from faceauth_client.errors import InvalidResponseError

VerificationOutcome = Literal["PASS", "FAIL"]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Registration:
    """A stored reference image: the answer to register and replace_reference."""

    run_id: str
    user_id: str
    registered_at: datetime

    @classmethod
    def from_json(cls, body: Any) -> Registration:
        data = _object(body)
        return cls(
            run_id=_str(data, "runId"),
            user_id=_str(data, "userId"),
            registered_at=_datetime(data, "registeredAt"),
        )


@dataclass(frozen=True, slots=True)
class LivenessSession:
    """A Face Liveness session: the answer to start_liveness_session.

    Hand `session_id` and `region` to the Face Liveness component (Amplify UI's
    FaceLivenessDetector); once it reports completion, send `session_id` to register,
    replace_reference or verify before `expires_at`.
    """

    session_id: str
    region: str
    expires_at: datetime

    @classmethod
    def from_json(cls, body: Any) -> LivenessSession:
        data = _object(body)
        return cls(
            session_id=_str(data, "sessionId"),
            region=_str(data, "region"),
            expires_at=_datetime(data, "expiresAt"),
        )


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of comparing a capture with the user's reference image."""

    run_id: str
    user_id: str
    similarity: float
    threshold: float
    result: VerificationOutcome
    verified_at: datetime

    @property
    def passed(self) -> bool:
        return self.result == "PASS"

    @classmethod
    def from_json(cls, body: Any) -> Verification:
        data = _object(body)
        result = _str(data, "result")
        if result not in ("PASS", "FAIL"):
            raise InvalidResponseError(f"'result' must be PASS or FAIL, got {result!r}")
        return cls(
            run_id=_str(data, "runId"),
            user_id=_str(data, "userId"),
            similarity=_float(data, "similarity"),
            threshold=_float(data, "threshold"),
            result=cast(VerificationOutcome, result),
            verified_at=_datetime(data, "verifiedAt"),
        )


@dataclass(frozen=True, slots=True)
class LastVerification:
    """The latest verification attempt; an attempt rejected with an error has no result."""

    run_id: str
    result: VerificationOutcome | None
    similarity: float | None
    error_code: str | None
    verified_at: datetime

    @classmethod
    def from_json(cls, body: Any) -> LastVerification:
        data = _object(body)
        result = _optional(data, "result", _str)
        if result not in (None, "PASS", "FAIL"):
            raise InvalidResponseError(f"'result' must be PASS, FAIL or null, got {result!r}")
        return cls(
            run_id=_str(data, "runId"),
            result=cast(VerificationOutcome | None, result),
            similarity=_optional(data, "similarity", _float),
            error_code=_optional(data, "errorCode", _str),
            verified_at=_datetime(data, "verifiedAt"),
        )


@dataclass(frozen=True, slots=True)
class UserStatus:
    """What the API knows about a user: registration, last verification and lock state."""

    user_id: str
    registered: bool
    registered_at: datetime | None
    last_verification: LastVerification | None
    locked: bool
    locked_until: datetime | None
    consecutive_failures: int

    @classmethod
    def from_json(cls, body: Any) -> UserStatus:
        data = _object(body)
        last = data.get("lastVerification")
        return cls(
            user_id=_str(data, "userId"),
            registered=_bool(data, "registered"),
            registered_at=_optional(data, "registeredAt", _datetime),
            last_verification=None if last is None else LastVerification.from_json(last),
            locked=_bool(data, "locked"),
            locked_until=_optional(data, "lockedUntil", _datetime),
            consecutive_failures=_int(data, "consecutiveFailures"),
        )


@dataclass(frozen=True, slots=True)
class Health:
    """The API's health answer."""

    status: str

    @classmethod
    def from_json(cls, body: Any) -> Health:
        return cls(status=_str(_object(body), "status"))


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidResponseError(f"expected a JSON object, got {type(body).__name__}")
    return cast(dict[str, Any], body)


def _field(data: dict[str, Any], key: str) -> Any:
    if key not in data:
        raise InvalidResponseError(f"missing field {key!r}")
    return data[key]


def _str(data: dict[str, Any], key: str) -> str:
    value = _field(data, key)
    if not isinstance(value, str):
        raise InvalidResponseError(f"{key!r} must be a string")
    return value


def _bool(data: dict[str, Any], key: str) -> bool:
    value = _field(data, key)
    if not isinstance(value, bool):
        raise InvalidResponseError(f"{key!r} must be a boolean")
    return value


def _int(data: dict[str, Any], key: str) -> int:
    value = _field(data, key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidResponseError(f"{key!r} must be an integer")
    return value


def _float(data: dict[str, Any], key: str) -> float:
    value = _field(data, key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidResponseError(f"{key!r} must be a number")
    return float(value)


def _datetime(data: dict[str, Any], key: str) -> datetime:
    try:
        return datetime.fromisoformat(_str(data, key))
    except ValueError as exc:
        raise InvalidResponseError(f"{key!r} is not an ISO 8601 date-time") from exc


def _optional(
    data: dict[str, Any], key: str, parse: Callable[[dict[str, Any], str], T]
) -> T | None:
    return None if data.get(key) is None else parse(data, key)
