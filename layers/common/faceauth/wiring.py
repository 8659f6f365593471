"""Composition root: builds the service from settings, once per Lambda container."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from faceauth.adapters.aws import aws_client
from faceauth.adapters.s3_store import S3ImageStore
from faceauth.db.session import Database, build_engine
from faceauth.domain.images import ImageLimits
from faceauth.domain.ports import FaceEngine, ImageStore
from faceauth.domain.services import FaceAuthService, LockoutPolicy, utc_now
from faceauth.settings import Settings


def image_limits(settings: Settings) -> ImageLimits:
    return ImageLimits(
        max_bytes=settings.max_image_bytes,
        max_pixels=settings.max_image_pixels,
        min_side=settings.min_image_side,
    )


def build_database(settings: Settings) -> Database:
    return Database(build_engine(settings), settings.retry_after_seconds)


def build_image_store(settings: Settings, *, list_workers: int = 8) -> S3ImageStore:
    """The S3 store; `list_workers` concurrent version listings (the purge wants many)."""
    client = aws_client("s3", settings, max_pool_connections=max(10, list_workers))
    return S3ImageStore(client, settings.images_bucket, settings.retry_after_seconds, list_workers)


def build_service(
    settings: Settings,
    *,
    database: Database | None = None,
    images: ImageStore | None = None,
    engine: FaceEngine | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> FaceAuthService:
    """Wire the real adapters; tests and the local stack pass their own where they differ."""
    database = database or build_database(settings)
    images = images or build_image_store(settings)
    if engine is None:
        from faceauth.adapters.engines import build_face_engine  # noqa: PLC0415 - heavy

        engine = build_face_engine(settings, images)
    return FaceAuthService(
        unit_of_work=database.unit_of_work,
        images=images,
        engine=engine,
        threshold=settings.pass_threshold,
        lockout=LockoutPolicy(
            max_failures=settings.lockout_max_failures,
            duration=timedelta(minutes=settings.lockout_minutes),
        ),
        limits=image_limits(settings),
        clock=clock,
    )
