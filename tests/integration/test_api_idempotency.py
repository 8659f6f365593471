"""Idempotency-Key on the real handler and MariaDB: a retry gets the first answer and is not
evaluated or counted again (issue 9, item 6)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from threading import Event

from tests.api_client import ApiAnswer, call_api, image_json
from tests.conftest import object_keys
from tests.images import jpeg, png
from tests.integration.conftest import Stack
from tests.integration.db_queries import runs, users

REGISTER = "/users/alice/registration"
VERIFY = "/users/alice/verification"


def keyed(method: str, path: str, key: str, body: bytes | None = None) -> ApiAnswer:
    return call_api(
        method,
        path,
        json_body=image_json(body) if body is not None else None,
        headers={"Idempotency-Key": key},
    )


def test_a_retried_registration_gets_the_first_answer(stack: Stack) -> None:
    # Given a registration sent with a key
    key = str(uuid.uuid4())
    first = keyed("POST", REGISTER, key, jpeg())
    # When the client retries it with the same key and body
    retry = keyed("POST", REGISTER, key, jpeg())
    # Then it gets the same 201 and run id, not 409, and one reference is stored
    assert (first.status, retry.status) == (201, 201)
    assert retry.body["runId"] == first.body["runId"]
    assert retry.headers["idempotent-replayed"] == "true"
    assert len(object_keys(stack.s3)) == 1


def test_a_retried_verification_is_neither_evaluated_nor_counted_again(stack: Stack) -> None:
    # Given alice and a FAIL verification sent with a key
    assert call_api("POST", REGISTER, json_body=image_json(jpeg())).status == 201
    stack.engine.similarity = 12.0
    key = str(uuid.uuid4())
    first = keyed("POST", VERIFY, key, jpeg())
    # When it is retried three times
    retries = [keyed("POST", VERIFY, key, jpeg()) for _ in range(3)]
    # Then every retry answers the first FAIL, the engine ran once and one failure counts
    assert {answer.body["runId"] for answer in retries} == {first.body["runId"]}
    assert len(stack.engine.compared) == 1
    assert users(stack.database)[0]["consecutive_failures"] == 1
    assert len(runs(stack.database)) == 2


def test_the_same_key_with_another_body_is_422(stack: Stack) -> None:
    key = str(uuid.uuid4())
    assert keyed("POST", REGISTER, key, jpeg()).status == 201
    answer = keyed("POST", REGISTER, key, png())
    assert (answer.status, answer.error_code) == (422, "IDEMPOTENCY_KEY_REUSED")


def test_the_same_key_for_another_user_is_422(stack: Stack) -> None:
    key = str(uuid.uuid4())
    assert keyed("POST", REGISTER, key, jpeg()).status == 201
    answer = keyed("POST", "/users/bob/registration", key, jpeg())
    assert (answer.status, answer.error_code) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert len(users(stack.database)) == 1


def test_a_key_that_is_not_a_uuid_is_400(stack: Stack) -> None:
    answer = keyed("POST", REGISTER, "my-key", jpeg())
    assert (answer.status, answer.error_code) == (400, "INVALID_REQUEST")
    assert "Idempotency-Key" in answer.body["error"]["message"]
    assert users(stack.database) == []


def test_a_retryable_failure_is_not_replayed(stack: Stack) -> None:
    # Given a registration that met a face engine outage
    from faceauth.errors import DependencyUnavailable  # noqa: PLC0415

    key = str(uuid.uuid4())
    stack.engine.gate_error = DependencyUnavailable("face_engine")
    assert keyed("POST", REGISTER, key, jpeg()).status == 503
    # When the engine is back and the client retries with the same key
    stack.engine.gate_error = None
    retry = keyed("POST", REGISTER, key, jpeg())
    # Then the retry really runs
    assert retry.status == 201
    assert "idempotent-replayed" not in retry.headers


def test_a_retry_while_the_first_request_runs_is_409_with_retry_after(stack: Stack) -> None:
    # Given alice, and a verification with a key held inside the face engine
    assert call_api("POST", REGISTER, json_body=image_json(jpeg())).status == 201
    key = str(uuid.uuid4())
    inside, release = Event(), Event()

    def hold() -> None:
        inside.set()
        release.wait(10)

    stack.engine.on_compare = hold
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(keyed, "POST", VERIFY, key, jpeg())
        assert inside.wait(10)
        # When the client retries meanwhile
        retry = keyed("POST", VERIFY, key, jpeg())
        release.set()
        # Then it is asked to come back, and the first request completes normally
        assert (retry.status, retry.error_code) == (409, "IDEMPOTENCY_KEY_IN_USE")
        assert retry.headers["retry-after"] == "1"
        assert first.result().status == 200


def test_a_retry_sent_with_a_lower_case_method_gets_the_first_answer(stack: Stack) -> None:
    # Given a registration sent as `post` (routed as POST) with a key
    key = str(uuid.uuid4())
    body = image_json(jpeg())
    first = call_api("post", REGISTER, json_body=body, headers={"Idempotency-Key": key})
    # When the client retries it the same way
    retry = call_api("post", REGISTER, json_body=body, headers={"Idempotency-Key": key})
    # Then the retry is replayed, not run again into 409 ALREADY_REGISTERED
    assert (first.status, retry.status) == (201, 201)
    assert retry.body["runId"] == first.body["runId"]
    assert retry.headers["idempotent-replayed"] == "true"
    assert len(runs(stack.database)) == 1


def test_a_retried_erasure_answers_204_again(stack: Stack) -> None:
    # Given alice registered and erased with a key
    assert call_api("POST", REGISTER, json_body=image_json(jpeg())).status == 201
    key = str(uuid.uuid4())
    assert keyed("DELETE", REGISTER, key).status == 204
    # When the erasure is retried with the key
    replay = keyed("DELETE", REGISTER, key)
    # Then the first answer is replayed: 204, without a body (not "null") or media type
    assert (replay.status, replay.headers.get("idempotent-replayed")) == (204, "true")
    assert (replay.text, replay.headers.get("content-type")) == ("", None)


def test_keys_expire_after_a_day(stack: Stack) -> None:
    # Given a registration sent with a key, and a day going by
    key = str(uuid.uuid4())
    assert keyed("POST", REGISTER, key, jpeg()).status == 201
    stack.clock.advance(hours=24)
    # When the same key comes with another request
    answer = keyed("POST", "/users/bob/registration", key, jpeg())
    # Then it is a new key
    assert answer.status == 201
