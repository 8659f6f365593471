"""The one place that turns settings into a face engine."""

from __future__ import annotations

from faceauth.adapters.aws import aws_client
from faceauth.adapters.rekognition import RekognitionFaceEngine
from faceauth.domain.ports import FaceEngine, ImageStore
from faceauth.settings import Settings


def build_face_engine(settings: Settings, images: ImageStore) -> FaceEngine:
    """The engine named by ``settings.face_engine``: "rekognition" or "local".

    Raises LocalModelsMissing (local engine without dlib or its model files).
    """
    if settings.face_engine == "local":
        # dlib and numpy are heavy and absent from the Lambda layer: import on demand.
        from faceauth.adapters.local_engine import LocalFaceEngine  # noqa: PLC0415

        return LocalFaceEngine(
            images, min_face_px=settings.local_min_face_px, max_side=settings.local_max_side
        )
    # The engine retries throttling itself within its time budget, so botocore must not.
    client = aws_client("rekognition", settings, total_attempts=1)
    return RekognitionFaceEngine(
        client,
        settings.images_bucket,
        min_face_ratio=settings.rekognition_min_face_ratio,
        min_confidence=settings.rekognition_min_confidence,
        max_pose_degrees=settings.rekognition_max_pose_degrees,
        quality_filter=settings.rekognition_quality_filter,
        max_attempts=settings.rekognition_max_attempts,
        retry_after_seconds=settings.retry_after_seconds,
        budget_seconds=settings.rekognition_budget_seconds,
    )
