"""The one error table: every domain error has a row, statuses follow the class hierarchy,
and the answer carries the row's status, message and Retry-After."""

from __future__ import annotations

import json

import pytest

from compare.errors import ERROR_TABLE, GATEWAY_RESPONSES, is_final, response_for, spec_for
from faceauth import errors


def every_error_class() -> list[type[errors.FaceAuthError]]:
    found, pending = [], [errors.FaceAuthError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


@pytest.mark.parametrize("error", every_error_class(), ids=lambda cls: cls.__name__)
def test_every_domain_error_code_has_a_row(error: type[errors.FaceAuthError]) -> None:
    assert error.code in ERROR_TABLE


def test_a_subclass_without_a_row_of_its_own_answers_as_its_base() -> None:
    # Given a new kind of face problem whose code nobody added to the table
    class BlurryFace(errors.FaceQualityError):
        code = "BLURRY_FACE"

    class Blurry(errors.FaceTooSmall):
        code = "BLURRY"

    # When it is looked up, then it answers as its nearest base with a row, never a 500
    assert spec_for(Blurry()).code == "FACE_TOO_SMALL"
    assert spec_for(BlurryFace()).code == "FACE_NOT_USABLE"
    assert spec_for(BlurryFace()).status == 422
    assert spec_for(errors.OutOfTime("commit")).code == "DEPENDENCY_UNAVAILABLE"


def test_the_face_quality_errors_share_one_base_and_one_status() -> None:
    subclasses = errors.FaceQualityError.__subclasses__()
    quality = [errors.FaceQualityError] + [c for c in subclasses if c.__module__ == errors.__name__]
    assert {cls.code for cls in quality} == {
        "FACE_NOT_USABLE",
        "NO_FACE_DETECTED",
        "MULTIPLE_FACES",
        "FACE_TOO_SMALL",
    }
    assert {spec_for(cls()).status for cls in quality} == {422}


def test_an_answer_carries_the_row_and_the_computed_retry_after() -> None:
    answer = response_for(errors.UserLocked(90.2))
    assert answer.status_code == 423
    assert answer.headers["Retry-After"] == "91"
    body = json.loads(str(answer.body))
    assert body == {"error": {"code": "USER_LOCKED", "message": ERROR_TABLE["USER_LOCKED"].message}}


def test_a_specific_message_wins_over_the_rows() -> None:
    answer = response_for(errors.ImageTooLarge("The image must be at most 1024 bytes."))
    assert (
        json.loads(str(answer.body))["error"]["message"] == "The image must be at most 1024 bytes."
    )
    assert "Retry-After" not in answer.headers


@pytest.mark.parametrize(
    ("status", "code", "final"),
    [
        (201, None, True),
        (409, "ALREADY_REGISTERED", True),
        (422, "NO_FACE_DETECTED", True),
        (423, "USER_LOCKED", False),
        (423, "VERIFICATION_IN_PROGRESS", False),
        (409, "IDEMPOTENCY_KEY_IN_USE", False),
        (503, "DEPENDENCY_UNAVAILABLE", False),
        (500, "INTERNAL_ERROR", False),
    ],
)
def test_only_final_answers_are_kept_for_retries(
    status: int, code: str | None, final: bool
) -> None:
    body = json.dumps({"error": {"code": code, "message": "m"}}) if code else "{}"
    assert is_final(status, body) is final


def test_every_gateway_response_names_a_row() -> None:
    assert {gateway["code"] for gateway in GATEWAY_RESPONSES.values()} <= set(ERROR_TABLE)
