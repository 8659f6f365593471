"""Registration and re-enrolment through the handler, on MariaDB and moto S3."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from faceauth.domain.deadline import Deadline
from faceauth.domain.liveness import UploadedSelfie
from faceauth.errors import AlreadyRegistered, MultipleFaces, NoFaceDetected
from tests.api_client import call_api, image_json
from tests.conftest import BUCKET, object_keys, version_ids
from tests.images import jpeg, png
from tests.integration.conftest import Stack
from tests.integration.db_queries import runs, users


def test_register_stores_the_reference_and_answers_201(stack: Stack) -> None:
    # Given a new user
    # When they register a selfie
    answer = call_api("POST", "/users/alice/registration", json_body=image_json(jpeg()))
    # Then the API answers 201 with the run id, and the image and rows are stored
    assert answer.status == 201
    assert answer.body["userId"] == "alice"
    assert answer.body["registeredAt"].endswith("Z")
    [stored] = object_keys(stack.s3)
    assert stored == f"references/{answer.body['runId']}.jpg"
    [user] = users(stack.database)
    assert user["reference_key"] == stored
    [run] = runs(stack.database)
    assert (run["run_id"], run["kind"], run["image_key"]) == (
        answer.body["runId"],
        "REGISTRATION",
        stored,
    )


def test_register_accepts_png(stack: Stack) -> None:
    answer = call_api("POST", "/users/bob/registration", json_body=image_json(png()))
    assert answer.status == 201
    assert object_keys(stack.s3)[0].endswith(".png")


def test_second_registration_is_409_and_stores_nothing(stack: Stack) -> None:
    # Given a registered user
    call_api("POST", "/users/alice/registration", json_body=image_json(jpeg()))
    # When they register again
    answer = call_api("POST", "/users/alice/registration", json_body=image_json(jpeg()))
    # Then 409 ALREADY_REGISTERED and still exactly one image and one run
    assert (answer.status, answer.error_code) == (409, "ALREADY_REGISTERED")
    assert len(object_keys(stack.s3)) == 1
    assert len(runs(stack.database)) == 1


def test_registration_without_a_face_is_422_and_leaves_nothing(stack: Stack) -> None:
    stack.engine.gate_error = NoFaceDetected()
    answer = call_api("POST", "/users/alice/registration", json_body=image_json(jpeg()))
    assert (answer.status, answer.error_code) == (422, "NO_FACE_DETECTED")
    assert object_keys(stack.s3) == []
    assert users(stack.database) == []


def test_registration_with_two_faces_is_422_multiple_faces(stack: Stack) -> None:
    stack.engine.gate_error = MultipleFaces()
    answer = call_api("POST", "/users/alice/registration", json_body=image_json(jpeg()))
    assert (answer.status, answer.error_code) == (422, "MULTIPLE_FACES")
    assert object_keys(stack.s3) == []


def test_reenrolment_replaces_the_reference_and_deletes_the_old_image(stack: Stack) -> None:
    # Given a registered user
    first = call_api("POST", "/users/alice/registration", json_body=image_json(jpeg()))
    old_key = f"references/{first.body['runId']}.jpg"
    # When they re-enrol with PUT
    answer = call_api("PUT", "/users/alice/registration", json_body=image_json(png()))
    # Then 200, the new image is the reference and the old one is gone
    assert answer.status == 200
    new_key = f"references/{answer.body['runId']}.png"
    assert object_keys(stack.s3) == [new_key]
    assert users(stack.database)[0]["reference_key"] == new_key
    old_run = next(r for r in runs(stack.database) if r["image_key"] == old_key)
    assert old_run["purged_at"] is not None


def test_reenrolment_of_an_unknown_user_is_404(stack: Stack) -> None:
    answer = call_api("PUT", "/users/nobody/registration", json_body=image_json(jpeg()))
    assert (answer.status, answer.error_code) == (404, "USER_NOT_REGISTERED")
    assert object_keys(stack.s3) == []


def test_concurrent_registrations_of_one_user_leave_exactly_one_reference(stack: Stack) -> None:
    # Given eight requests racing to register the same user (past the early 409 check)
    barrier = threading.Barrier(8)
    stack.engine.gate_error = None
    original_gate = stack.engine.check_single_face

    def gate_then_wait(image: bytes, deadline: Deadline) -> None:
        original_gate(image, deadline)
        barrier.wait(timeout=10)

    stack.engine.check_single_face = gate_then_wait  # type: ignore[method-assign]

    def register() -> str:
        try:
            stack.service.register_reference("racer", UploadedSelfie(jpeg()), Deadline.after(20))
        except AlreadyRegistered:
            return "409"
        return "201"

    # When they all run at once
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda _: register(), range(8)))
    # Then exactly one wins, and exactly one reference image and row remain
    assert sorted(outcomes) == ["201"] + ["409"] * 7
    assert len(object_keys(stack.s3)) == 1
    assert len(users(stack.database)) == 1
    assert len(runs(stack.database)) == 1


def test_register_in_a_versioned_bucket_records_the_reference_version(stack: Stack) -> None:
    # Given a versioned images bucket
    stack.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    # When a user registers
    answer = call_api("POST", "/users/alice/registration", json_body=image_json(jpeg()))
    # Then the registration run holds the version S3 gave the reference image
    assert answer.status == 201
    [run] = runs(stack.database)
    assert version_ids(stack.s3, run["image_key"]) == [run["image_version_id"]]
