"""The v1 API: routes only. Validation at the edge, one call into the domain, typed output.

The resolver and what the routes depend on (the service, the request's deadline) live in
compare.app; tests replace `compare_dependencies` through `app.dependency_overrides`.
"""

import hashlib
import uuid
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from compare.app import RequestDeadline, Service, app, compare_dependencies
from compare.errors import IDEMPOTENCY_ERRORS, SELFIE_ROUTE_ERRORS, error_responses
from compare.idempotency import HEADER as IDEMPOTENCY_HEADER
from compare.requests import accept_json_only, canonical_method
from compare.schemas import (
    USER_ID_PATTERN,
    HealthResponse,
    HealthStatus,
    LivenessSessionResponse,
    RegistrationResponse,
    SelfieRequest,
    UserStatusResponse,
    VerificationResponse,
)
from faceauth import errors
from faceauth.domain.images import decode_base64_image
from faceauth.domain.liveness import LivenessSelfie, Selfie, UploadedSelfie
from faceauth.domain.model import RegistrationReceipt
from faceauth.domain.services import FaceAuthService
from faceauth.observability import add_dimensioned_metric, logger, metrics, tracer, user_ref

__all__ = ["app", "compare_dependencies", "lambda_handler"]


UserId = Annotated[str, Path(pattern=USER_ID_PATTERN, description="The app's user id.")]
SelfieBody = Annotated[SelfieRequest, Body()]


def _request_id() -> str:
    return app.current_event.request_context.request_id


def _selfie(body: SelfieRequest, service: FaceAuthService) -> Selfie:
    if body.liveness_session_id is not None:
        return LivenessSelfie(body.liveness_session_id)
    assert body.image is not None  # the schema wants exactly one of the two
    return UploadedSelfie(decode_base64_image(body.image, service.image_limits))


def _registration(receipt: RegistrationReceipt) -> RegistrationResponse:
    metrics.add_metric(name="Registrations", unit=MetricUnit.Count, value=1)
    return RegistrationResponse.of(receipt)


@app.post(
    "/users/<userId>/registration",
    summary="Register the user's reference selfie",
    responses={
        201: {"description": "Registered"},
        **error_responses(errors.AlreadyRegistered, *SELFIE_ROUTE_ERRORS),
    },
    tags=["registration"],
)
def register(
    userId: UserId,  # noqa: N803
    body: SelfieBody,
    service: Service,
    deadline: RequestDeadline,
) -> Response[RegistrationResponse]:
    logger.append_keys(user_ref=user_ref(userId))
    receipt = service.register_reference(userId, _selfie(body, service), deadline, _request_id())
    return Response(HTTPStatus.CREATED, "application/json", _registration(receipt))


@app.put(
    "/users/<userId>/registration",
    summary="Replace the reference selfie (re-enrolment); the old image is deleted",
    responses={
        200: {"description": "Reference replaced"},
        **error_responses(errors.UserNotRegistered, *SELFIE_ROUTE_ERRORS),
    },
    tags=["registration"],
)
def replace_registration(
    userId: UserId,  # noqa: N803
    body: SelfieBody,
    service: Service,
    deadline: RequestDeadline,
) -> RegistrationResponse:
    logger.append_keys(user_ref=user_ref(userId))
    selfie = _selfie(body, service)
    return _registration(service.replace_reference(userId, selfie, deadline, _request_id()))


@app.delete(
    "/users/<userId>/registration",
    summary="Erase the user's reference and every stored capture (right to erasure)",
    responses={
        204: {"description": "Erased (or nothing to erase)"},
        **error_responses(*IDEMPOTENCY_ERRORS),
    },
    tags=["registration"],
)
def erase_registration(
    userId: UserId,  # noqa: N803
    service: Service,
    deadline: RequestDeadline,
) -> Response[None]:
    logger.append_keys(user_ref=user_ref(userId))
    service.erase_user(userId, deadline)
    return Response(HTTPStatus.NO_CONTENT, None, None)  # no body, so no media type


@app.post(
    "/users/<userId>/liveness-sessions",
    summary="Start a Face Liveness session for the user's next selfie",
    responses={
        201: {"description": "Created: hand sessionId to the Face Liveness component"},
        **error_responses(*IDEMPOTENCY_ERRORS, errors.LivenessUnavailable),
    },
    tags=["liveness"],
)
def start_liveness_session(
    userId: UserId,  # noqa: N803
    service: Service,
    deadline: RequestDeadline,
) -> Response[LivenessSessionResponse]:
    logger.append_keys(user_ref=user_ref(userId))
    created = service.start_liveness_session(userId, _client_token(userId), deadline)
    metrics.add_metric(name="LivenessSessions", unit=MetricUnit.Count, value=1)
    return Response(HTTPStatus.CREATED, "application/json", LivenessSessionResponse.of(created))


def _client_token(user_id: str) -> str:
    """The liveness service's idempotency token: a retried create (same Idempotency-Key)
    gets the same session; without a key, every create is a new session."""
    key = (app.current_event.headers or {}).get(IDEMPOTENCY_HEADER) or str(uuid.uuid4())
    return hashlib.sha256(f"{user_id}\0{key}".encode()).hexdigest()


@app.post(
    "/users/<userId>/verification",
    summary="Verify a selfie against the reference; answers PASS or FAIL",
    responses={
        200: {"description": "Decided: PASS or FAIL"},
        **error_responses(
            errors.UserNotRegistered,
            errors.UserLocked,
            errors.VerificationInProgress,
            *SELFIE_ROUTE_ERRORS,
        ),
    },
    tags=["verification"],
)
def verify(
    userId: UserId,  # noqa: N803
    body: SelfieBody,
    service: Service,
    deadline: RequestDeadline,
) -> VerificationResponse:
    logger.append_keys(user_ref=user_ref(userId))
    outcome = service.verify_capture(userId, _selfie(body, service), deadline, _request_id())
    metrics.add_metric(
        name="FaceEngineLatency", unit=MetricUnit.Milliseconds, value=outcome.engine_seconds * 1000
    )
    metrics.add_metric(name="Similarity", unit=MetricUnit.NoUnit, value=outcome.similarity)
    add_dimensioned_metric("Verifications", 1, MetricUnit.Count, Result=outcome.result.value)
    logger.info("verification decided", extra={"result": outcome.result.value})
    return VerificationResponse.of(outcome)


@app.get(
    "/users/<userId>",
    summary="Registration, last verification and lock state of a user",
    responses={200: {"description": "The user's state"}, **error_responses()},
    tags=["users"],
)
def user_status(userId: UserId, service: Service) -> UserStatusResponse:  # noqa: N803
    return UserStatusResponse.of(service.get_status(userId))


@app.get(
    "/health",
    summary="200 when the database answers",
    responses={200: {"description": "The database answers"}, **error_responses()},
    tags=["health"],
)
def health(service: Service) -> HealthResponse:
    service.check_health()
    return HealthResponse(status=HealthStatus.OK)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    canonical_method(event)
    accept_json_only(event)
    return app.resolve(event, context)
