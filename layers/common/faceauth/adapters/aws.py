"""boto3 clients with explicit timeouts and botocore's retries off (the adapters retry within
the request's deadline, faceauth.adapters.retry), one per service per container."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config


@cache
def _session() -> boto3.session.Session:
    return boto3.session.Session()


def aws_client(
    service: str,
    *,
    timeout_seconds: float,
    endpoint_url: str | None = None,
    max_pool_connections: int = 10,
) -> Any:
    """A client whose every call times out, so a slow dependency becomes a 503, not a hang."""
    config = Config(
        connect_timeout=min(2.0, timeout_seconds),
        read_timeout=timeout_seconds,
        retries={"mode": "standard", "total_max_attempts": 1},
        tcp_keepalive=True,
        max_pool_connections=max_pool_connections,
    )
    return _session().client(service, config=config, endpoint_url=endpoint_url)  # type: ignore[call-overload]


def attempt_seconds(client: Any) -> float:
    """The longest one call of ``client`` can take: its connect plus read timeout (botocore's
    default is 60 s each when none was set)."""
    config = client.meta.config
    return float(getattr(config, "connect_timeout", None) or 60) + float(
        getattr(config, "read_timeout", None) or 60
    )
