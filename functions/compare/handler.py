"""The v1 API: routes only. Validation at the edge, one call into the domain, typed output."""

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from compare.errors import IMAGE_ROUTE_ERRORS, error_responses, register_error_handlers
from compare.models import (
    USER_ID_PATTERN,
    HealthResponse,
    ImageRequest,
    LastVerificationBody,
    RegistrationResponse,
    UserStatusResponse,
    VerificationResponse,
)
from faceauth import errors
from faceauth.domain.images import decode_base64_image
from faceauth.domain.model import RegistrationReceipt
from faceauth.domain.services import FaceAuthService
from faceauth.observability import add_dimensioned_metric, logger, metrics, tracer, user_ref
from faceauth.settings import get_settings
from faceauth.wiring import build_service

UserId = Annotated[str, Path(pattern=USER_ID_PATTERN, description="The app's user id.")]
ImageBody = Annotated[ImageRequest, Body()]

app = APIGatewayRestResolver(enable_validation=True)
register_error_handlers(app)

_service: FaceAuthService | None = None


def get_service() -> FaceAuthService:
    """The container's service, built on first use (keeps cold start imports small)."""
    global _service  # noqa: PLW0603 - one per container, by design
    if _service is None:
        _service = build_service(get_settings())
    return _service


def use_service(service: FaceAuthService | None) -> None:
    """Swap the service (tests, the local stack)."""
    global _service  # noqa: PLW0603
    _service = service


def _image(body: ImageRequest) -> bytes:
    return decode_base64_image(body.image, get_service().image_limits)


def _request_id() -> str:
    return app.current_event.request_context.request_id


def _registration(receipt: RegistrationReceipt) -> RegistrationResponse:
    metrics.add_metric(name="Registrations", unit=MetricUnit.Count, value=1)
    return RegistrationResponse(
        run_id=receipt.run_id, user_id=receipt.user_id, registered_at=receipt.registered_at
    )


@app.post(
    "/users/<userId>/registration",
    summary="Register the user's reference selfie",
    responses={
        201: {"description": "Registered"},
        **error_responses(errors.AlreadyRegistered, *IMAGE_ROUTE_ERRORS),
    },
    tags=["registration"],
)
def register(userId: UserId, body: ImageBody) -> Response[RegistrationResponse]:  # noqa: N803
    logger.append_keys(user_ref=user_ref(userId))
    receipt = get_service().register_reference(userId, _image(body), _request_id())
    return Response(HTTPStatus.CREATED, "application/json", _registration(receipt))


@app.put(
    "/users/<userId>/registration",
    summary="Replace the reference selfie (re-enrolment); the old image is deleted",
    responses={
        200: {"description": "Reference replaced"},
        **error_responses(errors.UserNotRegistered, *IMAGE_ROUTE_ERRORS),
    },
    tags=["registration"],
)
def replace_registration(userId: UserId, body: ImageBody) -> RegistrationResponse:  # noqa: N803
    logger.append_keys(user_ref=user_ref(userId))
    return _registration(get_service().replace_reference(userId, _image(body), _request_id()))


@app.delete(
    "/users/<userId>/registration",
    summary="Erase the user's reference and every stored capture (right to erasure)",
    responses={204: {"description": "Erased (or nothing to erase)"}, **error_responses()},
    tags=["registration"],
)
def erase_registration(userId: UserId) -> Response[None]:  # noqa: N803
    logger.append_keys(user_ref=user_ref(userId))
    get_service().erase_user(userId)
    return Response(HTTPStatus.NO_CONTENT, "application/json", None)


@app.post(
    "/users/<userId>/verification",
    summary="Verify a selfie against the reference; answers PASS or FAIL",
    responses={
        200: {"description": "Decided: PASS or FAIL"},
        **error_responses(errors.UserNotRegistered, errors.UserLocked, *IMAGE_ROUTE_ERRORS),
    },
    tags=["verification"],
)
def verify(userId: UserId, body: ImageBody) -> VerificationResponse:  # noqa: N803
    logger.append_keys(user_ref=user_ref(userId))
    outcome = get_service().verify_capture(userId, _image(body), _request_id())
    metrics.add_metric(
        name="FaceEngineLatency", unit=MetricUnit.Milliseconds, value=outcome.engine_seconds * 1000
    )
    metrics.add_metric(name="Similarity", unit=MetricUnit.NoUnit, value=outcome.similarity)
    add_dimensioned_metric("Verifications", 1, MetricUnit.Count, Result=outcome.result.value)
    logger.info("verification decided", extra={"result": outcome.result.value})
    return VerificationResponse(
        run_id=outcome.run_id,
        user_id=outcome.user_id,
        similarity=outcome.similarity,
        threshold=outcome.threshold,
        result=outcome.result.value,
        verified_at=outcome.verified_at,
    )


@app.get(
    "/users/<userId>",
    summary="Registration, last verification and lock state of a user",
    responses={200: {"description": "The user's state"}, **error_responses()},
    tags=["users"],
)
def user_status(userId: UserId) -> UserStatusResponse:  # noqa: N803
    status = get_service().get_status(userId)
    last = status.last_verification
    return UserStatusResponse(
        user_id=status.user_id,
        registered=status.registered,
        registered_at=status.registered_at,
        last_verification=LastVerificationBody(
            run_id=last.run_id,
            result=last.result.value if last.result else None,
            similarity=last.similarity,
            error_code=last.error_code,
            verified_at=last.verified_at,
        )
        if last
        else None,
        locked=status.locked,
        locked_until=status.locked_until,
        consecutive_failures=status.consecutive_failures,
    )


@app.get(
    "/health",
    summary="200 when the database answers",
    responses={200: {"description": "The database answers"}, **error_responses()},
    tags=["health"],
)
def health() -> HealthResponse:
    get_service().check_health()
    return HealthResponse(status="ok")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _accept_json_only(event)
    return app.resolve(event, context)


def _accept_json_only(event: dict[str, Any]) -> None:
    """Media types compare case-insensitively (RFC 9110), and only JSON bodies are accepted.

    Powertools would parse form and multipart bodies itself (and fail on a multipart type
    without a boundary), so any other or missing type on POST/PUT is handed to it as
    text/plain, which it refuses with RequestUnsupportedContentType: our 415.
    """
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    media_type = str(headers.get("content-type", "")).lower()
    if event.get("httpMethod") in ("POST", "PUT") and (
        media_type.split(";")[0].strip() != "application/json"
    ):
        media_type = "text/plain"
    if media_type:
        headers["content-type"] = media_type
    event["headers"] = headers
    multi = event.get("multiValueHeaders") or {}
    event["multiValueHeaders"] = {k: v for k, v in multi.items() if k.lower() != "content-type"}
