"""Face Liveness through the real handler, MariaDB and moto S3, with Rekognition Face
Liveness answered by botocore's Stubber (realistic answers for every status and error)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import ANY, Stubber

from faceauth.adapters.rekognition_liveness import RekognitionLiveness
from faceauth.adapters.retry import RetryPolicy
from faceauth.db.purge_queue import SqlPurgeQueue
from faceauth.domain.liveness import LivenessMode, LivenessPolicy, session_prefix
from faceauth.domain.purge import PurgePolicy, purge_due_images
from faceauth.settings import Settings
from tests.api_client import ApiAnswer, call_api, image_json
from tests.conftest import BUCKET, object_keys
from tests.images import jpeg
from tests.integration.conftest import Stack, serve
from tests.integration.db_queries import rows, runs, users

MIN_CONFIDENCE = 80.0


@dataclass
class Liveness:
    """Rekognition Face Liveness behind a Stubber, and what the test does with it."""

    stack: Stack
    stubber: Stubber

    def created(self, session_id: str) -> None:
        self.stubber.add_response(
            "create_face_liveness_session",
            {"SessionId": session_id},
            {
                "Settings": {
                    "OutputConfig": {"S3Bucket": BUCKET, "S3KeyPrefix": "liveness"},
                    "AuditImagesLimit": 2,
                },
                "ClientRequestToken": ANY,
            },
        )

    def start(self, user_id: str = "alice") -> str:
        session_id = str(uuid.uuid4())
        self.created(session_id)
        answer = call_api("POST", f"/users/{user_id}/liveness-sessions")
        assert answer.status == 201, answer.body
        return session_id

    def streamed(self, session_id: str) -> str:
        """The user streamed the session: Rekognition wrote its frame and audit images."""
        prefix = session_prefix(session_id)
        for name in ("reference.jpg", "audit_images/1.jpg", "audit_images/2.jpg"):
            self.stack.s3.put_object(Bucket=BUCKET, Key=prefix + name, Body=jpeg())
        return f"{prefix}reference.jpg"

    def answers(
        self, session_id: str, status: str, confidence: float | None = None, frame: bool = True
    ) -> None:
        result: dict[str, Any] = {"SessionId": session_id, "Status": status}
        if confidence is not None:
            result["Confidence"] = confidence
        if frame:
            key = self.streamed(session_id)
            box = {"Width": 0.42, "Height": 0.57, "Left": 0.29, "Top": 0.21}
            result["ReferenceImage"] = {
                "BoundingBox": box,
                "S3Object": {"Bucket": BUCKET, "Name": key},
            }
            result["AuditImages"] = [
                {
                    "BoundingBox": box,
                    "S3Object": {
                        "Bucket": BUCKET,
                        "Name": f"{session_prefix(session_id)}audit_images/{n}.jpg",
                    },
                }
                for n in (1, 2)
            ]
        self.stubber.add_response(
            "get_face_liveness_session_results", result, {"SessionId": session_id}
        )

    def fails(self, session_id: str, code: str, status: int = 400) -> None:
        self.stubber.add_client_error(
            "get_face_liveness_session_results",
            service_error_code=code,
            http_status_code=status,
            expected_params={"SessionId": session_id},
        )

    def session_images(self, session_id: str) -> list[str]:
        return object_keys(self.stack.s3, session_prefix(session_id))


def liveness_policy(client: Any, mode: LivenessMode) -> LivenessPolicy:
    retry = RetryPolicy("liveness", attempt_seconds=7.0, sleep=lambda _: None)
    return LivenessPolicy(mode, MIN_CONFIDENCE, 2, RekognitionLiveness(client, BUCKET, retry))


@pytest.fixture
def rekognition_client() -> Any:
    return boto3.client(
        "rekognition",
        region_name="eu-west-1",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )


def with_mode(stack: Stack, client: Any, mode: LivenessMode) -> None:
    serve(
        stack.settings,
        stack.database,
        stack.images,
        stack.engine,
        stack.clock,
        liveness=liveness_policy(client, mode),
    )


@pytest.fixture
def liveness(stack: Stack, rekognition_client: Any) -> Iterator[Liveness]:
    with_mode(stack, rekognition_client, LivenessMode.OPTIONAL)
    with Stubber(rekognition_client) as stubber:
        yield Liveness(stack, stubber)
        stubber.assert_no_pending_responses()


def register_alice() -> None:
    assert call_api("POST", "/users/alice/registration", json_body=image_json(jpeg())).status == 201


def verify(session_id: str, user_id: str = "alice") -> ApiAnswer:
    return call_api(
        "POST", f"/users/{user_id}/verification", json_body={"livenessSessionId": session_id}
    )


# -- sessions -----------------------------------------------------------------------------------


def test_a_session_is_created_for_the_user_and_recorded(stack: Stack, liveness: Liveness) -> None:
    # When the app asks for a session for alice
    session_id = str(uuid.uuid4())
    liveness.created(session_id)
    answer = call_api("POST", "/users/alice/liveness-sessions")
    # Then it gets the id, the region and the expiry (3 minutes), and the session is bound
    assert answer.status == 201
    assert (answer.body["sessionId"], answer.body["region"]) == (session_id, "eu-west-1")
    assert answer.body["expiresAt"].startswith((stack.clock.now + timedelta(minutes=3)).isoformat())
    (recorded,) = rows(stack.database, "SELECT * FROM liveness_sessions")
    assert (recorded["session_id"], recorded["user_id"]) == (session_id, "alice")


def test_a_retried_create_with_the_same_idempotency_key_makes_no_second_session(
    stack: Stack, liveness: Liveness
) -> None:
    session_id = str(uuid.uuid4())
    liveness.created(session_id)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = call_api("POST", "/users/alice/liveness-sessions", headers=key)
    retry = call_api("POST", "/users/alice/liveness-sessions", headers=key)
    assert first.body == retry.body
    assert len(rows(stack.database, "SELECT * FROM liveness_sessions")) == 1


# -- every status ---------------------------------------------------------------------------------


def test_a_succeeded_session_above_the_confidence_passes_and_the_score_stays_private(
    stack: Stack, liveness: Liveness
) -> None:
    # Given alice registered and a session she completed with confidence 98.1
    register_alice()
    session_id = liveness.start()
    liveness.answers(session_id, "SUCCEEDED", 98.1)
    # When she verifies with it
    answer = verify(session_id)
    # Then the frame was compared with her reference, PASS, and the score is not in the answer
    assert (answer.status, answer.body["result"]) == (200, "PASS")
    assert "98.1" not in str(answer.body)
    assert stack.engine.compared[-1][1] == f"{session_prefix(session_id)}reference.jpg"
    run = runs(stack.database)[-1]
    assert (run["liveness_session_id"], run["liveness_confidence"]) == (session_id, 98.1)


@pytest.mark.parametrize(
    ("status", "confidence"), [("SUCCEEDED", MIN_CONFIDENCE - 0.5), ("FAILED", 4.2)]
)
def test_a_failed_or_unconvincing_session_is_422_recorded_and_counted(
    stack: Stack, liveness: Liveness, status: str, confidence: float
) -> None:
    register_alice()
    session_id = liveness.start()
    liveness.answers(session_id, status, confidence, frame=status == "SUCCEEDED")
    answer = verify(session_id)
    assert (answer.status, answer.error_code) == (422, "LIVENESS_FAILED")
    assert runs(stack.database)[-1]["error_code"] == "LIVENESS_FAILED"
    assert users(stack.database)[0]["consecutive_failures"] == 1
    assert stack.engine.compared == []


@pytest.mark.parametrize(
    ("status", "code"),
    [
        ("CREATED", "LIVENESS_SESSION_INCOMPLETE"),
        ("IN_PROGRESS", "LIVENESS_SESSION_INCOMPLETE"),
        ("EXPIRED", "LIVENESS_SESSION_EXPIRED"),
    ],
)
def test_an_unfinished_or_expired_session_is_409_and_records_nothing(
    stack: Stack, liveness: Liveness, status: str, code: str
) -> None:
    register_alice()
    session_id = liveness.start()
    liveness.answers(session_id, status, frame=False)
    answer = verify(session_id)
    assert (answer.status, answer.error_code) == (409, code)
    assert len(runs(stack.database)) == 1
    assert users(stack.database)[0]["consecutive_failures"] == 0


def test_a_session_rekognition_does_not_know_is_409_invalid(
    stack: Stack, liveness: Liveness
) -> None:
    register_alice()
    session_id = liveness.start()
    liveness.fails(session_id, "SessionNotFoundException")
    answer = verify(session_id)
    assert (answer.status, answer.error_code) == (409, "LIVENESS_SESSION_INVALID")


@pytest.mark.parametrize(
    ("code", "status", "attempts"),
    [("AccessDeniedException", 403, 1), ("ThrottlingException", 400, 3)],
)
def test_access_denied_and_throttling_are_503_and_never_a_failure(
    stack: Stack,
    liveness: Liveness,
    code: str,
    status: int,
    attempts: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    register_alice()
    session_id = liveness.start()
    for _ in range(attempts):
        liveness.fails(session_id, code, status)
    capsys.readouterr()
    answer = verify(session_id)
    assert (answer.status, answer.error_code) == (503, "DEPENDENCY_UNAVAILABLE")
    assert len(runs(stack.database)) == 1
    assert users(stack.database)[0]["consecutive_failures"] == 0
    # and the fault is counted as the liveness service's, for its alarm
    assert dependency_faults(capsys.readouterr().out) == ["liveness"]


def dependency_faults(printed: str) -> list[str]:
    """The Dependency dimension of each DependencyFaults metric in the printed EMF lines."""
    documents = [json.loads(line) for line in printed.splitlines() if line.startswith("{")]
    return [
        document["Dependency"]
        for document in documents
        if "DependencyFaults" in document and "_aws" in document
    ]


def test_a_used_session_and_another_users_session_are_409_invalid(
    stack: Stack, liveness: Liveness
) -> None:
    # Given alice used a session, and bob has one of his own
    register_alice()
    assert call_api("POST", "/users/bob/registration", json_body=image_json(jpeg())).status == 201
    used = liveness.start()
    liveness.answers(used, "SUCCEEDED", 99.0)
    assert verify(used).status == 200
    bobs = liveness.start("bob")
    # When alice tries her used session again, or bob's
    # Then both are refused with one and the same code, before Rekognition is asked
    for session_id in (used, bobs):
        answer = verify(session_id)
        assert (answer.status, answer.error_code) == (409, "LIVENESS_SESSION_INVALID")


def test_registration_with_a_session_makes_its_frame_the_reference(
    stack: Stack, liveness: Liveness
) -> None:
    session_id = liveness.start("carol")
    liveness.answers(session_id, "SUCCEEDED", 95.0)
    answer = call_api(
        "POST", "/users/carol/registration", json_body={"livenessSessionId": session_id}
    )
    assert answer.status == 201
    (carol,) = users(stack.database)
    assert carol["reference_key"].startswith("references/")
    assert carol["reference_key"] in object_keys(stack.s3)


def test_image_and_session_together_or_neither_is_400(stack: Stack, liveness: Liveness) -> None:
    both = {"image": image_json(jpeg())["image"], "livenessSessionId": str(uuid.uuid4())}
    for body in (both, {}):
        answer = call_api("POST", "/users/alice/verification", json_body=body)
        assert (answer.status, answer.error_code) == (400, "INVALID_REQUEST")


# -- the images' lifecycle -----------------------------------------------------------------------


def purge_at(stack: Stack, days: float) -> None:
    purge_due_images(
        queue=SqlPurgeQueue(stack.database.engine),
        images=stack.images,
        policy=PurgePolicy.from_days(3, 28),
        now=stack.clock.now + timedelta(days=days),
        time_left=lambda: 60_000.0,
    )


def test_liveness_images_follow_the_retention_of_the_recorded_outcome(
    stack: Stack, liveness: Liveness
) -> None:
    # Given a PASS, a LIVENESS_FAILED and an unused session's images
    register_alice()
    passed, failed, unused = liveness.start(), liveness.start(), liveness.start()
    liveness.answers(passed, "SUCCEEDED", 99.0)
    assert verify(passed).status == 200
    liveness.answers(failed, "SUCCEEDED", 10.0)
    assert verify(failed).status == 422
    liveness.streamed(unused)
    # When the purge runs on the next day, after 3 days and after 28 days
    purge_at(stack, 1)
    assert liveness.session_images(unused) == []  # over, never used: no purpose left
    assert liveness.session_images(passed) != []
    purge_at(stack, 3)
    assert liveness.session_images(passed) == []
    assert liveness.session_images(failed) != []
    purge_at(stack, 28)
    # Then each went on the day its run's outcome says
    assert liveness.session_images(failed) == []


def test_erasure_leaves_no_liveness_image(stack: Stack, liveness: Liveness) -> None:
    register_alice()
    used = liveness.start()
    liveness.answers(used, "SUCCEEDED", 99.0)
    assert verify(used).status == 200
    stack.clock.advance(minutes=5)
    assert call_api("DELETE", "/users/alice/registration").status == 204
    assert object_keys(stack.s3) == []


# -- FACEAUTH_LIVENESS=required: no other way in -------------------------------------------------


def test_with_liveness_required_no_route_turns_anything_but_a_live_session_into_a_pass(
    stack: Stack, rekognition_client: Any, settings: Settings
) -> None:
    # Given alice registered before liveness was required, and liveness now required
    register_alice()
    with_mode(stack, rekognition_client, LivenessMode.REQUIRED)
    image = image_json(jpeg())
    with Stubber(rekognition_client) as stubber:
        live = Liveness(stack, stubber)
        bobs = live.start("bob")
        weak = live.start()
        live.answers(weak, "SUCCEEDED", MIN_CONFIDENCE - 1)
        attempts = [
            ("POST", "/users/alice/verification", image),
            ("PUT", "/users/alice/registration", image),
            ("POST", "/users/dave/registration", image),
            ("POST", "/users/alice/verification", {"livenessSessionId": bobs}),
            ("PUT", "/users/alice/registration", {"livenessSessionId": bobs}),
            ("POST", "/users/alice/verification", {"livenessSessionId": weak}),
            ("POST", "/users/alice/verification", {"livenessSessionId": str(uuid.uuid4())}),
        ]
        # When every route is tried with anything but a live session of alice
        answers = [call_api(method, path, json_body=body) for method, path, body in attempts]
        # Then none passes or registers
        assert [a.error_code for a in answers] == [
            "LIVENESS_REQUIRED",
            "LIVENESS_REQUIRED",
            "LIVENESS_REQUIRED",
            "LIVENESS_SESSION_INVALID",
            "LIVENESS_SESSION_INVALID",
            "LIVENESS_FAILED",
            "LIVENESS_SESSION_INVALID",
        ]
        assert stack.engine.compared == []
        assert len(users(stack.database)) == 1
        # And a live session of alice at or above the confidence still passes
        good = live.start()
        live.answers(good, "SUCCEEDED", MIN_CONFIDENCE)
        assert verify(good).body["result"] == "PASS"
        stubber.assert_no_pending_responses()
