"""Typed Python client for the faceauth selfie-login API (contract v1)."""

from faceauth_client import api_errors
from faceauth_client._version import __version__
from faceauth_client.api_errors import *  # noqa: F403 - one class per code of the error table
from faceauth_client.client import Client
from faceauth_client.errors import (
    FaceAuthApiError,
    FaceAuthClientError,
    InvalidResponseError,
    RequestTimeoutError,
    TransportError,
)
from faceauth_client.models import (
    Health,
    LastVerification,
    LivenessSession,
    Registration,
    UserStatus,
    Verification,
)

__all__ = [
    "Client",
    "FaceAuthApiError",
    "FaceAuthClientError",
    "Health",
    "InvalidResponseError",
    "LastVerification",
    "LivenessSession",
    "Registration",
    "RequestTimeoutError",
    "TransportError",
    "UserStatus",
    "Verification",
    "__version__",
]
__all__ += api_errors.__all__
