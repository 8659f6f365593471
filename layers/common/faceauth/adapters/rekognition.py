"""The production face engine on Amazon Rekognition.

DetectFaces is the registration quality gate; CompareFaces compares the stored reference
(source) with the stored capture (target), both read by Rekognition straight from S3.

Error mapping (one table, ``_DOMAIN_ERRORS`` plus the retry set):

- InvalidParameterException (no face in source or target, or an image Rekognition cannot
  use) -> NoFaceDetected
- ImageTooLargeException -> ImageTooLarge; InvalidImageFormatException -> InvalidImage
- ThrottlingException, ProvisionedThroughputExceededException, InternalServerError,
  ServiceUnavailable, LimitExceededException -> retried with jittered exponential backoff
  while the deadline allows, then DependencyUnavailable("face_engine") carrying retry_after
- InvalidS3ObjectException, AccessDeniedException, any other ClientError, and connection
  errors or timeouts (BotoCoreError) -> DependencyUnavailable("face_engine"), not retried

Retries. Throttling and service faults are retried by faceauth.adapters.retry inside the
request's deadline: an attempt starts only if its worst case (the client's connect plus read
timeout) still fits, so the engine returns or fails in time for the request to clean up and
answer within API Gateway's 29 s. The client is built with botocore's own retries off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, TypeVar

from botocore.exceptions import ClientError

from faceauth.adapters.retry import RetryPolicy, error_code
from faceauth.domain.deadline import Deadline
from faceauth.errors import (
    DependencyUnavailable,
    FaceAuthError,
    FaceTooSmall,
    ImageTooLarge,
    InvalidImage,
    MultipleFaces,
    NoFaceDetected,
)

if TYPE_CHECKING:
    from mypy_boto3_rekognition import RekognitionClient
    from mypy_boto3_rekognition.type_defs import FaceDetailTypeDef

QualityFilter = Literal["NONE", "AUTO", "LOW", "MEDIUM", "HIGH"]

_T = TypeVar("_T")

_DOMAIN_ERRORS: dict[str, Callable[[], FaceAuthError]] = {
    "InvalidParameterException": NoFaceDetected,
    "ImageTooLargeException": lambda: ImageTooLarge("The image is too large for the face engine."),
    "InvalidImageFormatException": lambda: InvalidImage(
        "The face engine cannot read this image; send a JPEG or PNG."
    ),
}

DEPENDENCY = "face_engine"


class RekognitionFaceEngine:
    """Implements the FaceEngine port on Amazon Rekognition."""

    name = "rekognition"

    def __init__(
        self,
        client: RekognitionClient,
        bucket: str,
        *,
        retry: RetryPolicy,
        min_face_ratio: float = 0.1,
        min_confidence: float = 90.0,
        max_pose_degrees: float = 45.0,
        quality_filter: QualityFilter = "AUTO",
    ) -> None:
        self._client = client
        self._bucket = bucket
        self._retry = retry
        self._min_face_ratio = min_face_ratio
        self._min_confidence = min_confidence
        self._max_pose = max_pose_degrees
        self._quality_filter: QualityFilter = quality_filter

    def check_single_face(self, image: bytes, deadline: Deadline) -> None:
        """Accept an image with exactly one clear, large, roughly frontal face.

        Raises NoFaceDetected, MultipleFaces, FaceTooSmall, InvalidImage, ImageTooLarge,
        DependencyUnavailable.
        """
        answer = self._call(
            "DetectFaces",
            lambda: self._client.detect_faces(Image={"Bytes": image}, Attributes=["DEFAULT"]),
            deadline,
        )
        faces = answer.get("FaceDetails", [])
        if not faces:
            raise NoFaceDetected
        confident = [face for face in faces if face.get("Confidence", 0.0) >= self._min_confidence]
        if len(confident) > 1:
            raise MultipleFaces
        if not confident:
            raise FaceTooSmall("The face is not clear enough; use even light and hold still.")
        self._check_face_quality(confident[0])

    def compare(
        self, reference_key: str, capture_key: str, capture: bytes | None, deadline: Deadline
    ) -> float:
        """Similarity (0-100) of the capture's single face to the reference's face.

        Raises NoFaceDetected, MultipleFaces, InvalidImage, ImageTooLarge,
        DependencyUnavailable.
        """
        answer = self._call(
            "CompareFaces",
            lambda: self._client.compare_faces(
                SourceImage={"S3Object": {"Bucket": self._bucket, "Name": reference_key}},
                TargetImage={"S3Object": {"Bucket": self._bucket, "Name": capture_key}},
                # 0 returns every target face in FaceMatches with its similarity.
                SimilarityThreshold=0,
                QualityFilter=self._quality_filter,
            ),
            deadline,
        )
        matches = answer.get("FaceMatches", [])
        unmatched = answer.get("UnmatchedFaces", [])
        if len(matches) + len(unmatched) > 1:
            raise MultipleFaces
        if not matches and not unmatched:
            raise NoFaceDetected
        similarity = float(matches[0].get("Similarity", 0.0)) if matches else 0.0
        return min(100.0, max(0.0, similarity))

    # -- internals -----------------------------------------------------------------------

    def _check_face_quality(self, face: FaceDetailTypeDef) -> None:
        box = face.get("BoundingBox", {})
        if min(box.get("Width", 0.0), box.get("Height", 0.0)) < self._min_face_ratio:
            raise FaceTooSmall(
                f"The face must fill at least {self._min_face_ratio:.0%} of the image width "
                "and height; move closer to the camera."
            )
        pose = face.get("Pose", {})
        if max(abs(pose.get("Yaw", 0.0)), abs(pose.get("Pitch", 0.0))) > self._max_pose:
            raise FaceTooSmall("The face is turned away; look straight at the camera.")

    def _call(self, operation: str, request: Callable[[], _T], deadline: Deadline) -> _T:
        """Run one Rekognition request with bounded retries; translate every failure."""
        try:
            return self._retry.call(operation, request, deadline)
        except ClientError as exc:
            code = error_code(exc)
            if code in _DOMAIN_ERRORS:
                raise _DOMAIN_ERRORS[code]() from exc
            raise DependencyUnavailable(DEPENDENCY, self._retry.retry_after_seconds) from exc
