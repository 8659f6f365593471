"""The liveness service on Amazon Rekognition Face Liveness.

CreateFaceLivenessSession writes the session's reference frame and audit images to the
images bucket under the given key prefix; GetFaceLivenessSessionResults answers the status,
the confidence and where the reference frame is. Error mapping:

- SessionNotFoundException, and InvalidParameterException (a malformed session id) ->
  LivenessSessionInvalid (the same answer as a session of another user: no oracle)
- ThrottlingException, ProvisionedThroughputExceededException, InternalServerError, 5xx ->
  retried within the request's deadline, then DependencyUnavailable("liveness")
- AccessDeniedException and anything else -> DependencyUnavailable("liveness"), logged
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from faceauth.adapters.retry import RetryPolicy, error_code
from faceauth.domain.deadline import Deadline
from faceauth.domain.liveness import LivenessResult, LivenessStatus
from faceauth.domain.model import StoredObject
from faceauth.errors import DependencyUnavailable, LivenessSessionInvalid

if TYPE_CHECKING:
    from mypy_boto3_rekognition import RekognitionClient

DEPENDENCY = "liveness"
_UNKNOWN_SESSION = frozenset({"SessionNotFoundException", "InvalidParameterException"})


class RekognitionLiveness:
    """Implements the LivenessService port on Rekognition Face Liveness."""

    def __init__(self, client: RekognitionClient, bucket: str, retry: RetryPolicy) -> None:
        self._client = client
        self._bucket = bucket
        self._retry = retry
        self.region: str = client.meta.region_name

    def create_session(
        self, client_token: str, output_prefix: str, audit_images: int, deadline: Deadline
    ) -> str:
        """A session writing its images under ``output_prefix``; the same token gives the
        same session. Raises DependencyUnavailable."""
        try:
            answer = self._retry.call(
                "CreateFaceLivenessSession",
                lambda: self._client.create_face_liveness_session(
                    Settings={
                        "OutputConfig": {"S3Bucket": self._bucket, "S3KeyPrefix": output_prefix},
                        "AuditImagesLimit": audit_images,
                    },
                    ClientRequestToken=client_token,
                ),
                deadline,
            )
        except ClientError as exc:
            raise DependencyUnavailable(DEPENDENCY, self._retry.retry_after_seconds) from exc
        return answer["SessionId"]

    def results(self, session_id: str, deadline: Deadline) -> LivenessResult:
        """Raises LivenessSessionInvalid (unknown session), DependencyUnavailable."""
        try:
            answer = self._retry.call(
                "GetFaceLivenessSessionResults",
                lambda: self._client.get_face_liveness_session_results(SessionId=session_id),
                deadline,
            )
        except ClientError as exc:
            if error_code(exc) in _UNKNOWN_SESSION:
                raise LivenessSessionInvalid from exc
            raise DependencyUnavailable(DEPENDENCY, self._retry.retry_after_seconds) from exc
        stored = answer.get("ReferenceImage", {}).get("S3Object")
        reference = (
            StoredObject(stored["Name"], stored.get("Version"))
            if stored and stored.get("Bucket") == self._bucket and stored.get("Name")
            else None
        )
        confidence = answer.get("Confidence")
        return LivenessResult(
            status=LivenessStatus(answer["Status"]),
            confidence=float(confidence) if confidence is not None else None,
            reference=reference,
        )
