"""Every tunable of faceauth, parsed once from the environment into one typed object."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration shared by the compare API, the purge and the local stack.

    Each field reads ``FACEAUTH_<NAME>`` (``DATABASE_URL`` is accepted unprefixed too).
    """

    model_config = SettingsConfigDict(env_prefix="FACEAUTH_", frozen=True, extra="ignore")

    # Decision
    pass_threshold: float = Field(default=90.0, ge=0, le=100)

    # Lockout (NIST SP 800-63B 5.2.3: at most a handful of consecutive failures)
    lockout_max_failures: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)

    # Image limits. 4 MB decoded keeps base64 (+33 %) under Lambda's 6 MB payload.
    max_image_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    max_image_pixels: int = Field(default=25_000_000, ge=10_000)
    min_image_side: int = Field(default=80, ge=1)

    # Retention of captured images (the purge); references live until erased or replaced.
    pass_retention_days: int = Field(default=3, ge=0)
    fail_retention_days: int = Field(default=28, ge=0)
    # Concurrent ListObjectVersions calls of the purge in a versioned bucket.
    purge_list_workers: int = Field(default=64, ge=1, le=256)

    # Storage and engines
    images_bucket: str = "faceauth-images"
    s3_endpoint_url: str | None = None
    aws_timeout_seconds: float = Field(default=5.0, gt=0)
    face_engine: Literal["rekognition", "local"] = "rekognition"
    rekognition_max_attempts: int = Field(default=3, ge=1, le=5)
    # Whole-call budget for Rekognition retries: well inside API Gateway's 29 s.
    rekognition_budget_seconds: float = Field(default=15.0, gt=0, le=25)
    rekognition_quality_filter: Literal["NONE", "AUTO", "LOW", "MEDIUM", "HIGH"] = "AUTO"
    # The registration gate: the face's share of the image, detection confidence, pose.
    rekognition_min_face_ratio: float = Field(default=0.1, gt=0, lt=1)
    rekognition_min_confidence: float = Field(default=90.0, ge=0, le=100)
    rekognition_max_pose_degrees: float = Field(default=45.0, gt=0, le=90)
    local_min_face_px: int = Field(default=60, ge=20)
    local_max_side: int = Field(default=1024, ge=320)

    # Database: a URL locally, a Secrets Manager secret in AWS.
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("FACEAUTH_DATABASE_URL", "DATABASE_URL")
    )
    db_secret_arn: str | None = None
    db_host: str | None = None
    db_port: int = 3306
    db_name: str = "faceauth"
    db_tls_ca_path: str | None = None
    db_connect_timeout_seconds: int = Field(default=3, ge=1)
    db_secret_max_age_seconds: int = Field(default=300, ge=0)

    # Seconds a client should wait before retrying after a dependency failure.
    retry_after_seconds: int = Field(default=2, ge=1)

    @model_validator(mode="after")
    def _database_is_configured(self) -> Settings:
        if not self.database_url and not self.db_secret_arn:
            raise ValueError("set FACEAUTH_DATABASE_URL (local) or FACEAUTH_DB_SECRET_ARN (AWS)")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
