"""The one error table of the API (domain error code -> HTTP status) and the resolver's
exception handlers. Every failure leaves as {"error": {"code", "message"}}: never a bare 500."""

from __future__ import annotations

import binascii
import json
from http import HTTPStatus
from typing import Any, cast

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.metrics import MetricUnit

from compare.models import ErrorResponse
from faceauth import errors
from faceauth.observability import add_dimensioned_metric, logger

STATUS_BY_ERROR: dict[type[errors.FaceAuthError], HTTPStatus] = {
    errors.InvalidRequest: HTTPStatus.BAD_REQUEST,
    errors.InvalidBase64: HTTPStatus.BAD_REQUEST,
    errors.InvalidImage: HTTPStatus.BAD_REQUEST,
    errors.ImageTooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    errors.UnsupportedMediaType: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    errors.NoFaceDetected: HTTPStatus.UNPROCESSABLE_ENTITY,
    errors.MultipleFaces: HTTPStatus.UNPROCESSABLE_ENTITY,
    errors.FaceTooSmall: HTTPStatus.UNPROCESSABLE_ENTITY,
    errors.UserNotRegistered: HTTPStatus.NOT_FOUND,
    errors.AlreadyRegistered: HTTPStatus.CONFLICT,
    errors.UserLocked: HTTPStatus.LOCKED,
    errors.DependencyUnavailable: HTTPStatus.SERVICE_UNAVAILABLE,
}

_IMAGE_ERRORS = (
    errors.InvalidRequest,
    errors.InvalidBase64,
    errors.InvalidImage,
    errors.ImageTooLarge,
    errors.UnsupportedMediaType,
)
_FACE_ERRORS = (errors.NoFaceDetected, errors.MultipleFaces, errors.FaceTooSmall)


def error_responses(*extra: type[errors.FaceAuthError]) -> dict[int, OpenAPIResponse]:
    """OpenAPI `responses` for a route: the given errors and 503, codes listed per status."""
    documented: dict[int, dict[str, Any]] = {}
    listed: tuple[type[errors.FaceAuthError], ...] = (*extra, errors.DependencyUnavailable)
    for error in listed:
        status = STATUS_BY_ERROR[error]
        entry = documented.setdefault(
            int(status),
            {
                "description": status.phrase,
                "content": {"application/json": {"model": ErrorResponse}},
            },
        )
        codes = entry.setdefault("x-error-codes", [])
        if error.code not in codes:
            codes.append(error.code)
    for entry in documented.values():
        entry["description"] = f"{entry['description']}: {', '.join(entry.pop('x-error-codes'))}"
    return cast(dict[int, OpenAPIResponse], documented)


IMAGE_ROUTE_ERRORS = (*_IMAGE_ERRORS, *_FACE_ERRORS)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response[Any]:
    add_dimensioned_metric("Errors", 1, MetricUnit.Count, ErrorCode=code)
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps({"error": {"code": code, "message": message}}),
        headers=headers or {},
    )


def _domain_error(exc: errors.FaceAuthError) -> Response[Any]:
    status = STATUS_BY_ERROR.get(type(exc), HTTPStatus.INTERNAL_SERVER_ERROR)
    headers = {}
    if isinstance(exc, errors.DependencyUnavailable | errors.UserLocked):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    if isinstance(exc, errors.DependencyUnavailable):
        logger.warning("dependency unavailable", extra={"dependency": exc.dependency})
    return error_response(status, exc.code, exc.message, headers)


def _not_json(_exc: RequestUnsupportedContentType) -> Response[Any]:
    return _domain_error(errors.UnsupportedMediaType())


def _invalid_request(exc: RequestValidationError) -> Response[Any]:
    return error_response(
        HTTPStatus.BAD_REQUEST, errors.InvalidRequest.code, _describe(exc.errors())
    )


def _bad_base64_body(_exc: binascii.Error) -> Response[Any]:
    # A base64-encoded proxy body that is not base64 fails inside Powertools itself.
    return _domain_error(errors.InvalidBase64())


def _undecodable_body(_exc: UnicodeDecodeError) -> Response[Any]:
    # A binary (base64-encoded) proxy body that is not UTF-8 cannot be JSON.
    return _domain_error(errors.InvalidRequest("The body is not UTF-8 encoded JSON."))


def _not_found(_exc: Exception) -> Response[Any]:
    return error_response(HTTPStatus.NOT_FOUND, "NOT_FOUND", "No such resource or method.")


def _unexpected(exc: Exception) -> Response[Any]:
    logger.exception("unhandled error", extra={"error_type": type(exc).__name__})
    return error_response(
        HTTPStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "Something went wrong on our side."
    )


def register_error_handlers(app: APIGatewayRestResolver) -> None:
    """Map every exception the routes can raise to the error body and status."""
    app.exception_handler(errors.FaceAuthError)(_domain_error)
    app.exception_handler(RequestUnsupportedContentType)(_not_json)
    app.exception_handler(RequestValidationError)(_invalid_request)
    app.exception_handler(binascii.Error)(_bad_base64_body)
    app.exception_handler(UnicodeDecodeError)(_undecodable_body)
    app.not_found(_not_found)
    app.exception_handler(Exception)(_unexpected)


def _describe(problems: Any) -> str:
    """One readable sentence from pydantic's error list, without echoing the input."""
    parts = []
    for problem in list(problems)[:3]:
        where = ".".join(str(p) for p in problem.get("loc", ()) if p not in ("body", "path"))
        text = problem.get("msg", "is invalid")
        if problem.get("type") == "json_invalid":
            return "The body is not valid JSON."
        if not where and problem.get("type") == "missing":
            return 'The body must be a JSON object like {"image": "<base64>"}.'
        parts.append(f"{where or 'body'}: {text}" if where else text)
    return "Invalid request: " + "; ".join(parts) if parts else "Invalid request."
