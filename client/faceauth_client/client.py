"""HTTP client for API contract v1, on the standard library only (urllib)."""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from faceauth_client._version import __version__
from faceauth_client.api_errors import (
    ERRORS_BY_CODE,
    ERRORS_BY_STATUS,
    OTHER_4XX_ERROR,
    OTHER_5XX_ERROR,
    ImageTooLargeError,
)
from faceauth_client.errors import (
    FaceAuthApiError,
    InvalidResponseError,
    RequestTimeoutError,
    TransportError,
)
from faceauth_client.models import (
    Health,
    LivenessSession,
    Registration,
    UserStatus,
    Verification,
)

USER_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# The API's own default (FACEAUTH_MAX_IMAGE_BYTES); tests/client checks that they agree.
DEFAULT_MAX_IMAGE_BYTES = 4 * 1024 * 1024
IDEMPOTENCY_HEADER = "Idempotency-Key"
# Requests that change state carry a key, so a retry returns the first answer.
_KEYED_METHODS = frozenset({"POST", "PUT", "DELETE"})


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    retry_after: str | None
    body: bytes


class Client:
    """A faceauth API client.

    `base_url` includes the stage, e.g. `http://127.0.0.1:8080/v1` or
    `https://<api-id>.execute-api.<region>.amazonaws.com/v1`. `timeout` (seconds) bounds
    connecting and each read. An image over `max_image_bytes` (the API's default limit) raises
    ImageTooLargeError without being sent.

    Every POST, PUT and DELETE carries an `Idempotency-Key` (a new UUID per call unless the
    caller passes `idempotency_key`), and its retries reuse it, so the API answers a retry
    of a request it already ran with the first answer. An error the API's error table marks
    retryable, and a failed or timed-out connection, is retried up to `max_retries` times,
    waiting `Retry-After` when the answer has it and `backoff_base * 2**attempt` otherwise;
    a wait longer than `max_retry_wait` is not attempted and the error is raised instead.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 10,
        max_retries: int = 3,
        backoff_base: float = 0.5,
        max_retry_wait: float = 30,
        max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if max_image_bytes < 1:
            raise ValueError("max_image_bytes must be >= 1")
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._timeout = timeout
        self._max_retries = max_retries
        self._backoff_base = backoff_base
        self._max_retry_wait = max_retry_wait
        self._max_image_bytes = max_image_bytes
        self._sleep = sleep
        self._opener = urllib.request.build_opener(_HTTPHandler(), _HTTPSHandler())

    def register(
        self,
        user_id: str,
        image_bytes: bytes | None = None,
        *,
        liveness_session_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Registration:
        """Store the user's first reference: an image, or the reference frame of a completed
        Face Liveness session of this user (`liveness_session_id`); pass exactly one.

        Raises AlreadyRegisteredError, a face/image error (422/400/413), a liveness error
        (409 LIVENESS_SESSION_*, 422 LIVENESS_FAILED or LIVENESS_REQUIRED) or another
        FaceAuthClientError; TypeError unless exactly one selfie is given.
        """
        body = self._selfie_body(image_bytes, liveness_session_id)
        answer = self._call("POST", _registration_path(user_id), body, key=idempotency_key)
        return Registration.from_json(answer)

    def replace_reference(
        self,
        user_id: str,
        image_bytes: bytes | None = None,
        *,
        liveness_session_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Registration:
        """Replace the user's reference (re-enrolment) with an image or a completed liveness
        session's frame; pass exactly one. Raises UserNotRegisteredError, the errors of
        register, and TypeError unless exactly one selfie is given."""
        body = self._selfie_body(image_bytes, liveness_session_id)
        answer = self._call("PUT", _registration_path(user_id), body, key=idempotency_key)
        return Registration.from_json(answer)

    def verify(
        self,
        user_id: str,
        image_bytes: bytes | None = None,
        *,
        liveness_session_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Verification:
        """Compare a capture (an image, or a completed liveness session's frame; exactly one)
        with the user's reference; a FAIL is a result, not an exception.

        Raises UserNotRegisteredError, UserLockedError (with retry_after), a face/image
        error, a liveness error (LivenessFailedError counts as a failed verification; the
        LIVENESS_SESSION_* errors mean: start a new session), and TypeError unless exactly
        one selfie is given.
        """
        body = self._selfie_body(image_bytes, liveness_session_id)
        path = f"/users/{_quote_user(user_id)}/verification"
        return Verification.from_json(self._call("POST", path, body, key=idempotency_key))

    def start_liveness_session(
        self, user_id: str, *, idempotency_key: str | None = None
    ) -> LivenessSession:
        """Create a Face Liveness session for the user's next selfie (valid about 3 minutes).

        A retry with the same `idempotency_key` returns the same session. Raises
        LivenessUnavailableError (501) where the deployment has no liveness service (the
        local stack), or another FaceAuthClientError.
        """
        path = f"/users/{_quote_user(user_id)}/liveness-sessions"
        return LivenessSession.from_json(self._call("POST", path, key=idempotency_key))

    def status(self, user_id: str) -> UserStatus:
        """Return registration, last verification and lock state; unknown users are unregistered."""
        return UserStatus.from_json(self._call("GET", f"/users/{_quote_user(user_id)}"))

    def erase(self, user_id: str, *, idempotency_key: str | None = None) -> None:
        """Erase the user's reference and captures. Idempotent."""
        self._call("DELETE", _registration_path(user_id), key=idempotency_key)

    def health(self) -> Health:
        """Return the API's health; raises DependencyUnavailableError when its database is down."""
        return Health.from_json(self._call("GET", "/health", authenticated=False))

    def _selfie_body(
        self, image_bytes: bytes | None, liveness_session_id: str | None
    ) -> dict[str, str]:
        if image_bytes is not None and liveness_session_id is None:
            return self._image_body(image_bytes)
        if liveness_session_id is not None and image_bytes is None:
            return {"livenessSessionId": _liveness_session_id(liveness_session_id)}
        raise TypeError("pass exactly one of image_bytes or liveness_session_id")

    def _image_body(self, image_bytes: bytes) -> dict[str, str]:
        if len(image_bytes) > self._max_image_bytes:
            raise ImageTooLargeError(
                ImageTooLargeError.status,
                f"The image is {len(image_bytes)} bytes; the API accepts at most "
                f"{self._max_image_bytes} bytes (max_image_bytes).",
            )
        return {"image": base64.b64encode(image_bytes).decode("ascii")}

    def _call(
        self,
        method: str,
        path: str,
        payload: Mapping[str, Any] | None = None,
        *,
        authenticated: bool = True,
        key: str | None = None,
    ) -> Any:
        headers = {"Accept": "application/json", "User-Agent": f"faceauth-client/{__version__}"}
        if authenticated:
            headers["x-api-key"] = self._api_key
        if method in _KEYED_METHODS:
            headers[IDEMPOTENCY_HEADER] = _idempotency_key(key)
        data = None
        if payload is not None:
            data = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        attempt = 0
        while True:
            failure: FaceAuthApiError | TransportError
            try:
                answer = self._send(method, path, headers, data)
            except TransportError as exc:
                failure = exc
            else:
                if answer.status < 400:
                    return _json_or_none(answer)
                failure = _api_error(answer)
            wait = self._retry_wait(failure, attempt)
            if wait is None:
                raise failure
            self._sleep(wait)
            attempt += 1

    def _retry_wait(self, error: FaceAuthApiError | TransportError, attempt: int) -> float | None:
        if attempt >= self._max_retries:
            return None
        if isinstance(error, FaceAuthApiError) and not error.retryable:
            return None
        wait = error.retry_after if isinstance(error, FaceAuthApiError) else None
        if wait is None:
            wait = self._backoff_base * 2**attempt
        return wait if wait <= self._max_retry_wait else None

    def _send(self, method: str, path: str, headers: dict[str, str], data: bytes | None) -> _Answer:
        # The scheme is checked in __init__, so the opener cannot be pointed at file: URLs.
        url = self._base_url + path
        request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                return _Answer(
                    response.status, response.headers.get("Retry-After"), response.read()
                )
        except urllib.error.HTTPError as exc:
            with exc:
                return _Answer(exc.code, exc.headers.get("Retry-After"), exc.read())
        except TimeoutError as exc:
            raise RequestTimeoutError(f"{method} {path}: no answer in {self._timeout} s") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, socket.timeout | TimeoutError):
                raise RequestTimeoutError(
                    f"{method} {path}: no answer in {self._timeout} s"
                ) from exc
            raise TransportError(f"{method} {path}: {exc.reason}") from exc
        except (ConnectionError, OSError, http.client.HTTPException) as exc:
            raise TransportError(f"{method} {path}: {exc}") from exc


class _AnswerFirstHTTPConnection(http.client.HTTPConnection):
    """Reads the answer even when the server stopped reading the body (a 413 before it all
    arrived): the answer, or the lack of one, then decides what the caller sees."""

    def send(self, data: Any) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().send(data)


class _AnswerFirstHTTPSConnection(http.client.HTTPSConnection):
    """The same for HTTPS."""

    def send(self, data: Any) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().send(data)


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_AnswerFirstHTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_AnswerFirstHTTPSConnection, req)


def _idempotency_key(key: str | None) -> str:
    if key is None:
        return str(uuid.uuid4())
    try:
        return str(uuid.UUID(key))
    except ValueError:
        raise ValueError("idempotency_key must be a UUID") from None


def _liveness_session_id(session_id: str) -> str:
    # The API takes the lower-case hyphenated form that start_liveness_session returns.
    try:
        return str(uuid.UUID(session_id))
    except ValueError:
        raise ValueError("liveness_session_id must be a UUID (a sessionId)") from None


def _quote_user(user_id: str) -> str:
    if not USER_ID_PATTERN.fullmatch(user_id):
        raise ValueError("user_id must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'")
    return urllib.parse.quote(user_id, safe="")


def _registration_path(user_id: str) -> str:
    return f"/users/{_quote_user(user_id)}/registration"


def _json_or_none(answer: _Answer) -> Any:
    if not answer.body:
        return None
    try:
        return json.loads(answer.body)
    except ValueError as exc:
        raise InvalidResponseError(f"answer {answer.status} is not JSON") from exc


def _api_error(answer: _Answer) -> FaceAuthApiError:
    code: str | None = None
    message: str | None = None
    try:
        body = json.loads(answer.body) if answer.body else None
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            code = error.get("code") if isinstance(error.get("code"), str) else None
            message = str(error["message"]) if "message" in error else None
        elif isinstance(body.get("message"), str):  # API Gateway's own answers
            message = body["message"]
    error_class = _error_class(answer.status, code)
    retry_after = _retry_after(answer.retry_after)
    return error_class(answer.status, message or error_class.default_message, retry_after, code)


def _error_class(status: int, code: str | None) -> type[FaceAuthApiError]:
    """The class of an error answer: by its code, or by its status when it has no error body."""
    if code is not None:
        return ERRORS_BY_CODE.get(code, FaceAuthApiError)  # a newer code keeps the base class
    if status in ERRORS_BY_STATUS:
        return ERRORS_BY_STATUS[status]
    return OTHER_5XX_ERROR if status >= 500 else OTHER_4XX_ERROR


def _retry_after(value: str | None) -> float | None:
    """Parse Retry-After: delay-seconds or an HTTP-date (RFC 9110 10.2.3)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
