"""Property-based fuzz of the compare handler (issue 10 item 3): generated API Gateway proxy
events (tests/event_strategies.py) against the real handler on MariaDB, moto S3 and a
scripted face engine, the stack reused across examples and its tables reset per scenario.

Every answer must be documented: no 500 and no exception out of the handler; an error is
{"error": {"code", "message"}} with a code of functions/compare/error_codes.json, the
table's status and Retry-After, as JSON, and listed for its operation in api/openapi.yaml;
a success matches its operation's response schema there.

The environment sets the budget (docs/testing.md): FUZZ_EXAMPLES scenarios of 1 to 6
requests (default 150, what `make test` runs, under a fixed seed and without an example
database, so every run tries the same cases); FUZZ_SEED another seed, with failures kept
in .hypothesis/ for the next run; FUZZ_SHARDS independent shards, one per xdist worker
(`make fuzz` runs one per core).
"""

from __future__ import annotations

import base64
import enum
import json
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, note, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from openapi_spec_validator import validate as validate_spec
from sqlalchemy import insert

from compare import handler
from faceauth import errors
from faceauth.adapters.s3_store import S3ImageStore
from faceauth.db.models import Base, LivenessSession, User
from faceauth.db.session import Database
from faceauth.domain.liveness import (
    SESSION_LIFETIME,
    LivenessMode,
    LivenessPolicy,
    LivenessResult,
    LivenessStatus,
    session_prefix,
)
from faceauth.domain.model import StoredObject
from faceauth.settings import Settings
from faceauth_local.events import response_headers
from tests.api_client import LambdaContextStub
from tests.conftest import BUCKET
from tests.event_strategies import (
    FUZZ_MAX_IMAGE_BYTES,
    KNOWN_USERS,
    LIVENESS_SESSIONS,
    SHORT_REPR,
    ApiRequest,
    api_requests,
    weighted,
    weighted_choice,
)
from tests.fakes import FakeLiveness, ScriptedFaceEngine
from tests.images import jpeg
from tests.integration.conftest import FakeClock, serve

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((REPO_ROOT / "api" / "openapi.yaml").read_text())
ERROR_TABLE: dict[str, dict[str, Any]] = json.loads(
    (REPO_ROOT / "functions" / "compare" / "error_codes.json").read_text()
)["errors"]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))  # scenarios, over all shards
SHARDS = int(os.environ.get("FUZZ_SHARDS", "1"))  # `make fuzz` runs one per core (xdist)
SEED = os.environ.get("FUZZ_SEED", "")
DEFAULT_SEED = 20261126
START = datetime(2026, 11, 26, 12, 0, 0)


# -- the oracle: what api/openapi.yaml and the error table promise --------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    path: re.Pattern[str]
    responses: dict[str, Any]


def _operations() -> list[Operation]:
    validate_spec(SPEC)
    return [
        Operation(
            method.upper(),
            # Trailing slashes and the method's case do not matter, to API Gateway's REST
            # APIs as to Powertools' resolver for them.
            re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)) + "/*$"),
            operation["responses"],
        )
        for path, item in SPEC["paths"].items()
        for method, operation in item.items()
    ]


OPERATIONS = _operations()


def operation_of(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    for operation in OPERATIONS:
        found = operation.path.match(path)
        if operation.method == method and found:
            return operation, found.groupdict()
    return None


def response_schema_validator(schema: dict[str, Any]) -> OAS30Validator:
    # The spec's components ride along so that its "#/components/..." references resolve.
    return OAS30Validator(
        {**schema, "components": SPEC["components"]}, format_checker=oas30_format_checker
    )


def answer_text(answer: dict[str, Any]) -> str:
    body = answer.get("body") or ""
    return base64.b64decode(body).decode() if answer.get("isBase64Encoded") else str(body)


def check_error(
    status: int, headers: dict[str, str], body: str, operation: Operation | None
) -> str:
    """The answer is an error of the table, as documented; returns its code."""
    assert headers.get("content-type", "").startswith("application/json"), headers
    document = json.loads(body)
    assert isinstance(document, dict), document
    assert list(document) == ["error"], document
    error = document["error"]
    assert isinstance(error, dict), document
    assert sorted(error) == ["code", "message"], document
    code, message = error["code"], error["message"]
    assert code in ERROR_TABLE, code
    assert code != "INTERNAL_ERROR", document
    assert isinstance(message, str), document
    assert message.strip(), document
    row = ERROR_TABLE[code]
    assert status == row["status"], (status, code)
    retry_after = headers.get("retry-after")
    if row["retryAfter"] is None:
        assert retry_after is None, (code, retry_after)
    elif row["retryAfter"] == "computed":
        assert retry_after is not None, code
        assert retry_after.isdigit(), (code, retry_after)
    else:
        assert retry_after == str(row["retryAfter"]), (code, retry_after)
    if operation is not None:
        documented = operation.responses.get(str(status))
        assert documented is not None, f"{status} {code} not documented"
        assert code in documented["content"]["application/json"]["examples"], (status, code)
    return str(code)


def check_success(
    status: int,
    headers: dict[str, str],
    body: str,
    matched: tuple[Operation, dict[str, str]] | None,
) -> str:
    """The answer is a documented success of the operation; returns its status."""
    assert matched is not None, f"{status} on a request of no operation"
    operation, path_parameters = matched
    documented = operation.responses.get(str(status))
    assert documented is not None, f"{status} not documented"
    content = documented.get("content")
    if content is None:
        assert body == "", body
        return str(status)
    assert headers.get("content-type", "").startswith("application/json"), headers
    document = json.loads(body)
    response_schema_validator(content["application/json"]["schema"]).validate(document)
    if "userId" in document:
        assert document["userId"] == path_parameters["userId"], document
    return str(status)


IDEMPOTENT_WRITES = ("POST", "PUT", "DELETE")  # as routed: the method's case does not matter


def idempotency_key(event: dict[str, Any]) -> uuid.UUID | None:
    """The Idempotency-Key the handler reads from the event, if it is a UUID."""
    value = None
    for name, header in (event["headers"] or {}).items():
        if name.lower() == "idempotency-key":
            value = header
    try:
        return uuid.UUID(value.strip()) if value is not None else None
    except ValueError:
        return None


def check_replay(first: dict[str, Any], retry: dict[str, Any]) -> None:
    """A retry with the same Idempotency-Key gets the first answer again when that one was
    final (a success, or an error the table does not call retryable)."""
    status = first["statusCode"]
    body = answer_text(first)
    if status >= 400 and ERROR_TABLE[json.loads(body)["error"]["code"]]["retryable"]:
        return
    assert (retry["statusCode"], answer_text(retry)) == (status, body), (first, retry)
    if status < 400:
        assert response_headers(retry).get("idempotent-replayed") == "true", retry


def check_answer(request: ApiRequest, answer: dict[str, Any]) -> str:
    """Checks one answer against the contract; returns a label for the statistics."""
    status = answer["statusCode"]
    assert isinstance(status, int), answer
    headers = response_headers(answer)
    body = answer_text(answer)
    matched = operation_of(request.method.upper(), request.path)
    if status >= 400:
        return check_error(status, headers, body, matched[0] if matched else None)
    return check_success(status, headers, body, matched)


# -- the service under test and the state a scenario starts from --------------------------


class UserState(enum.StrEnum):
    ABSENT = "absent"
    REGISTERED = "registered"
    FAILED_4_TIMES = "failed 4 times"
    LOCKED = "locked"
    ERASED = "erased"


def user_row(user_id: str, state: UserState) -> dict[str, Any]:
    """The users row of a known user in the given state."""
    registered = START - timedelta(days=1)
    row: dict[str, Any] = {
        "external_id": user_id,
        "reference_key": f"references/seed-{user_id}.jpg",
        "registered_at": registered,
        "consecutive_failures": 0,
        "locked_until": None,
        "erased_at": None,
        "enrolment": 1,
        "created_at": registered,
    }
    if state is UserState.FAILED_4_TIMES:
        row["consecutive_failures"] = 4
    elif state is UserState.LOCKED:
        row.update(consecutive_failures=5, locked_until=START + timedelta(minutes=10))
    elif state is UserState.ERASED:
        row.update(reference_key=None, registered_at=None, erased_at=START - timedelta(hours=1))
    return row


# What the face engines raise (FaceQualityError itself only stands in for a future subclass).
ENGINE_ERRORS: dict[str, type[errors.FaceAuthError] | None] = {
    "none": None,
    "no face": errors.NoFaceDetected,
    "several faces": errors.MultipleFaces,
    "face too small": errors.FaceTooSmall,
}


def _engine_error(name: str) -> errors.FaceAuthError | None:
    if name == "unavailable":
        return errors.DependencyUnavailable("face_engine")
    error_type = ENGINE_ERRORS[name]
    return error_type() if error_type else None


@dataclass(frozen=True)
class Scenario:
    users: tuple[UserState, ...]  # the state of each of KNOWN_USERS, seeded at START
    sessions_recorded: bool  # alice's and bob's liveness sessions (LIVENESS_SESSIONS[:2])
    minutes_later: int  # the clock when the requests come: locks and keys may have expired
    remaining_millis: int  # what Lambda says is left of the invocation
    similarity: float
    gate_error: str  # a key of ENGINE_ERRORS, or "unavailable"
    compare_error: str
    liveness_mode: LivenessMode
    liveness: LivenessStatus | None  # what the liveness service says of the sessions; None:
    liveness_confidence: float  # unavailable
    requests: tuple[tuple[ApiRequest, bool], ...]  # (request, sent twice: a client's retry)

    def liveness_result(self, session_id: str) -> LivenessResult:
        assert self.liveness is not None
        frame = None
        if self.liveness is LivenessStatus.SUCCEEDED:
            frame = StoredObject(liveness_frame(session_id))
        return LivenessResult(self.liveness, self.liveness_confidence, frame)


def liveness_frame(session_id: str) -> str:
    return f"{session_prefix(session_id)}reference.jpg"


def session_row(session_id: str, user_id: str) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "user_id": user_id,
        "created_at": START,
        "expires_at": START + SESSION_LIFETIME,
    }


ENGINE_ERROR_NAMES = weighted_choice(
    (8, "none"), *((1, name) for name in ENGINE_ERRORS if name != "none"), (2, "unavailable")
)
SCENARIOS = st.builds(
    Scenario,
    users=st.tuples(*(st.sampled_from(UserState) for _ in KNOWN_USERS)),
    sessions_recorded=st.booleans(),
    minutes_later=weighted_choice((6, 0), (1, 11), (1, 25 * 60)),
    remaining_millis=weighted_choice((6, 29_000), (1, 3_500), (1, 3_000), (1, 200)),
    similarity=weighted(
        (3, st.floats(min_value=0, max_value=100)),
        (1, st.sampled_from([0.0, 89.994, 89.995, 90.0, 100.0])),
    ),
    gate_error=ENGINE_ERROR_NAMES,
    compare_error=ENGINE_ERROR_NAMES,
    liveness_mode=weighted_choice(
        (2, LivenessMode.OFF), (2, LivenessMode.OPTIONAL), (1, LivenessMode.REQUIRED)
    ),
    liveness=weighted_choice(
        (3, LivenessStatus.SUCCEEDED), *((1, status) for status in LivenessStatus), (1, None)
    ),
    liveness_confidence=st.sampled_from([0.0, 79.99, 80.0, 99.5]),
    requests=st.lists(st.tuples(api_requests(), st.booleans()), min_size=1, max_size=3).map(tuple),
)


@dataclass
class FuzzStack:
    settings: Settings
    database: Database
    images: S3ImageStore
    s3: Any
    engine: ScriptedFaceEngine = field(default_factory=ScriptedFaceEngine)
    clock: FakeClock = field(default_factory=FakeClock)
    frames_erased: bool = True

    def reset(self, scenario: Scenario) -> None:
        """Empty tables with the scenario's users and sessions seeded (one transaction),
        the clock, engine and liveness service scripted, served by the handler."""
        with self.database.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
            seeded = [
                user_row(user_id, state)
                for user_id, state in zip(KNOWN_USERS, scenario.users, strict=True)
                if state is not UserState.ABSENT
            ]
            if seeded:
                conn.execute(insert(User), seeded)
            if scenario.sessions_recorded:
                sessions = zip(LIVENESS_SESSIONS, KNOWN_USERS, strict=False)
                conn.execute(insert(LivenessSession), [session_row(*s) for s in sessions])
        if scenario.liveness is LivenessStatus.SUCCEEDED and self.frames_erased:
            for session_id in LIVENESS_SESSIONS:
                self.s3.put_object(Bucket=BUCKET, Key=liveness_frame(session_id), Body=jpeg())
            self.frames_erased = False
        self.clock.now = START + timedelta(minutes=scenario.minutes_later)
        self.engine.similarity = scenario.similarity
        self.engine.gate_error = _engine_error(scenario.gate_error)
        self.engine.compare_error = _engine_error(scenario.compare_error)
        self.engine.compared.clear()
        liveness = FakeLiveness(unavailable=scenario.liveness is None)
        if scenario.liveness is not None:
            liveness.created = {session_id: session_id for session_id in LIVENESS_SESSIONS}
            liveness.answers = {s: scenario.liveness_result(s) for s in LIVENESS_SESSIONS}
        policy = LivenessPolicy(scenario.liveness_mode, 80.0, 2, liveness)
        serve(self.settings, self.database, self.images, self.engine, self.clock, policy)

    def sent(self, request: ApiRequest) -> None:
        if request.method.upper() == "DELETE":  # an erasure deletes the sessions' frames
            self.frames_erased = True


@pytest.fixture
def fuzz_stack(
    settings: Settings, database: Database, image_store: S3ImageStore, s3_client: Any
) -> Iterator[FuzzStack]:
    """The handler serving the production wiring on MariaDB + moto S3, a scripted engine and
    a fake clock; the image limit lowered so that an oversized image is cheap to send."""
    fuzz_settings = settings.model_copy(update={"max_image_bytes": FUZZ_MAX_IMAGE_BYTES})
    for user_id in KNOWN_USERS:
        s3_client.put_object(Bucket=BUCKET, Key=f"references/seed-{user_id}.jpg", Body=jpeg())
    yield FuzzStack(fuzz_settings, database, image_store, s3_client)
    handler.app.dependency_overrides.clear()


def hypothesis_settings_for(shard: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """`make test`: a fixed seed and no example database, so every run tries the same cases.
    `make fuzz` (FUZZ_SEED set): that seed, failures kept in .hypothesis/ for the next run."""
    examples = EXAMPLES // SHARDS + (1 if shard < EXAMPLES % SHARDS else 0)
    database = (
        DirectoryBasedExampleDatabase(REPO_ROOT / ".hypothesis" / "examples") if SEED else None
    )
    configured = hypothesis_settings(
        max_examples=max(examples, 1),
        database=database,
        deadline=None,  # a database round trip's time is not the property
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )

    def apply(test: Callable[..., None]) -> Callable[..., None]:
        return seed(int(SEED or DEFAULT_SEED) + shard)(configured(test))

    return apply


@dataclass
class TimeLeft(LambdaContextStub):
    remaining_millis: int = 29_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_millis


@dataclass
class Tally:
    scenarios: int = 0
    requests: int = 0
    answers: Counter[str] = field(default_factory=Counter)


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_generated_request_gets_a_documented_answer(
    fuzz_stack: FuzzStack, shard: int, record_property: Callable[[str, object], None]
) -> None:
    tally = Tally()

    @hypothesis_settings_for(shard)
    @given(scenario=SCENARIOS)
    def send(scenario: Scenario) -> None:
        # Given the scenario's users, sessions, clock, engine and liveness service
        fuzz_stack.reset(scenario)
        tally.scenarios += 1
        for request, retried in scenario.requests:
            first: dict[str, Any] | None = None
            for _attempt in range(2 if retried else 1):
                event = request.event()
                keyed = request.method.upper() in IDEMPOTENT_WRITES and idempotency_key(event)
                answer: Any = "(the handler raised)"
                try:
                    # When API Gateway hands the handler the event (again, for a retry)
                    context = TimeLeft(remaining_millis=scenario.remaining_millis)
                    answer = handler.lambda_handler(event, context)
                    # Then the answer is documented: never a 500, an error in the table's shape;
                    # and a retry with an Idempotency-Key gets the first final answer again
                    tally.answers[check_answer(request, answer)] += 1
                    if first is not None and keyed:
                        check_replay(first, answer)
                except BaseException:
                    note(f"event: {SHORT_REPR.repr(event)}\nanswer: {SHORT_REPR.repr(answer)}")
                    raise
                first = answer
                tally.requests += 1
                fuzz_stack.sent(request)

    started = time.perf_counter()
    try:
        send()
    finally:
        record_property(
            "fuzz",
            {
                "shard": shard,
                "seed": int(SEED or DEFAULT_SEED) + shard,
                "scenarios": tally.scenarios,
                "requests": tally.requests,
                "seconds": round(time.perf_counter() - started, 1),
                "answers": dict(tally.answers.most_common()),
            },
        )
