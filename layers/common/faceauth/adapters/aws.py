"""boto3 clients with explicit timeouts and bounded retries, one per service per container."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from faceauth.settings import Settings

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "SlowDown",
        "ServiceUnavailable",
        "InternalError",
        "InternalServerError",
    }
)


@cache
def _session() -> boto3.session.Session:
    return boto3.session.Session()


def aws_client(
    service: str, settings: Settings, *, total_attempts: int = 3, max_pool_connections: int = 10
) -> Any:
    """A client whose every call times out, so a slow dependency becomes a 503, not a hang.

    total_attempts counts the first try too (botocore's total_max_attempts).
    """
    config = Config(
        connect_timeout=min(2.0, settings.aws_timeout_seconds),
        read_timeout=settings.aws_timeout_seconds,
        retries={"mode": "standard", "total_max_attempts": total_attempts},
        tcp_keepalive=True,
        max_pool_connections=max_pool_connections,
    )
    endpoint = settings.s3_endpoint_url if service == "s3" else None
    return _session().client(service, config=config, endpoint_url=endpoint)  # type: ignore[call-overload]
