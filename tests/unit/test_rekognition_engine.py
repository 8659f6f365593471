"""RekognitionFaceEngine against botocore's Stubber with realistic Rekognition answers.

moto's compare_faces answers the same whatever the images, so the Stubber is the honest
fake here: it also validates every request and response against Rekognition's API model.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError
from botocore.stub import Stubber

from faceauth.adapters.rekognition import RekognitionFaceEngine
from faceauth.adapters.retry import RetryPolicy
from faceauth.domain.deadline import UNLIMITED, Deadline
from faceauth.errors import (
    DependencyUnavailable,
    FaceTooSmall,
    ImageTooLarge,
    InvalidImage,
    MultipleFaces,
    NoFaceDetected,
    OutOfTime,
)

BUCKET = "faceauth-images-test"
REFERENCE_KEY = "references/0b6f8a52-5a53-4a4c-9c43-3d0f6f2f3b11.jpg"
CAPTURE_KEY = "captures/7d1e2c3a-9f64-4a55-8e0b-1c2d3e4f5a6b.jpg"
CAPTURE = b"\xff\xd8\xff\xe0 not really a jpeg, Rekognition reads the S3 object"


# -- realistic response pieces -------------------------------------------------------------


def _box(left: float, top: float, width: float, height: float) -> dict[str, float]:
    return {"Width": width, "Height": height, "Left": left, "Top": top}


def _landmarks(box: dict[str, float]) -> list[dict[str, Any]]:
    def at(kind: str, fx: float, fy: float) -> dict[str, Any]:
        return {
            "Type": kind,
            "X": box["Left"] + fx * box["Width"],
            "Y": box["Top"] + fy * box["Height"],
        }

    return [
        at("eyeLeft", 0.32, 0.38),
        at("eyeRight", 0.68, 0.38),
        at("mouthLeft", 0.36, 0.76),
        at("mouthRight", 0.64, 0.76),
        at("nose", 0.50, 0.58),
    ]


def _face(
    *,
    box: dict[str, float] | None = None,
    confidence: float = 99.99,
    yaw: float = -3.2,
    pitch: float = 4.1,
) -> dict[str, Any]:
    """A ComparedFace / FaceDetail with the DEFAULT attributes Rekognition returns."""
    box = box or _box(0.31, 0.22, 0.38, 0.41)
    return {
        "BoundingBox": box,
        "Confidence": confidence,
        "Landmarks": _landmarks(box),
        "Pose": {"Roll": 1.7, "Yaw": yaw, "Pitch": pitch},
        "Quality": {"Brightness": 78.4, "Sharpness": 86.9},
    }


def _compare_answer(similarities: list[float], unmatched: int = 0) -> dict[str, Any]:
    return {
        "SourceImageFace": {"BoundingBox": _box(0.29, 0.18, 0.41, 0.44), "Confidence": 99.99},
        "FaceMatches": [
            {"Similarity": similarity, "Face": _face(box=_box(0.1 + 0.4 * i, 0.2, 0.3, 0.35))}
            for i, similarity in enumerate(similarities)
        ],
        "UnmatchedFaces": [
            _face(box=_box(0.55 + 0.1 * i, 0.3, 0.2, 0.25), confidence=99.7)
            for i in range(unmatched)
        ],
        "SourceImageOrientationCorrection": "ROTATE_0",
        "TargetImageOrientationCorrection": "ROTATE_0",
    }


def _detect_answer(*faces: dict[str, Any]) -> dict[str, Any]:
    return {"FaceDetails": list(faces), "OrientationCorrection": "ROTATE_0"}


def _compare_request(quality_filter: str = "AUTO") -> dict[str, Any]:
    return {
        "SourceImage": {"S3Object": {"Bucket": BUCKET, "Name": REFERENCE_KEY}},
        "TargetImage": {"S3Object": {"Bucket": BUCKET, "Name": CAPTURE_KEY}},
        "SimilarityThreshold": 0,
        "QualityFilter": quality_filter,
    }


DETECT_REQUEST = {"Image": {"Bytes": CAPTURE}, "Attributes": ["DEFAULT"]}


# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def client() -> Any:
    # The configuration adapters/aws.py builds for this engine: botocore retries off.
    return boto3.client(
        "rekognition",
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(
            connect_timeout=2,
            read_timeout=5,
            retries={"mode": "standard", "total_max_attempts": 1},
        ),
    )


@pytest.fixture
def stubber(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def engine(client: Any, sleeps: list[float]) -> RekognitionFaceEngine:
    return RekognitionFaceEngine(
        client,
        BUCKET,
        retry=retry_policy(sleeps),
        min_face_ratio=0.1,
        min_confidence=90.0,
    )


def retry_policy(sleeps: list[float]) -> RetryPolicy:
    """What bootstrap builds: 3 attempts of at most 2 + 5 s each."""
    return RetryPolicy(
        "face_engine",
        max_attempts=3,
        attempt_seconds=7.0,
        retry_after_seconds=7,
        sleep=sleeps.append,
    )


ROOMY = UNLIMITED  # no deadline: these tests are about other limits


def _compare(engine: RekognitionFaceEngine, deadline: Deadline = ROOMY) -> float:
    return engine.compare(REFERENCE_KEY, CAPTURE_KEY, CAPTURE, deadline)


# -- CompareFaces: answers -----------------------------------------------------------------


def test_same_person_returns_the_match_similarity(
    engine: RekognitionFaceEngine, stubber: Stubber
) -> None:
    # Given Rekognition finds the reference's face in the capture
    stubber.add_response("compare_faces", _compare_answer([99.87]), _compare_request())
    # When / Then
    assert _compare(engine) == pytest.approx(99.87)


def test_other_person_returns_a_low_similarity(
    engine: RekognitionFaceEngine, stubber: Stubber
) -> None:
    # Given threshold 0, so a stranger's face still comes back in FaceMatches
    stubber.add_response("compare_faces", _compare_answer([2.31]), _compare_request())
    assert _compare(engine) == pytest.approx(2.31)


def test_only_an_unmatched_face_is_similarity_zero(
    engine: RekognitionFaceEngine, stubber: Stubber
) -> None:
    stubber.add_response("compare_faces", _compare_answer([], unmatched=1), _compare_request())
    assert _compare(engine) == 0.0


def test_a_match_and_an_unmatched_face_is_multiple_faces(
    engine: RekognitionFaceEngine, stubber: Stubber
) -> None:
    # Given the victim's photo held up next to the attacker's face
    stubber.add_response("compare_faces", _compare_answer([99.2], unmatched=1), _compare_request())
    with pytest.raises(MultipleFaces):
        _compare(engine)


def test_two_matches_are_multiple_faces(engine: RekognitionFaceEngine, stubber: Stubber) -> None:
    stubber.add_response("compare_faces", _compare_answer([99.1, 12.4]), _compare_request())
    with pytest.raises(MultipleFaces):
        _compare(engine)


def test_no_target_face_after_quality_filtering_is_no_face(
    engine: RekognitionFaceEngine, stubber: Stubber
) -> None:
    stubber.add_response("compare_faces", _compare_answer([]), _compare_request())
    with pytest.raises(NoFaceDetected):
        _compare(engine)


def test_compare_sends_the_configured_quality_filter(client: Any, stubber: Stubber) -> None:
    # Given an engine configured for the strictest filter
    strict = RekognitionFaceEngine(client, BUCKET, retry=retry_policy([]), quality_filter="HIGH")
    # Then the request names both S3 objects, threshold 0 and QualityFilter=HIGH
    stubber.add_response("compare_faces", _compare_answer([98.0]), _compare_request("HIGH"))
    assert strict.compare(REFERENCE_KEY, CAPTURE_KEY, CAPTURE, ROOMY) == pytest.approx(98.0)


# -- CompareFaces: errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("InvalidParameterException", 400, NoFaceDetected),
        ("ImageTooLargeException", 400, ImageTooLarge),
        ("InvalidImageFormatException", 400, InvalidImage),
    ],
)
def test_image_errors_map_to_domain_errors(
    engine: RekognitionFaceEngine,
    stubber: Stubber,
    sleeps: list[float],
    code: str,
    status: int,
    expected: type[Exception],
) -> None:
    stubber.add_client_error(
        "compare_faces",
        service_error_code=code,
        service_message="Request has invalid parameters",
        http_status_code=status,
        expected_params=_compare_request(),
    )
    with pytest.raises(expected):
        _compare(engine)
    assert sleeps == []


@pytest.mark.parametrize(
    ("code", "status"),
    [("InvalidS3ObjectException", 400), ("AccessDeniedException", 403), ("Unexpected", 400)],
)
def test_access_errors_are_dependency_unavailable_without_retry(
    engine: RekognitionFaceEngine, stubber: Stubber, sleeps: list[float], code: str, status: int
) -> None:
    stubber.add_client_error("compare_faces", service_error_code=code, http_status_code=status)
    with pytest.raises(DependencyUnavailable) as raised:
        _compare(engine)
    assert raised.value.dependency == "face_engine"
    assert sleeps == []


def test_throttling_is_retried_then_succeeds(
    engine: RekognitionFaceEngine, stubber: Stubber, sleeps: list[float]
) -> None:
    # Given one throttle, then an answer
    stubber.add_client_error(
        "compare_faces",
        service_error_code="ThrottlingException",
        http_status_code=400,
        expected_params=_compare_request(),
    )
    stubber.add_response("compare_faces", _compare_answer([97.5]), _compare_request())
    # When
    similarity = _compare(engine)
    # Then one jittered pause in [base/2, base] preceded the second attempt
    assert similarity == pytest.approx(97.5)
    assert len(sleeps) == 1
    assert 0.125 <= sleeps[0] <= 0.25


def test_throttling_exhausted_is_dependency_unavailable_with_retry_after(
    engine: RekognitionFaceEngine, stubber: Stubber, sleeps: list[float]
) -> None:
    # Given Rekognition throttles every one of the three attempts
    for code in (
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "InternalServerError",
    ):
        stubber.add_client_error("compare_faces", service_error_code=code, http_status_code=400)
    # When / Then: a 503-class error that tells the client when to retry
    with pytest.raises(DependencyUnavailable) as raised:
        _compare(engine)
    assert raised.value.code == "DEPENDENCY_UNAVAILABLE"
    assert raised.value.retry_after_seconds == 7
    # exponential: the second pause is drawn from twice the first's range
    assert len(sleeps) == 2
    assert 0.125 <= sleeps[0] <= 0.25
    assert 0.25 <= sleeps[1] <= 0.5


def test_no_retry_starts_that_could_end_after_the_deadline(
    engine: RekognitionFaceEngine, stubber: Stubber, sleeps: list[float]
) -> None:
    # Given a request with 7.1 s left and one attempt that may take 2 + 5 s
    stubber.add_client_error(
        "compare_faces", service_error_code="ThrottlingException", http_status_code=400
    )
    # When the first attempt is throttled: 0.25 + 7 s more may not fit in what is left
    with pytest.raises(DependencyUnavailable):
        _compare(engine, Deadline.after(7.1))
    # Then it gives up at once instead of being cut off by the Lambda timeout
    assert sleeps == []


def test_no_attempt_starts_that_could_end_after_the_deadline(
    engine: RekognitionFaceEngine, stubber: Stubber
) -> None:
    # Given a request with less time left than one attempt may take
    # When / Then: nothing is sent, and the request is out of time
    with pytest.raises(OutOfTime):
        _compare(engine, Deadline.after(6.0))


@pytest.mark.parametrize(
    "failure",
    [
        ReadTimeoutError(endpoint_url="https://rekognition.eu-west-1.amazonaws.com/"),
        EndpointConnectionError(endpoint_url="https://rekognition.eu-west-1.amazonaws.com/"),
    ],
)
def test_timeouts_and_connection_errors_are_dependency_unavailable(
    engine: RekognitionFaceEngine,
    monkeypatch: pytest.MonkeyPatch,
    sleeps: list[float],
    failure: Exception,
) -> None:
    def fail(**_: Any) -> None:
        raise failure

    monkeypatch.setattr(engine._client, "compare_faces", fail)
    with pytest.raises(DependencyUnavailable):
        _compare(engine)
    assert sleeps == []


# -- DetectFaces: the registration gate -------------------------------------------------------


def test_one_clear_frontal_face_passes_the_gate(
    engine: RekognitionFaceEngine, stubber: Stubber
) -> None:
    stubber.add_response("detect_faces", _detect_answer(_face()), DETECT_REQUEST)
    engine.check_single_face(CAPTURE, ROOMY)


def test_no_face_fails_the_gate(engine: RekognitionFaceEngine, stubber: Stubber) -> None:
    stubber.add_response("detect_faces", _detect_answer(), DETECT_REQUEST)
    with pytest.raises(NoFaceDetected):
        engine.check_single_face(CAPTURE, ROOMY)


def test_two_confident_faces_fail_the_gate(engine: RekognitionFaceEngine, stubber: Stubber) -> None:
    stubber.add_response(
        "detect_faces",
        _detect_answer(_face(), _face(box=_box(0.7, 0.3, 0.15, 0.2), confidence=99.1)),
        DETECT_REQUEST,
    )
    with pytest.raises(MultipleFaces):
        engine.check_single_face(CAPTURE, ROOMY)


def test_a_doubtful_second_detection_is_not_counted(
    engine: RekognitionFaceEngine, stubber: Stubber
) -> None:
    # Given a poster in the background Rekognition is unsure about
    stubber.add_response(
        "detect_faces",
        _detect_answer(_face(), _face(box=_box(0.8, 0.1, 0.05, 0.06), confidence=54.0)),
        DETECT_REQUEST,
    )
    engine.check_single_face(CAPTURE, ROOMY)


@pytest.mark.parametrize(
    ("face", "words"),
    [
        (_face(box=_box(0.45, 0.45, 0.08, 0.3)), "move closer"),
        (_face(box=_box(0.45, 0.45, 0.3, 0.09)), "move closer"),
        (_face(confidence=72.5), "not clear"),
        (_face(yaw=58.0), "turned away"),
        (_face(pitch=-47.0), "turned away"),
    ],
    ids=["narrow", "short", "unsure", "yaw", "pitch"],
)
def test_small_unclear_or_turned_faces_fail_the_gate(
    engine: RekognitionFaceEngine, stubber: Stubber, face: dict[str, Any], words: str
) -> None:
    stubber.add_response("detect_faces", _detect_answer(face), DETECT_REQUEST)
    with pytest.raises(FaceTooSmall) as raised:
        engine.check_single_face(CAPTURE, ROOMY)
    assert words in raised.value.message


def test_the_gate_retries_throttling_too(
    engine: RekognitionFaceEngine, stubber: Stubber, sleeps: list[float]
) -> None:
    stubber.add_client_error(
        "detect_faces",
        service_error_code="ProvisionedThroughputExceededException",
        http_status_code=400,
    )
    stubber.add_response("detect_faces", _detect_answer(_face()), DETECT_REQUEST)
    engine.check_single_face(CAPTURE, ROOMY)
    assert len(sleeps) == 1


def test_the_gate_maps_an_oversized_image(engine: RekognitionFaceEngine, stubber: Stubber) -> None:
    stubber.add_client_error(
        "detect_faces", service_error_code="ImageTooLargeException", http_status_code=400
    )
    with pytest.raises(ImageTooLarge):
        engine.check_single_face(CAPTURE, ROOMY)


# -- the engine factory ------------------------------------------------------------------------


def test_the_factory_builds_rekognition_without_botocore_retries_or_dlib() -> None:
    # Given the production settings, in a fresh interpreter to see what gets imported
    probe = (
        "import sys\n"
        "from faceauth.bootstrap import face_engine\n"
        "from faceauth.settings import Settings\n"
        "engine = face_engine(Settings(database_url='sqlite://'), images=None)\n"
        "print(engine.name, engine._client.meta.config.retries['total_max_attempts'],"
        " 'dlib' in sys.modules)\n"
    )
    env = {
        **os.environ,
        "AWS_DEFAULT_REGION": "eu-west-1",
        "FACEAUTH_FACE_ENGINE": "rekognition",
    }
    # When
    answer = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    # Then: the Rekognition engine, one botocore attempt per call, and no dlib loaded
    assert answer.stdout.split() == ["rekognition", "1", "False"]
