"""Face Liveness rules on in-memory fakes: sessions bound to a user and used once, the
server's decision, lockout counting, the policy modes and erasure of liveness images."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from faceauth import bootstrap
from faceauth.domain.deadline import Deadline
from faceauth.domain.liveness import (
    LivenessMode,
    LivenessPolicy,
    LivenessResult,
    LivenessSelfie,
    LivenessStatus,
    UploadedSelfie,
    session_prefix,
)
from faceauth.domain.model import Decision
from faceauth.domain.services import FaceAuthService
from faceauth.errors import (
    DependencyUnavailable,
    LivenessFailed,
    LivenessRequired,
    LivenessSessionExpired,
    LivenessSessionIncomplete,
    LivenessSessionInvalid,
    LivenessUnavailable,
    UserLocked,
)
from faceauth.settings import Settings
from tests.fakes import (
    FakeClock,
    FakeDatabase,
    FakeImageStore,
    FakeLiveness,
    ScriptedFaceEngine,
    service_on_fakes,
)
from tests.images import jpeg

IMAGE = jpeg()
MIN_CONFIDENCE = 80.0


@dataclass
class World:
    db: FakeDatabase = field(default_factory=FakeDatabase)
    store: FakeImageStore = field(default_factory=FakeImageStore)
    engine: ScriptedFaceEngine = field(default_factory=ScriptedFaceEngine)
    clock: FakeClock = field(default_factory=FakeClock)
    mode: LivenessMode = LivenessMode.OPTIONAL
    liveness: FakeLiveness = field(default_factory=FakeLiveness)

    def __post_init__(self) -> None:
        self.liveness.store = self.store

    @property
    def service(self) -> FaceAuthService:
        return self.service_with(self.liveness)

    def service_with(self, liveness: FakeLiveness | None) -> FaceAuthService:
        """The service in this world's mode, on the given liveness service (None: none)."""
        policy = LivenessPolicy(self.mode, MIN_CONFIDENCE, 2, liveness)
        return service_on_fakes(self.db, self.store, self.engine, self.clock, liveness=policy)

    def session(self, user_id: str = "alice", confidence: float | None = 97.5) -> str:
        """A session created for the user and, unless confidence is None, completed."""
        created = self.service.start_liveness_session(user_id, str(uuid.uuid4()), deadline())
        if confidence is not None:
            self.liveness.complete(created.session_id, confidence)
        return created.session_id

    def runs(self) -> list[object]:
        return [run for run, _ in self.db.tables.runs]


def deadline() -> Deadline:
    return Deadline.after(20)


@pytest.fixture
def world() -> World:
    world = World()
    world.service.register_reference("alice", UploadedSelfie(IMAGE), deadline())
    return world


def live(session_id: str) -> LivenessSelfie:
    return LivenessSelfie(session_id)


# -- using a session -----------------------------------------------------------------------------


def test_a_succeeded_session_is_compared_with_the_reference(world: World) -> None:
    # Given a session alice completed with high confidence
    session_id = world.session()
    # When she verifies with it
    outcome = world.service.verify_capture("alice", live(session_id), deadline())
    # Then the engine compared her reference with the session's frame, and the run records
    # the session and its confidence
    assert outcome.result is Decision.PASS
    assert world.engine.compared[-1][1] == f"{session_prefix(session_id)}reference.jpg"
    run = world.db.tables.runs[-1][0]
    assert (run.liveness_session_id, run.liveness_confidence) == (session_id, 97.5)
    assert run.image_key is None  # the session's images are the capture


def test_a_session_is_used_once(world: World) -> None:
    session_id = world.session()
    world.service.verify_capture("alice", live(session_id), deadline())
    with pytest.raises(LivenessSessionInvalid):
        world.service.verify_capture("alice", live(session_id), deadline())


def test_another_users_session_and_an_unknown_one_are_the_same_error(world: World) -> None:
    world.service.register_reference("bob", UploadedSelfie(IMAGE), deadline())
    bobs = world.session("bob")
    for session_id in (bobs, "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(LivenessSessionInvalid):
            world.service.verify_capture("alice", live(session_id), deadline())
    assert len(world.runs()) == 2  # the registrations only


@pytest.mark.parametrize("confidence", [12.0, MIN_CONFIDENCE - 0.01])
def test_a_low_confidence_is_liveness_failed_recorded_and_counted(
    world: World, confidence: float
) -> None:
    # Given a session completed below the required confidence
    session_id = world.session(confidence=confidence)
    # When alice verifies with it
    with pytest.raises(LivenessFailed):
        world.service.verify_capture("alice", live(session_id), deadline())
    # Then the engine never ran, the run is recorded with its code, and it counts as a FAIL
    assert world.engine.compared == []
    status = world.service.get_status("alice")
    assert status.last_verification is not None
    assert status.last_verification.error_code == "LIVENESS_FAILED"
    assert status.consecutive_failures == 1


def test_a_failed_session_is_liveness_failed(world: World) -> None:
    session_id = world.session(confidence=None)
    world.liveness.answers[session_id] = LivenessResult(LivenessStatus.FAILED, 3.0, None)
    with pytest.raises(LivenessFailed):
        world.service.verify_capture("alice", live(session_id), deadline())


def test_five_liveness_failures_lock_the_user(world: World) -> None:
    for _ in range(5):
        with pytest.raises(LivenessFailed):
            world.service.verify_capture("alice", live(world.session(confidence=1.0)), deadline())
    with pytest.raises(UserLocked):
        world.service.verify_capture("alice", live(world.session()), deadline())


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (LivenessStatus.CREATED, LivenessSessionIncomplete),
        (LivenessStatus.IN_PROGRESS, LivenessSessionIncomplete),
        (LivenessStatus.EXPIRED, LivenessSessionExpired),
    ],
)
def test_an_unfinished_or_expired_session_records_nothing_and_can_be_retried(
    world: World, status: LivenessStatus, error: type[Exception]
) -> None:
    # Given a session not finished (or expired)
    session_id = world.session(confidence=None)
    world.liveness.answers[session_id] = LivenessResult(status, None, None)
    # When alice verifies with it
    with pytest.raises(error):
        world.service.verify_capture("alice", live(session_id), deadline())
    # Then nothing is recorded or counted, and nothing is left in flight
    assert world.service.get_status("alice").consecutive_failures == 0
    assert len(world.runs()) == 1
    assert world.db.tables.pending == {}


def test_a_liveness_outage_is_503_and_never_a_failure(world: World) -> None:
    session_id = world.session()
    world.liveness.unavailable = True
    with pytest.raises(DependencyUnavailable):
        world.service.verify_capture("alice", live(session_id), deadline())
    world.liveness.unavailable = False
    # The session was not spent: the retry works.
    assert world.service.verify_capture("alice", live(session_id), deadline()).result is (
        Decision.PASS
    )


def test_a_retried_create_with_the_same_token_is_the_same_session(world: World) -> None:
    first = world.service.start_liveness_session("alice", "t1", deadline())
    again = world.service.start_liveness_session("alice", "t1", deadline())
    assert first.session_id == again.session_id
    assert first.expires_at == world.clock.now + timedelta(minutes=3)


# -- registration ----------------------------------------------------------------------------


def test_registration_from_a_session_copies_its_frame_as_the_reference() -> None:
    # Given a first-time user who completed a session
    world = World()
    session_id = world.session("carol")
    # When she registers with it
    world.service.register_reference("carol", live(session_id), deadline())
    # Then her reference is a copy of the session's frame, outside the session's prefix
    user = next(iter(world.db.tables.users.values()))
    assert user.reference_key is not None
    assert user.reference_key.startswith("references/")
    assert world.store.objects[user.reference_key] == b"frame"


def test_registration_from_a_failed_session_is_refused_and_spends_it() -> None:
    world = World()
    session_id = world.session("carol", confidence=20.0)
    with pytest.raises(LivenessFailed):
        world.service.register_reference("carol", live(session_id), deadline())
    assert world.db.tables.users == {}
    with pytest.raises(LivenessSessionInvalid):
        world.service.register_reference("carol", live(session_id), deadline())


# -- the policy modes ------------------------------------------------------------------------


def test_with_liveness_required_an_image_never_registers_or_verifies(world: World) -> None:
    world.mode = LivenessMode.REQUIRED
    with pytest.raises(LivenessRequired):
        world.service.verify_capture("alice", UploadedSelfie(IMAGE), deadline())
    with pytest.raises(LivenessRequired):
        world.service.replace_reference("alice", UploadedSelfie(IMAGE), deadline())
    with pytest.raises(LivenessRequired):
        world.service.register_reference("dave", UploadedSelfie(IMAGE), deadline())
    assert world.engine.compared == []


def test_with_liveness_off_sessions_are_unavailable(world: World) -> None:
    world.mode = LivenessMode.OFF
    with pytest.raises(LivenessUnavailable):
        world.service.start_liveness_session("alice", "t", deadline())
    session_id = world.liveness.create_session("x", "liveness", 0, deadline())
    with pytest.raises(LivenessUnavailable):
        world.service.verify_capture("alice", live(session_id), deadline())


def test_without_a_liveness_service_sessions_are_unavailable(world: World) -> None:
    with pytest.raises(LivenessUnavailable):
        world.service_with(None).start_liveness_session("alice", "t", deadline())


def test_required_liveness_with_the_local_engine_is_refused_at_start_up() -> None:
    settings = Settings(database_url="sqlite://", face_engine="local", liveness="required")
    with pytest.raises(bootstrap.ConfigurationError, match="local face engine has no liveness"):
        bootstrap.liveness_policy_mode(settings)


# -- erasure ------------------------------------------------------------------------------------


def test_erasure_deletes_the_images_of_used_and_unused_sessions(world: World) -> None:
    # Given a used session, and an unused one that is over
    used = world.session()
    world.service.verify_capture("alice", live(used), deadline())
    unused = world.session()
    world.clock.advance(minutes=5)
    # When alice is erased
    world.service.erase_user("alice", deadline())
    # Then no image of either session is left, and neither can be used again
    assert world.store.objects == {}
    assert all(purged for _, _, purged in world.db.tables.sessions.values())
    with pytest.raises(LivenessSessionInvalid):
        world.service.register_reference("alice", live(unused), deadline())


def test_erasure_waits_while_a_session_may_still_be_written(world: World) -> None:
    # Given a session alice started a minute ago and has not used
    world.session(confidence=None)
    world.clock.advance(minutes=1)
    # When she is erased, then the erasure cannot finish yet: the liveness service may
    # still write that session's images for about 3 more minutes
    with pytest.raises(DependencyUnavailable) as waiting:
        world.service.erase_user("alice", deadline())
    assert 170 <= waiting.value.retry_after_seconds <= 181
    # And once that time is over, a retry completes it
    world.clock.advance(minutes=4)
    world.service.erase_user("alice", deadline())
    assert world.store.objects == {}
