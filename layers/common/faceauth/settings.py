"""Every tunable of faceauth, parsed once from the environment into one typed object.

Each field says which Lambda functions read it (``used_by``): Terraform must give each of
those functions the variable, from one Terraform variable (tests/terraform checks this).
Fields used by no function are for local runs only (`make run`, the tests).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

COMPARE = "compare"
PURGE = "purge"
MIGRATE = "migrate"
FUNCTIONS = (COMPARE, PURGE, MIGRATE)
_DATABASE = (COMPARE, PURGE, MIGRATE)
_IMAGE_STORE = (COMPARE, PURGE)


def setting(default: Any, *, used_by: tuple[str, ...], **constraints: Any) -> Any:
    """A settings field that records which functions read it."""
    return Field(default, json_schema_extra={"used_by": list(used_by)}, **constraints)


class Settings(BaseSettings):
    """Configuration shared by the compare API, the purge and the local stack.

    Each field reads ``FACEAUTH_<NAME>`` (``DATABASE_URL`` is accepted unprefixed too).
    """

    model_config = SettingsConfigDict(env_prefix="FACEAUTH_", frozen=True, extra="ignore")

    # Decision
    pass_threshold: float = setting(90.0, used_by=(COMPARE,), ge=0, le=100)

    # Lockout (NIST SP 800-63B 5.2.3: at most a handful of consecutive failures)
    lockout_max_failures: int = setting(5, used_by=(COMPARE,), ge=1)
    lockout_minutes: int = setting(15, used_by=(COMPARE,), ge=1)

    # Image limits. 4 MB decoded keeps base64 (+33 %) under Lambda's 6 MB payload.
    max_image_bytes: int = setting(4 * 1024 * 1024, used_by=(COMPARE,), ge=1024)
    max_image_pixels: int = setting(25_000_000, used_by=(COMPARE,), ge=10_000)
    min_image_side: int = setting(80, used_by=(COMPARE,), ge=1)

    # Retention of captured images (the purge); references live until erased or replaced.
    pass_retention_days: int = setting(3, used_by=(PURGE,), ge=0)
    fail_retention_days: int = setting(28, used_by=(PURGE,), ge=0)
    # Concurrent ListObjectVersions calls of the purge in a versioned bucket.
    purge_list_workers: int = setting(64, used_by=(PURGE,), ge=1, le=256)

    # Storage and engines
    images_bucket: str = setting("faceauth-images", used_by=_IMAGE_STORE)
    s3_endpoint_url: str | None = setting(None, used_by=())  # local S3 only
    aws_timeout_seconds: float = setting(5.0, used_by=_IMAGE_STORE, gt=0)
    face_engine: Literal["rekognition", "local"] = setting("rekognition", used_by=(COMPARE,))
    rekognition_max_attempts: int = setting(3, used_by=(COMPARE,), ge=1, le=5)
    rekognition_quality_filter: Literal["NONE", "AUTO", "LOW", "MEDIUM", "HIGH"] = setting(
        "AUTO", used_by=(COMPARE,)
    )
    # The registration gate: the face's share of the image, detection confidence, pose.
    rekognition_min_face_ratio: float = setting(0.1, used_by=(COMPARE,), gt=0, lt=1)
    rekognition_min_confidence: float = setting(90.0, used_by=(COMPARE,), ge=0, le=100)
    rekognition_max_pose_degrees: float = setting(45.0, used_by=(COMPARE,), gt=0, le=90)
    # Face Liveness: "off", "optional" (an image or a liveness session), "required" (only a
    # liveness session of the same user, at or above the confidence, may pass or register).
    liveness: Literal["off", "optional", "required"] = setting("optional", used_by=(COMPARE,))
    liveness_min_confidence: float = setting(80.0, used_by=(COMPARE,), ge=0, le=100)
    liveness_audit_images: int = setting(2, used_by=(COMPARE,), ge=0, le=4)
    # The local engine (dlib) never runs in Lambda.
    local_min_face_px: int = setting(60, used_by=(), ge=20)
    local_max_side: int = setting(1024, used_by=(), ge=320)

    # Database: a URL locally, a Secrets Manager secret in AWS.
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("FACEAUTH_DATABASE_URL", "DATABASE_URL"),
        json_schema_extra={"used_by": []},
    )
    db_secret_arn: str | None = setting(None, used_by=_DATABASE)
    db_host: str | None = setting(None, used_by=_DATABASE)
    db_port: int = setting(3306, used_by=_DATABASE)
    db_name: str = setting("faceauth", used_by=_DATABASE)
    db_tls_ca_path: str | None = setting(None, used_by=_DATABASE)
    db_connect_timeout_seconds: int = setting(3, used_by=_DATABASE, ge=1)
    db_secret_max_age_seconds: int = setting(300, used_by=_DATABASE, ge=0)

    # Seconds a client should wait before retrying after a dependency failure.
    retry_after_seconds: int = setting(2, used_by=(COMPARE, PURGE), ge=1)

    # Requests: every retry and wait fits the time the invocation has left minus this margin,
    # kept for deleting what a failed request stored and answering.
    cleanup_margin_seconds: float = setting(3.0, used_by=(COMPARE,), ge=0.5, le=10)
    # A run in flight is surely over this long after its request's deadline; until then it
    # counts against the lockout budget and an erasure waits for it.
    pending_grace_seconds: int = setting(30, used_by=(COMPARE,), ge=1, le=300)
    # How long an Idempotency-Key and its first answer are kept.
    idempotency_ttl_hours: int = setting(24, used_by=(COMPARE,), ge=1, le=24 * 7)

    # Browser origins allowed to call the API (CORS), comma-separated; none by default.
    cors_allowed_origins: Annotated[tuple[str, ...], NoDecode] = setting((), used_by=(COMPARE,))

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(origin.strip() for origin in value.split(",") if origin.strip())
        return value


def settings_used_by(function: str) -> dict[str, str]:
    """The environment variables ``function`` reads in AWS, mapped to their field names."""
    prefix = Settings.model_config.get("env_prefix", "")
    used: dict[str, str] = {}
    for name, field in Settings.model_fields.items():
        extra = field.json_schema_extra
        readers = extra.get("used_by") if isinstance(extra, dict) else None
        if isinstance(readers, list) and function in readers:
            used[f"{prefix}{name}".upper()] = name
    return used


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
