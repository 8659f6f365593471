"""The Idempotency-Key header on POST/PUT/DELETE, as a resolver middleware around the
route: a retry of a request returns its first final answer (faceauth.domain.idempotency)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from compare.errors import is_final, response_for
from faceauth.domain.deadline import Deadline
from faceauth.domain.idempotency import Answer, Idempotency
from faceauth.errors import FaceAuthError, InvalidRequest

HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
_METHODS = ("POST", "PUT", "DELETE")


def idempotent_writes(
    idempotency: Callable[[], Idempotency], deadline: Callable[[], Deadline]
) -> Callable[[APIGatewayRestResolver, NextMiddleware], Response[Any]]:
    """The middleware, given how to reach the container's Idempotency and the request's
    deadline."""

    def middleware(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
        event = app.current_event
        raw_key = (event.headers or {}).get(HEADER)
        if event.http_method not in _METHODS or raw_key is None:
            return next_middleware(app)
        key = _canonical_key(raw_key)
        first: list[Response[Any]] = []

        def run() -> Answer:
            try:
                response = next_middleware(app)
            except FaceAuthError as exc:
                response = response_for(exc)
            first.append(response)
            return Answer(response.status_code, _text(response.body))

        answer, replayed = idempotency().run_once(
            key,
            _fingerprint(event.http_method, event.path, event.body),
            deadline(),
            run,
            lambda answer: is_final(answer.status, answer.body),
        )
        if not replayed:
            return first[0]
        body = answer.body or None  # a 204 has no body, and so no media type
        return Response(
            answer.status,
            "application/json" if body else None,
            body,
            headers={REPLAYED_HEADER: "true"},
        )

    return middleware


def _canonical_key(raw: str) -> str:
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError as exc:
        raise InvalidRequest("The Idempotency-Key header must be a UUID.") from exc


def _fingerprint(method: str, path: str, body: str | None) -> str:
    digest = hashlib.sha256()
    for part in (method, path, body or ""):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _text(body: Any) -> str:
    if body is None:
        return ""
    if isinstance(body, bytes):
        return body.decode()
    if isinstance(body, str):
        return body
    return json.dumps(body, separators=(",", ":"), default=str)
