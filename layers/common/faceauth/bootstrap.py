"""The composition root: the one place that turns Settings into the object graph of every
entry point (the compare API, the purge, the migrate function, the local stack). Adapters
take plain values; only this module reads settings.

Each builder takes optional ready-made parts, so tests and the local stack replace exactly
what differs (a scripted engine, a fake clock) and get the production wiring for the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from faceauth.adapters.aws import attempt_seconds, aws_client
from faceauth.adapters.retry import RetryPolicy
from faceauth.adapters.s3_store import S3ImageStore
from faceauth.db.idempotency_ledger import SqlIdempotencyLedger
from faceauth.db.purge_queue import SqlPurgeQueue
from faceauth.db.session import Database, build_engine, url_from_secret
from faceauth.domain.idempotency import Idempotency
from faceauth.domain.images import ImageLimits
from faceauth.domain.liveness import LivenessMode, LivenessPolicy
from faceauth.domain.ports import FaceEngine, ImageStore
from faceauth.domain.purge import PurgePolicy
from faceauth.domain.services import FaceAuthService, LockoutPolicy, utc_now
from faceauth.settings import Settings

S3_MAX_ATTEMPTS = 3


class ConfigurationError(RuntimeError):
    """The settings cannot work; the message says what to set."""


def database_engine(settings: Settings) -> Engine:
    """The engine of a local URL, or of the RDS secret in AWS (TLS required).

    Raises ConfigurationError when neither is set."""
    if settings.database_url:
        url: Any = settings.database_url
    elif settings.db_secret_arn:
        url = url_from_secret(
            settings.db_secret_arn,
            host=settings.db_host,
            port=settings.db_port,
            name=settings.db_name,
            max_age_seconds=settings.db_secret_max_age_seconds,
        )
    else:
        raise ConfigurationError(
            "No database: set FACEAUTH_DATABASE_URL (local) or FACEAUTH_DB_SECRET_ARN (AWS)."
        )
    return build_engine(
        url,
        connect_timeout_seconds=settings.db_connect_timeout_seconds,
        require_tls=settings.db_secret_arn is not None and not settings.database_url,
        tls_ca_path=settings.db_tls_ca_path,
    )


def database(settings: Settings) -> Database:
    return Database(database_engine(settings), settings.retry_after_seconds)


def image_store(settings: Settings, *, list_workers: int = 8) -> S3ImageStore:
    """The S3 store; ``list_workers`` concurrent version listings (the purge wants many)."""
    client = aws_client(
        "s3",
        timeout_seconds=settings.aws_timeout_seconds,
        endpoint_url=settings.s3_endpoint_url,
        max_pool_connections=max(10, list_workers),
    )
    retry = RetryPolicy(
        "image_store",
        max_attempts=S3_MAX_ATTEMPTS,
        attempt_seconds=attempt_seconds(client),
        retry_after_seconds=settings.retry_after_seconds,
        retry_transport_errors=True,  # every S3 call we make is idempotent
    )
    return S3ImageStore(client, settings.images_bucket, retry, list_workers)


def face_engine(settings: Settings, images: ImageStore) -> FaceEngine:
    """The engine named by ``settings.face_engine``: "rekognition" or "local".

    Raises LocalModelsMissing (local engine without dlib or its model files).
    """
    if settings.face_engine == "local":
        # dlib and numpy are heavy and absent from the Lambda layer: import on demand.
        from faceauth.adapters.local_engine import LocalFaceEngine  # noqa: PLC0415

        return LocalFaceEngine(
            images, min_face_px=settings.local_min_face_px, max_side=settings.local_max_side
        )
    from faceauth.adapters.rekognition import RekognitionFaceEngine  # noqa: PLC0415

    client = aws_client("rekognition", timeout_seconds=settings.aws_timeout_seconds)
    return RekognitionFaceEngine(
        client,
        settings.images_bucket,
        retry=RetryPolicy(
            "face_engine",
            max_attempts=settings.rekognition_max_attempts,
            attempt_seconds=attempt_seconds(client),
            retry_after_seconds=settings.retry_after_seconds,
        ),
        min_face_ratio=settings.rekognition_min_face_ratio,
        min_confidence=settings.rekognition_min_confidence,
        max_pose_degrees=settings.rekognition_max_pose_degrees,
        quality_filter=settings.rekognition_quality_filter,
    )


def liveness_policy(settings: Settings) -> LivenessPolicy:
    """FACEAUTH_LIVENESS on Rekognition Face Liveness; with the local engine there is no
    liveness service. Raises ConfigurationError for "required" without one."""
    mode = liveness_policy_mode(settings)
    if settings.face_engine == "local":
        service = None
    else:
        from faceauth.adapters.rekognition_liveness import RekognitionLiveness  # noqa: PLC0415

        client = aws_client("rekognition", timeout_seconds=settings.aws_timeout_seconds)
        service = RekognitionLiveness(
            client,
            settings.images_bucket,
            RetryPolicy(
                "liveness",
                max_attempts=settings.rekognition_max_attempts,
                attempt_seconds=attempt_seconds(client),
                retry_after_seconds=settings.retry_after_seconds,
            ),
        )
    return LivenessPolicy(
        mode, settings.liveness_min_confidence, settings.liveness_audit_images, service
    )


def liveness_policy_mode(settings: Settings) -> LivenessMode:
    """The liveness mode, refused in plain words where it cannot work (called at start-up
    too). Raises ConfigurationError."""
    mode = LivenessMode(settings.liveness)
    if mode is LivenessMode.REQUIRED and settings.face_engine == "local":
        raise ConfigurationError(
            "FACEAUTH_LIVENESS=required needs FACEAUTH_FACE_ENGINE=rekognition: the local "
            "face engine has no liveness service. Use optional or off locally."
        )
    return mode


def image_limits(settings: Settings) -> ImageLimits:
    return ImageLimits(
        max_bytes=settings.max_image_bytes,
        max_pixels=settings.max_image_pixels,
        min_side=settings.min_image_side,
    )


@dataclass(frozen=True, slots=True)
class CompareDependencies:
    """What the compare API needs, once per container."""

    service: FaceAuthService
    idempotency: Idempotency
    cleanup_margin_seconds: float


def compare_dependencies(
    settings: Settings,
    *,
    db: Database | None = None,
    images: ImageStore | None = None,
    engine: FaceEngine | None = None,
    liveness: LivenessPolicy | None = None,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
) -> CompareDependencies:
    """The compare API on the real adapters, or on the parts given."""
    db = db or database(settings)
    images = images or image_store(settings)
    grace = timedelta(seconds=settings.pending_grace_seconds)
    service = FaceAuthService(
        unit_of_work=db.unit_of_work,
        images=images,
        engine=engine or face_engine(settings, images),
        threshold=settings.pass_threshold,
        lockout=LockoutPolicy(
            max_failures=settings.lockout_max_failures,
            duration=timedelta(minutes=settings.lockout_minutes),
        ),
        limits=image_limits(settings),
        liveness=liveness or liveness_policy(settings),
        retry_after_seconds=settings.retry_after_seconds,
        pending_grace=grace,
        clock=clock,
        sleep=sleep,
    )
    idempotency = Idempotency(
        SqlIdempotencyLedger(db.engine, settings.retry_after_seconds),
        time_to_live=timedelta(hours=settings.idempotency_ttl_hours),
        grace=grace,
        clock=clock,
    )
    return CompareDependencies(service, idempotency, settings.cleanup_margin_seconds)


@dataclass(frozen=True, slots=True)
class PurgeDependencies:
    queue: SqlPurgeQueue
    images: ImageStore
    policy: PurgePolicy


def purge_dependencies(settings: Settings) -> PurgeDependencies:
    engine = database_engine(settings)
    return PurgeDependencies(
        queue=SqlPurgeQueue(engine, settings.retry_after_seconds),
        images=image_store(settings, list_workers=settings.purge_list_workers),
        policy=PurgePolicy.from_days(settings.pass_retention_days, settings.fail_retention_days),
    )
