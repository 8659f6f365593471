"""The production face engine on Amazon Rekognition.

DetectFaces is the registration quality gate; CompareFaces compares the stored reference
(source) with the stored capture (target), both read by Rekognition straight from S3.

Error mapping (one table, ``_DOMAIN_ERRORS`` plus the retry set):

- InvalidParameterException (no face in source or target, or an image Rekognition cannot
  use) -> NoFaceDetected
- ImageTooLargeException -> ImageTooLarge; InvalidImageFormatException -> InvalidImage
- ThrottlingException, ProvisionedThroughputExceededException, InternalServerError,
  ServiceUnavailable, LimitExceededException -> retried with jittered exponential backoff,
  then DependencyUnavailable("face_engine") carrying retry_after
- InvalidS3ObjectException, AccessDeniedException, any other ClientError, and connection
  errors or timeouts (BotoCoreError) -> DependencyUnavailable("face_engine"), not retried

Retry budget. This adapter retries by itself, so build its client with botocore's own
retries off (``total_max_attempts`` 1; engines.build_face_engine does this with
``aws_client("rekognition", settings, total_attempts=1)``, as botocore's ``max_attempts``
counts retries); otherwise every attempt here would hide several botocore attempts.
With the defaults (connect timeout 2 s, read timeout ``aws_timeout_seconds`` = 5 s,
``rekognition_max_attempts`` = 3) one attempt takes at most 2 + 5 = 7 s and the backoff
before attempt n+1 is at most 0.25 * 2**(n-1) s, so three attempts cost at most
3 * 7 + 0.25 + 0.5 = 21.75 s. The engine additionally refuses to start an attempt that
could end more than ``budget_seconds`` (15 s) after the first began, so whatever the
settings it returns or fails within max(15 s, one attempt): with the defaults that is two
slow attempts (7 + 0.25 + 7 = 14.25 s) or three fast throttled ones, leaving at least 14 s
of API Gateway's 29 s for S3, the database and the Lambda itself.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from faceauth.adapters.aws import THROTTLING_CODES
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

logger = logging.getLogger(__name__)

QualityFilter = Literal["NONE", "AUTO", "LOW", "MEDIUM", "HIGH"]

_T = TypeVar("_T")

_RETRYABLE = THROTTLING_CODES | {"LimitExceededException", "ServiceUnavailableException"}

_DOMAIN_ERRORS: dict[str, Callable[[], FaceAuthError]] = {
    "InvalidParameterException": NoFaceDetected,
    "ImageTooLargeException": lambda: ImageTooLarge("The image is too large for the face engine."),
    "InvalidImageFormatException": lambda: InvalidImage(
        "The face engine cannot read this image; send a JPEG or PNG."
    ),
}

_BACKOFF_BASE_SECONDS = 0.25
_BACKOFF_CAP_SECONDS = 2.0
_DEPENDENCY = "face_engine"


class RekognitionFaceEngine:
    """Implements the FaceEngine port on Amazon Rekognition."""

    name = "rekognition"

    def __init__(
        self,
        client: RekognitionClient,
        bucket: str,
        *,
        min_face_ratio: float = 0.1,
        min_confidence: float = 90.0,
        max_pose_degrees: float = 45.0,
        quality_filter: QualityFilter = "AUTO",
        max_attempts: int = 3,
        retry_after_seconds: int = 2,
        budget_seconds: float = 15.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[float, float], float] | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._client = client
        self._bucket = bucket
        self._min_face_ratio = min_face_ratio
        self._min_confidence = min_confidence
        self._max_pose = max_pose_degrees
        self._quality_filter: QualityFilter = quality_filter
        self._max_attempts = max_attempts
        self._retry_after = retry_after_seconds
        self._budget = budget_seconds
        self._sleep = sleep
        self._clock = clock
        # Backoff jitter is not security-relevant, so the default PRNG is fine.
        self._jitter: Callable[[float, float], float] = jitter or random.uniform
        # botocore's own default is 60 s each when the caller did not set a timeout.
        config = client.meta.config
        self._attempt_seconds = float(getattr(config, "connect_timeout", None) or 60) + float(
            getattr(config, "read_timeout", None) or 60
        )

    def check_single_face(self, image: bytes) -> None:
        """Accept an image with exactly one clear, large, roughly frontal face.

        Raises NoFaceDetected, MultipleFaces, FaceTooSmall, InvalidImage, ImageTooLarge,
        DependencyUnavailable.
        """
        answer = self._call(
            "DetectFaces",
            lambda: self._client.detect_faces(Image={"Bytes": image}, Attributes=["DEFAULT"]),
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

    def compare(self, reference_key: str, capture_key: str, capture: bytes) -> float:
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

    def _call(self, operation: str, request: Callable[[], _T]) -> _T:
        """Run one Rekognition request with bounded retries; translate every failure."""
        started = self._clock()
        attempt = 1
        while True:
            try:
                return request()
            except ClientError as exc:
                code = str(exc.response.get("Error", {}).get("Code", ""))
                self._log_failure(operation, code, attempt)
                if code in _DOMAIN_ERRORS:
                    raise _DOMAIN_ERRORS[code]() from exc
                if code not in _RETRYABLE or not self._may_retry(attempt, started):
                    raise DependencyUnavailable(_DEPENDENCY, self._retry_after) from exc
            except BotoCoreError as exc:
                # Timeouts and connection errors: retrying would likely blow the 29 s budget.
                self._log_failure(operation, type(exc).__name__, attempt)
                raise DependencyUnavailable(_DEPENDENCY, self._retry_after) from exc
            self._sleep(self._backoff(attempt))
            attempt += 1

    def _may_retry(self, attempt: int, started: float) -> bool:
        if attempt >= self._max_attempts:
            return False
        worst_end = self._clock() - started + self._max_backoff(attempt) + self._attempt_seconds
        return worst_end <= self._budget

    @staticmethod
    def _max_backoff(attempt: int) -> float:
        return min(_BACKOFF_CAP_SECONDS, _BACKOFF_BASE_SECONDS * 2.0 ** (attempt - 1))

    def _backoff(self, attempt: int) -> float:
        # "Equal jitter": at least half the exponential delay, so a throttle gets some rest.
        ceiling = self._max_backoff(attempt)
        return ceiling / 2 + self._jitter(0.0, ceiling / 2)

    @staticmethod
    def _log_failure(operation: str, code: str, attempt: int) -> None:
        logger.warning(
            "face engine call failed",
            extra={
                "engine": "rekognition",
                "operation": operation,
                "error_code": code,
                "attempt": attempt,
            },
        )
