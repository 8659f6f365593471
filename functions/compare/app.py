"""The compare API's resolver and what its routes depend on: CORS from the settings, the
JSON-object-only body parser, the error table's handlers, the Idempotency-Key middleware,
and the per-container dependencies (`Depends`; tests replace `compare_dependencies`
through `app.dependency_overrides`) with the invocation's deadline."""

from functools import cache
from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig
from aws_lambda_powertools.event_handler.depends import Depends

from compare.errors import register_error_handlers
from compare.idempotency import idempotent_writes
from compare.requests import parse_json_object
from faceauth import bootstrap
from faceauth.domain.deadline import Deadline
from faceauth.domain.services import FaceAuthService
from faceauth.settings import get_settings


def cors_config(allowed_origins: tuple[str, ...]) -> CORSConfig | None:
    """Browser access for the configured origins only; none configured, no CORS at all."""
    if not allowed_origins:
        return None
    first, *others = allowed_origins
    return CORSConfig(
        allow_origin=first,
        extra_origins=others,
        allow_headers=["content-type", "x-api-key", "idempotency-key"],
        expose_headers=["retry-after", "idempotent-replayed"],
        max_age=600,
    )


# Settings that cannot work together stop the container at start-up, said plainly.
bootstrap.liveness_policy_mode(get_settings())

app = APIGatewayRestResolver(
    enable_validation=True,
    json_body_deserializer=parse_json_object,
    cors=cors_config(get_settings().cors_allowed_origins),
)
register_error_handlers(app)


@cache
def compare_dependencies() -> bootstrap.CompareDependencies:
    """The container's service and idempotency ledger, built on first use."""
    return bootstrap.compare_dependencies(get_settings())


Dependencies = Annotated[bootstrap.CompareDependencies, Depends(compare_dependencies)]


def _resolved_dependencies() -> bootstrap.CompareDependencies:
    provider = app.dependency_overrides.get(compare_dependencies, compare_dependencies)
    result: bootstrap.CompareDependencies = provider()
    return result


def _deadline() -> Deadline:
    """The invocation's deadline: the time Lambda gives it, minus the cleanup margin."""
    if "deadline" not in app.context:
        margin = _resolved_dependencies().cleanup_margin_seconds
        remaining = app.lambda_context.get_remaining_time_in_millis() / 1000
        app.append_context(deadline=Deadline.for_invocation(remaining, margin))  # type: ignore[no-untyped-call]
    deadline: Deadline = app.context["deadline"]
    return deadline


def service(dependencies: Dependencies) -> FaceAuthService:
    return dependencies.service


def request_deadline(_dependencies: Dependencies) -> Deadline:
    return _deadline()


Service = Annotated[FaceAuthService, Depends(service)]
RequestDeadline = Annotated[Deadline, Depends(request_deadline)]

app.use([idempotent_writes(lambda: _resolved_dependencies().idempotency, _deadline)])
