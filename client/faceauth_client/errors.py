"""The exceptions the client raises on purpose: the bases, transport failures, bad answers.

The API's error answers raise subclasses of `FaceAuthApiError`, one per code of the API's
error table; they are generated into `api_errors.py` by `scripts/gen_client_errors.py`.
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
    """The API answered with an error (or would have: IMAGE_TOO_LARGE is checked before sending).

    Each subclass carries its row of the error table as class attributes: `code`, `status`
    (the HTTP status the API gives it), `retryable` (the same request may succeed later) and
    `default_message`. An instance carries the answer: `code` as sent (a code newer than this
    client raises this base class with that code), `status` as answered (e.g. 504 for a
    gateway timeout), `message`, and `retry_after`: the Retry-After seconds, or None.
    """

    code: str = "UNKNOWN_ERROR"
    status: int = 0
    retryable: ClassVar[bool] = False
    default_message: ClassVar[str] = "The API answered with an error."

    def __init__(
        self,
        status: int,
        message: str,
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        self.code = code or type(self).code
        super().__init__(f"{self.code} ({status}): {message}")
        self.status = status
        self.message = message
        self.retry_after = retry_after
