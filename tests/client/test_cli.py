"""The `faceauth` command prints readable lines and exits with documented codes."""

from __future__ import annotations

import io
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from fake_api import LIVENESS_SESSION, REGISTRATION, STATUS, VERIFICATION, FakeApi

from faceauth_client.cli import main


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "selfie.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0fake-jpeg")
    return path


def run(api: FakeApi, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--base-url", api.base_url, "--api-key", "k", *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_verify_pass_prints_similarity_and_exits_0(api: FakeApi, photo: Path) -> None:
    # Given an API that answers PASS
    api.reply(200, VERIFICATION)
    # When `faceauth verify` runs
    code, out, _ = run(api, "verify", "--user", "alice", str(photo))
    # Then it prints the verdict line and exits 0
    assert out.strip() == "PASS  similarity 97.43 (threshold 90)"
    assert code == 0


def test_verify_fail_exits_1(api: FakeApi, photo: Path) -> None:
    # Given an API that answers FAIL
    api.reply(200, {**VERIFICATION, "similarity": 41.25, "result": "FAIL"})
    # When `faceauth verify` runs
    code, out, _ = run(api, "verify", "--user", "alice", str(photo))
    # Then it prints FAIL and exits 1
    assert out.strip() == "FAIL  similarity 41.25 (threshold 90)"
    assert code == 1


@pytest.mark.parametrize(
    ("similarity", "result", "shown"),
    [(99.97, "PASS", "99.97"), (89.96, "FAIL", "89.96"), (90, "PASS", "90.00")],
)
def test_similarity_is_shown_with_the_api_precision(
    api: FakeApi, photo: Path, similarity: float, result: str, shown: str
) -> None:
    # Given an API that answers with a similarity of 2 decimals
    api.reply(200, {**VERIFICATION, "similarity": similarity, "result": result})
    # When `faceauth verify` runs
    _, out, _ = run(api, "verify", "--user", "alice", str(photo))
    # Then the similarity is printed with those 2 decimals, never rounded to 1
    assert out.startswith(f"{result}  similarity {shown} ")


def test_status_shows_the_last_similarity_with_the_api_precision(api: FakeApi) -> None:
    # Given a user whose last verification was a FAIL at 89.96
    last = {**STATUS["lastVerification"], "result": "FAIL", "similarity": 89.96, "errorCode": None}
    api.reply(200, {**STATUS, "lastVerification": last})
    # When `faceauth status` runs
    _, out, _ = run(api, "status", "--user", "alice")
    # Then the similarity keeps its 2 decimals
    assert "last verify   FAIL, similarity 89.96 at " in out


def test_register_prints_user_time_and_run(api: FakeApi, photo: Path) -> None:
    # Given an API that accepts the registration
    api.reply(201, REGISTRATION)
    # When `faceauth register` runs
    code, out, _ = run(api, "register", "--user", "alice", str(photo))
    # Then it confirms the registration
    assert out.strip() == "REGISTERED  user alice at 2026-11-26T21:00:00+00:00 (run run-1)"
    assert code == 0


def test_reregister_uses_put(api: FakeApi, photo: Path) -> None:
    # Given an API that accepts the re-enrolment
    api.reply(200, REGISTRATION)
    # When `faceauth reregister` runs
    code, out, _ = run(api, "reregister", "--user", "alice", str(photo))
    # Then a PUT was sent and the output says so
    assert api.requests[0].method == "PUT"
    assert out.startswith("REREGISTERED  user alice")
    assert code == 0


def test_status_prints_lock_and_last_attempt(api: FakeApi) -> None:
    # Given a locked user
    api.reply(200, STATUS)
    # When `faceauth status` runs
    code, out, _ = run(api, "status", "--user", "alice")
    # Then the lines show the error of the last attempt and the lock
    assert "last verify   error NO_FACE_DETECTED at 2026-11-26T21:06:00+00:00" in out
    assert "locked        yes, until 2026-11-26T21:21:00+00:00" in out
    assert "failures      5 in a row" in out
    assert code == 0


def test_erase_confirms(api: FakeApi) -> None:
    # Given an API that erases
    api.reply(204)
    # When `faceauth erase` runs
    code, out, _ = run(api, "erase", "--user", "alice")
    # Then it confirms
    assert out.strip() == "ERASED  user alice"
    assert code == 0


def test_health_prints_ok(api: FakeApi) -> None:
    # Given a healthy API
    api.reply(200, {"status": "ok"})
    # When `faceauth health` runs
    code, out, _ = run(api, "health")
    # Then it prints OK
    assert out.strip() == "OK  ok"
    assert code == 0


def test_api_error_prints_code_and_exits_3(api: FakeApi, photo: Path) -> None:
    # Given a capture without a face, which the table marks not retryable
    api.error(422, "NO_FACE_DETECTED")
    # When `faceauth verify` runs
    code, out, err = run(api, "verify", "--user", "alice", str(photo))
    # Then stderr names the code, and the exit code is 3
    assert err.strip() == "ERROR  NO_FACE_DETECTED (422): NO_FACE_DETECTED happened"
    assert out == ""
    assert code == 3


def test_retryable_error_prints_the_wait_and_the_key_and_exits_4(api: FakeApi, photo: Path) -> None:
    # Given a locked user (retryable in the table, after a Retry-After too long to wait here)
    api.error(423, "USER_LOCKED", headers={"Retry-After": "300"})
    key = str(uuid.uuid4())
    # When `faceauth verify` runs with a key
    code, out, err = run(api, "verify", "--user", "alice", "--idempotency-key", key, str(photo))
    # Then stderr names the code, the wait and how to retry safely, and the exit code is 4
    assert err.splitlines() == [
        "ERROR  USER_LOCKED (423): USER_LOCKED happened (retry after 300 s)",
        f"retry with --idempotency-key {key}",
    ]
    assert out == ""
    assert code == 4


def test_dependency_unavailable_after_retries_exits_4(api: FakeApi) -> None:
    # Given an API whose database stays down (Retry-After 0 keeps the test fast)
    for _ in range(4):
        api.error(503, "DEPENDENCY_UNAVAILABLE", headers={"Retry-After": "0"})
    # When `faceauth status` runs
    code, _, err = run(api, "status", "--user", "alice")
    # Then it retried, then exited 4
    assert len(api.requests) == 4
    assert err.startswith("ERROR  DEPENDENCY_UNAVAILABLE (503)")
    assert code == 4


def test_spent_quota_exits_3(api: FakeApi) -> None:
    # Given a usage plan whose quota is used up (not retryable in the table)
    api.error(429, "QUOTA_EXCEEDED")
    # When `faceauth status` runs
    code, _, err = run(api, "status", "--user", "alice")
    # Then retrying later is not suggested
    assert err.startswith("ERROR  QUOTA_EXCEEDED (429)")
    assert code == 3


def test_unreachable_api_exits_4() -> None:
    # Given nothing listening on the base URL
    err = io.StringIO()
    # When `faceauth health` runs without retries
    argv = ["--base-url", "http://127.0.0.1:9/v1", "--max-retries", "0", "health"]
    code = main(argv, out=io.StringIO(), err=err)
    # Then it reports the API unavailable
    assert err.getvalue().startswith("UNAVAILABLE")
    assert code == 4


def test_verify_sends_an_idempotency_key_and_reuses_it_on_retry(api: FakeApi, photo: Path) -> None:
    # Given an API that is briefly unavailable, then answers
    api.error(503, "DEPENDENCY_UNAVAILABLE", headers={"Retry-After": "0"})
    api.reply(200, VERIFICATION)
    # When `faceauth verify` runs
    code, _, _ = run(api, "verify", "--user", "alice", str(photo))
    # Then both attempts carried the same UUID key
    first, retry = api.requests
    assert uuid.UUID(first.headers["idempotency-key"])
    assert retry.headers["idempotency-key"] == first.headers["idempotency-key"]
    assert code == 0


def test_given_idempotency_key_is_sent(api: FakeApi) -> None:
    # Given a key printed by an earlier run that failed
    key = str(uuid.uuid4())
    api.reply(204)
    # When `faceauth erase` runs with it
    run(api, "erase", "--user", "alice", "--idempotency-key", key)
    # Then the API received that key
    assert api.requests[0].headers["idempotency-key"] == key


def test_idempotency_key_must_be_a_uuid(api: FakeApi) -> None:
    # Given a key that is not a UUID
    # When `faceauth erase` runs with it
    with pytest.raises(SystemExit) as caught:
        run(api, "erase", "--user", "alice", "--idempotency-key", "not-a-uuid")
    # Then it is a usage error and nothing is sent
    assert caught.value.code == 2
    assert api.requests == []


def test_photo_over_the_limit_is_image_too_large_without_sending(
    api: FakeApi, tmp_path: Path
) -> None:
    # Given a photo one byte over the limit
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff" * 1025)
    # When `faceauth verify` runs with a 1 KiB limit
    code, _, err = run(api, "--max-image-bytes", "1024", "verify", "--user", "alice", str(big))
    # Then it reports IMAGE_TOO_LARGE, a client error not worth retrying, and sends nothing
    assert err.startswith("ERROR  IMAGE_TOO_LARGE (413): The image is 1025 bytes")
    assert code == 3
    assert api.requests == []


def test_server_that_answers_413_and_closes_is_image_too_large(
    api: FakeApi, tmp_path: Path
) -> None:
    # Given a server that answers 413 without reading the body, then closes the connection
    api.error(413, "IMAGE_TOO_LARGE", read_body=False)
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff" * (6 * 1024 * 1024))
    # When `faceauth register` sends a 6 MiB photo (the client's limit raised to allow it)
    limit = str(8 * 1024 * 1024)
    code, _, err = run(api, "--max-image-bytes", limit, "register", "--user", "alice", str(big))
    # Then the 413 is reported as IMAGE_TOO_LARGE (exit 3), not as an unreachable API
    assert err.startswith("ERROR  IMAGE_TOO_LARGE (413)")
    assert code == 3


def test_missing_photo_file_is_a_usage_error(api: FakeApi, tmp_path: Path) -> None:
    # Given a photo path that does not exist
    # When `faceauth verify` runs
    with pytest.raises(SystemExit) as caught:
        run(api, "verify", "--user", "alice", str(tmp_path / "missing.jpg"))
    # Then it exits 2 without calling the API
    assert caught.value.code == 2
    assert api.requests == []


def test_invalid_user_id_is_a_usage_error(api: FakeApi, photo: Path) -> None:
    # Given a user id with a slash
    # When `faceauth verify` runs
    with pytest.raises(SystemExit) as caught:
        run(api, "verify", "--user", "a/b", str(photo))
    # Then it exits 2
    assert caught.value.code == 2


def test_missing_api_key_is_a_usage_error(
    api: FakeApi, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given no key on the command line or in the environment
    monkeypatch.delenv("FACEAUTH_API_KEY", raising=False)
    # When `faceauth status` runs
    with pytest.raises(SystemExit) as caught:
        main(["--base-url", api.base_url, "status", "--user", "alice"])
    # Then it exits 2 and says how to pass the key
    assert caught.value.code == 2
    assert "FACEAUTH_API_KEY" in capsys.readouterr().err


def test_environment_supplies_base_url_and_key(api: FakeApi) -> None:
    # Given the base URL and key only in the environment
    env = {"FACEAUTH_BASE_URL": api.base_url, "FACEAUTH_API_KEY": "from-env", "PATH": ""}
    api.reply(200, STATUS)
    # When `python -m faceauth_client status` runs as a process
    done = subprocess.run(
        [sys.executable, "-m", "faceauth_client", "status", "--user", "alice"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    # Then the key from the environment was sent and the command succeeded
    assert done.returncode == 0, done.stderr
    assert api.requests[0].headers["x-api-key"] == "from-env"


def test_liveness_session_prints_id_region_and_expiry(api: FakeApi) -> None:
    # Given an API that creates liveness sessions
    api.reply(201, LIVENESS_SESSION)
    # When `faceauth liveness-session` runs
    code, out, _ = run(api, "liveness-session", "--user", "alice")
    # Then it prints the session for the app's component, with an Idempotency-Key sent
    assert out == (
        "SESSION  6a8b1c2d-3e4f-4a5b-9c6d-7e8f9a0b1c2d  region eu-west-1  "
        "expires 2026-11-26T21:03:00+00:00\n"
    )
    assert code == 0
    assert api.requests[0].path == "/v1/users/alice/liveness-sessions"
    assert uuid.UUID(api.requests[0].headers["idempotency-key"])


def test_liveness_session_without_liveness_service_exits_3(api: FakeApi) -> None:
    # Given the local stack, which has no liveness service
    api.error(501, "LIVENESS_UNAVAILABLE")
    # When `faceauth liveness-session` runs
    code, _, err = run(api, "liveness-session", "--user", "alice")
    # Then it reports the code, not worth retrying
    assert err.startswith("ERROR  LIVENESS_UNAVAILABLE (501)")
    assert code == 3


@pytest.mark.parametrize(
    ("command", "method", "route", "status", "body"),
    [
        ("register", "POST", "registration", 201, REGISTRATION),
        ("reregister", "PUT", "registration", 200, REGISTRATION),
        ("verify", "POST", "verification", 200, VERIFICATION),
    ],
)
def test_selfie_commands_send_a_liveness_session_instead_of_a_photo(
    api: FakeApi, command: str, method: str, route: str, status: int, body: object
) -> None:
    # Given an API that accepts the request
    api.reply(status, body)
    session_id = LIVENESS_SESSION["sessionId"]
    # When the command runs with --liveness-session and no photo
    code, _, _ = run(api, command, "--user", "alice", "--liveness-session", session_id)
    # Then the body holds the session id only
    assert code == 0
    (seen,) = api.requests
    assert (seen.method, seen.path) == (method, f"/v1/users/alice/{route}")
    assert seen.body == {"livenessSessionId": session_id}


def test_verify_with_a_failed_liveness_check_exits_3(api: FakeApi) -> None:
    # Given an API that judges the session not live
    api.error(422, "LIVENESS_FAILED")
    # When `faceauth verify --liveness-session` runs
    code, _, err = run(
        api, "verify", "--user", "alice", "--liveness-session", LIVENESS_SESSION["sessionId"]
    )
    # Then the code is reported and the exit is an API error, not a FAIL
    assert err.startswith("ERROR  LIVENESS_FAILED (422)")
    assert code == 3


def test_photo_and_liveness_session_together_are_a_usage_error(api: FakeApi, photo: Path) -> None:
    # Given both a photo and a session id
    # When `faceauth verify` runs with both
    with pytest.raises(SystemExit) as caught:
        run(api, "verify", "--user", "alice", str(photo), "--liveness-session", str(uuid.uuid4()))
    # Then it exits 2 and nothing is sent
    assert caught.value.code == 2
    assert api.requests == []


def test_neither_photo_nor_liveness_session_is_a_usage_error(
    api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given no selfie at all
    # When `faceauth register` runs
    with pytest.raises(SystemExit) as caught:
        run(api, "register", "--user", "alice")
    # Then it exits 2 and says what to give
    assert caught.value.code == 2
    assert "--liveness-session" in capsys.readouterr().err
    assert api.requests == []


def test_liveness_session_must_be_a_uuid(api: FakeApi) -> None:
    # Given a session id that is not a UUID
    # When `faceauth verify` runs with it
    with pytest.raises(SystemExit) as caught:
        run(api, "verify", "--user", "alice", "--liveness-session", "session-1")
    # Then it is a usage error and nothing is sent
    assert caught.value.code == 2
    assert api.requests == []
