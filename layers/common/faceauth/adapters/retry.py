"""Bounded retries inside the request's deadline, shared by every AWS adapter.

botocore's own retries do not know the request's deadline, so our clients are built with
them off (one attempt per call) and retry here instead: an attempt starts only if its worst
case (connect plus read timeout) still ends before the deadline, with "equal jitter"
exponential backoff between attempts (at least half the delay, so a throttle gets rest).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from faceauth.domain.deadline import Deadline
from faceauth.errors import DependencyUnavailable, OutOfTime

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

# Error codes of AWS services that mean "too busy now, try again".
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "LimitExceededException",
        "SlowDown",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalError",
        "InternalServerError",
    }
)
# Transport failures worth one more try when the call is idempotent and time allows.
TRANSIENT_TRANSPORT_ERRORS = (
    ConnectTimeoutError,
    EndpointConnectionError,
    ConnectionClosedError,
    ReadTimeoutError,
)

BACKOFF_BASE_SECONDS = 0.25
BACKOFF_CAP_SECONDS = 2.0


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_transient(exc: ClientError) -> bool:
    """Throttling, or any 5xx: the service's fault, worth another try."""
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    return error_code(exc) in THROTTLING_CODES or status >= 500


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How one adapter retries: attempts, the worst case of one attempt, what is retried."""

    dependency: str  # named in DependencyUnavailable and the logs: "image_store", ...
    max_attempts: int = 3
    attempt_seconds: float = 7.0  # connect + read timeout of the client
    retry_after_seconds: float = 2
    retry_transport_errors: bool = False
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    jitter: Callable[[float, float], float] = field(default=random.uniform, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def call(self, operation: str, request: Callable[[], _T], deadline: Deadline) -> _T:
        """Run ``request`` with retries. ClientErrors that are not retried propagate for the
        caller to translate; exhausted retries, other transport failures and a deadline
        that leaves no room become DependencyUnavailable (OutOfTime for the deadline)."""
        attempt = 1
        while True:
            if not deadline.allows(self.attempt_seconds):
                raise OutOfTime(f"{self.dependency} {operation}")
            try:
                return request()
            except ClientError as exc:
                self._log(operation, error_code(exc), attempt)
                if not is_transient(exc):
                    raise
                if not self._may_retry(attempt, deadline):
                    raise self._unavailable() from exc
            except BotoCoreError as exc:
                self._log(operation, type(exc).__name__, attempt)
                transient = isinstance(exc, TRANSIENT_TRANSPORT_ERRORS)
                if not (self.retry_transport_errors and transient):
                    raise self._unavailable() from exc
                if not self._may_retry(attempt, deadline):
                    raise self._unavailable() from exc
            self.sleep(self._backoff(attempt))
            attempt += 1

    def _may_retry(self, attempt: int, deadline: Deadline) -> bool:
        if attempt >= self.max_attempts:
            return False
        return deadline.allows(self.max_backoff(attempt) + self.attempt_seconds)

    @staticmethod
    def max_backoff(attempt: int) -> float:
        return min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2.0 ** (attempt - 1))

    def _backoff(self, attempt: int) -> float:
        ceiling = self.max_backoff(attempt)
        return ceiling / 2 + self.jitter(0.0, ceiling / 2)

    def _unavailable(self) -> DependencyUnavailable:
        return DependencyUnavailable(self.dependency, self.retry_after_seconds)

    def _log(self, operation: str, code: str, attempt: int) -> None:
        logger.warning(
            "dependency call failed",
            extra={
                "dependency": self.dependency,
                "operation": operation,
                "error_code": code,
                "attempt": attempt,
            },
        )
