"""The API's errors: the one error table (error_codes.json, shared with the OpenAPI
document, API Gateway's gateway responses and the typed client) and the resolver's
exception handlers. Every failure leaves as {"error": {"code", "message"}}: never a bare 500.
"""

from __future__ import annotations

import binascii
import json
from dataclasses import dataclass
from http import HTTPStatus
from importlib import resources
from typing import Any, Literal, cast

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.depends import DependencyResolutionError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.metrics import MetricUnit

from compare.schemas import ErrorResponse
from faceauth import errors
from faceauth.observability import add_dimensioned_metric, logger

INTERNAL_ERROR = "INTERNAL_ERROR"
NOT_FOUND = "NOT_FOUND"


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """One row of the error table."""

    code: str
    status: int
    retryable: bool
    retry_after: int | Literal["computed"] | None
    message: str


def _load_table() -> tuple[dict[str, ErrorSpec], dict[str, dict[str, Any]]]:
    raw = json.loads(resources.files("compare").joinpath("error_codes.json").read_text())
    table = {
        code: ErrorSpec(code, row["status"], row["retryable"], row["retryAfter"], row["message"])
        for code, row in raw["errors"].items()
    }
    return table, raw["gatewayResponses"]


ERROR_TABLE, GATEWAY_RESPONSES = _load_table()


def spec_for(exc: errors.FaceAuthError) -> ErrorSpec:
    """The table row of an error: its own code's, else the nearest base class's, so a new
    subclass never becomes a 500."""
    for cls in type(exc).__mro__:
        code = vars(cls).get("code")
        if code in ERROR_TABLE:
            return ERROR_TABLE[code]
    return ERROR_TABLE[INTERNAL_ERROR]


def error_response(
    code: str, message: str | None = None, retry_after: float | None = None
) -> Response[Any]:
    """The answer for an error code of the table (counted in the Errors metric)."""
    spec = ERROR_TABLE[code]
    headers = {}
    if spec.retry_after == "computed" and retry_after is not None:
        headers["Retry-After"] = str(int(retry_after))
    elif isinstance(spec.retry_after, int):
        headers["Retry-After"] = str(spec.retry_after)
    add_dimensioned_metric("Errors", 1, MetricUnit.Count, ErrorCode=code)
    return Response(
        status_code=spec.status,
        content_type="application/json",
        body=json.dumps({"error": {"code": code, "message": message or spec.message}}),
        headers=headers,
    )


def response_for(exc: errors.FaceAuthError) -> Response[Any]:
    """The answer for a domain error, by the table."""
    if isinstance(exc, errors.DependencyUnavailable):
        logger.warning("dependency unavailable", extra={"dependency": exc.dependency})
        # Which dependency failed, as a metric: the alarms on one service (Face Liveness)
        # must not fire on another's faults, which all answer DEPENDENCY_UNAVAILABLE.
        add_dimensioned_metric("DependencyFaults", 1, MetricUnit.Count, Dependency=exc.dependency)
    retry_after = exc.retry_after_seconds if isinstance(exc, errors.RetryLater) else None
    return error_response(spec_for(exc).code, exc.message, retry_after)


def is_final(status: int, body: str) -> bool:
    """Whether an answer is the request's final answer (kept for idempotent retries): a
    success, or an error the table does not call retryable."""
    if status < HTTPStatus.BAD_REQUEST:
        return True
    try:
        code = json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return False
    spec = ERROR_TABLE.get(code)
    return spec is not None and not spec.retryable and status < HTTPStatus.INTERNAL_SERVER_ERROR


ERROR_CODES_KEY = "x-error-codes"


def error_responses(*documented: type[errors.FaceAuthError]) -> dict[int, OpenAPIResponse]:
    """OpenAPI `responses` for a route: the given errors and 503, each status with the list
    of its codes as data (``x-error-codes``, which scripts/gen_openapi.py turns into the
    description and one example per code)."""
    by_status: dict[int, list[str]] = {}
    listed: tuple[type[errors.FaceAuthError], ...] = (*documented, errors.DependencyUnavailable)
    for error in listed:
        spec = ERROR_TABLE[error.code]
        codes = by_status.setdefault(spec.status, [])
        if spec.code not in codes:
            codes.append(spec.code)
    return cast(
        dict[int, OpenAPIResponse],
        {
            status: {
                "description": HTTPStatus(status).phrase,
                "content": {"application/json": {"model": ErrorResponse}},
                ERROR_CODES_KEY: codes,
            }
            for status, codes in by_status.items()
        },
    )


# What the OpenAPI document lists per kind of route (with 503, which every route has).
IDEMPOTENCY_ERRORS = (
    errors.InvalidRequest,
    errors.IdempotencyKeyInUse,
    errors.IdempotencyKeyReused,
)
IMAGE_ERRORS = (
    errors.InvalidBase64,
    errors.InvalidImage,
    errors.ImageTooLarge,
    errors.UnsupportedMediaType,
)
FACE_ERRORS = (errors.NoFaceDetected, errors.MultipleFaces, errors.FaceTooSmall)
LIVENESS_ERRORS = (
    errors.LivenessSessionInvalid,
    errors.LivenessSessionExpired,
    errors.LivenessSessionIncomplete,
    errors.LivenessFailed,
    errors.LivenessRequired,
    errors.LivenessUnavailable,
)
SELFIE_ROUTE_ERRORS = (*IDEMPOTENCY_ERRORS, *IMAGE_ERRORS, *FACE_ERRORS, *LIVENESS_ERRORS)


def _not_json(_exc: RequestUnsupportedContentType) -> Response[Any]:
    return response_for(errors.UnsupportedMediaType())


def _invalid_request(exc: RequestValidationError) -> Response[Any]:
    return response_for(errors.InvalidRequest(_describe(exc.errors())))


def _bad_base64_body(_exc: binascii.Error) -> Response[Any]:
    # A base64-encoded proxy body that is not base64 fails inside Powertools itself.
    return response_for(errors.InvalidBase64())


def _undecodable_body(_exc: UnicodeDecodeError) -> Response[Any]:
    # A binary (base64-encoded) proxy body that is not UTF-8 cannot be JSON.
    return response_for(errors.InvalidRequest("The body is not UTF-8 encoded JSON."))


def _unresolved_dependency(exc: DependencyResolutionError) -> Response[Any]:
    # Building the service failed (e.g. the database secret could not be read).
    if isinstance(exc.__cause__, errors.FaceAuthError):
        return response_for(exc.__cause__)
    return _unexpected(exc)


def _not_found(_exc: Exception) -> Response[Any]:
    return error_response(NOT_FOUND)


def _unexpected(exc: Exception) -> Response[Any]:
    logger.exception("unhandled error", extra={"error_type": type(exc).__name__})
    return error_response(INTERNAL_ERROR)


def register_error_handlers(app: APIGatewayRestResolver) -> None:
    """Map every exception the routes can raise to the error body and status."""
    app.exception_handler(errors.FaceAuthError)(response_for)
    app.exception_handler(RequestUnsupportedContentType)(_not_json)
    app.exception_handler(RequestValidationError)(_invalid_request)
    app.exception_handler(binascii.Error)(_bad_base64_body)
    app.exception_handler(UnicodeDecodeError)(_undecodable_body)
    app.exception_handler(DependencyResolutionError)(_unresolved_dependency)
    app.not_found(_not_found)
    app.exception_handler(Exception)(_unexpected)


def _describe(problems: Any) -> str:
    """One readable sentence from pydantic's error list, without echoing the input."""
    parts = []
    for problem in list(problems)[:3]:
        where = ".".join(str(p) for p in problem.get("loc", ()) if p not in ("body", "path"))
        text = str(problem.get("msg", "is invalid")).removeprefix("Value error, ")
        if problem.get("type") == "json_invalid":
            return "The body is not valid JSON."
        if not where and problem.get("type") == "missing":
            return 'The body must be a JSON object like {"image": "<base64>"}.'
        parts.append(f"{where or 'body'}: {text}" if where else text)
    return "Invalid request: " + "; ".join(parts) if parts else "Invalid request."
