"""The service's rules on in-memory fakes of its ports: lockout budget, erasure,
compensation, deadlines. The MariaDB suites keep what only a database shows (row locks,
isolation, migrations) and the real concurrency (tests/integration/test_concurrency.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from faceauth.domain.deadline import Deadline
from faceauth.domain.liveness import UploadedSelfie
from faceauth.domain.model import Decision
from faceauth.domain.services import CAPTURE_PREFIX, FaceAuthService
from faceauth.errors import (
    AlreadyRegistered,
    DependencyUnavailable,
    NoFaceDetected,
    OutOfTime,
    UserLocked,
    UserNotRegistered,
    VerificationInProgress,
)
from tests.fakes import (
    FakeClock,
    FakeDatabase,
    FakeImageStore,
    ScriptedFaceEngine,
    service_on_fakes,
)
from tests.images import jpeg

IMAGE = jpeg()
MAX_FAILURES = 5


@dataclass
class World:
    """A service on fakes, and handles on each fake."""

    db: FakeDatabase = field(default_factory=FakeDatabase)
    store: FakeImageStore = field(default_factory=FakeImageStore)
    engine: ScriptedFaceEngine = field(default_factory=ScriptedFaceEngine)
    clock: FakeClock = field(default_factory=FakeClock)
    slept: list[float] = field(default_factory=list)

    @property
    def service(self) -> FaceAuthService:
        return service_on_fakes(
            self.db,
            self.store,
            self.engine,
            self.clock,
            sleep=self.slept.append,
            max_failures=MAX_FAILURES,
        )

    def captures(self) -> list[str]:
        return [key for key in self.store.objects if key.startswith(CAPTURE_PREFIX)]

    def during_compare(self, action: Callable[[], object]) -> None:
        """Run ``action`` once, while the next verification is inside the engine."""

        def once() -> None:
            self.engine.on_compare = None
            action()

        self.engine.on_compare = once


def deadline(seconds: float = 20.0) -> Deadline:
    return Deadline.after(seconds)


@pytest.fixture
def world() -> World:
    world = World()
    world.service.register_reference("alice", UploadedSelfie(IMAGE), deadline())
    return world


def die_in_flight(world: World, limit: Deadline | None = None) -> None:
    """A verification that stores its capture and then dies (killed, out of memory): it
    can neither commit nor clean up, so its pending run stays live."""

    def crash() -> None:
        world.db.unavailable = True
        world.store.fail_deletes = True
        raise DependencyUnavailable("face_engine")

    world.engine.on_compare = crash
    with pytest.raises(DependencyUnavailable):
        world.service.verify_capture("alice", UploadedSelfie(IMAGE), limit or deadline())
    world.engine.on_compare = None
    world.db.unavailable = False
    world.store.fail_deletes = False


def fail(world: World, times: int = 1) -> None:
    world.engine.similarity = 10.0
    for _ in range(times):
        world.service.verify_capture("alice", UploadedSelfie(IMAGE), deadline())


# -- lockout -----------------------------------------------------------------------------


def test_the_fifth_fail_locks_the_user(world: World) -> None:
    # Given four FAILs
    fail(world, 4)
    # When the fifth FAIL is decided
    fail(world)
    # Then the user is locked with five failures
    status = world.service.get_status("alice")
    assert (status.locked, status.consecutive_failures) == (True, 5)


def test_a_locked_user_never_reaches_the_engine_and_stores_nothing(world: World) -> None:
    # Given a locked user
    fail(world, 5)
    world.engine.compared.clear()
    captures_before = world.captures()
    # When another verification arrives
    with pytest.raises(UserLocked) as refused:
        world.service.verify_capture("alice", UploadedSelfie(IMAGE), deadline())
    # Then it is refused with the time left on the lock, before any storage or engine call
    assert refused.value.retry_after_seconds == 15 * 60
    assert world.engine.compared == []
    assert world.captures() == captures_before


def test_an_attempt_that_could_be_over_the_limit_is_refused_while_another_is_in_flight(
    world: World,
) -> None:
    # Given four FAILs and a fifth verification inside the engine
    fail(world, 4)
    refusals: list[Exception] = []

    def second_attempt() -> None:
        try:
            world.service.verify_capture("alice", UploadedSelfie(IMAGE), deadline())
        except VerificationInProgress as exc:
            refusals.append(exc)

    world.during_compare(second_attempt)
    # When that verification runs and a second one arrives meanwhile
    world.engine.similarity = 10.0
    world.service.verify_capture("alice", UploadedSelfie(IMAGE), deadline())
    # Then the second was refused without reaching the engine, and exactly 5 FAILs counted
    assert len(refusals) == 1
    assert len(world.engine.compared) == 5
    assert world.service.get_status("alice").consecutive_failures == MAX_FAILURES


def test_attempts_in_flight_use_up_the_budget_of_a_fresh_user(world: World) -> None:
    # Given five verifications whose requests died in flight
    for _ in range(MAX_FAILURES):
        die_in_flight(world)
    # When a sixth arrives
    with pytest.raises(VerificationInProgress):
        world.service.verify_capture("alice", UploadedSelfie(IMAGE), deadline())
    # Then, once those requests are surely over, the budget is back
    world.clock.advance(seconds=20 + 31)
    world.engine.similarity = 99.0
    assert (
        world.service.verify_capture("alice", UploadedSelfie(IMAGE), deadline()).result
        is Decision.PASS
    )


def test_a_pass_that_commits_while_the_user_is_locked_does_not_unlock(world: World) -> None:
    # Given a PASS inside the engine while the user gets locked by other means
    def lock_user() -> None:
        with world.db.unit_of_work() as uow:
            uow.users.record_decision(1, MAX_FAILURES, world.clock.now + timedelta(minutes=15))
            uow.commit()

    world.during_compare(lock_user)
    # When the PASS tries to commit
    with pytest.raises(UserLocked):
        world.service.verify_capture("alice", UploadedSelfie(IMAGE), deadline())
    # Then it is refused, the lock stays, nothing is recorded and its capture is gone
    status = world.service.get_status("alice")
    assert (status.locked, status.last_verification) == (True, None)
    assert world.captures() == []
    assert world.db.tables.pending == {}


def test_a_lock_is_cleared_only_by_time(world: World) -> None:
    # Given a locked user
    fail(world, 5)
    # When the lock time has passed
    world.clock.advance(minutes=15)
    # Then a verification runs again and a FAIL counts from one
    fail(world)
    assert world.service.get_status("alice").consecutive_failures == 1


def test_a_face_problem_is_recorded_kept_and_not_counted(world: World) -> None:
    # Given a capture without a face
    world.engine.compare_error = NoFaceDetected()
    # When it is verified
    with pytest.raises(NoFaceDetected):
        world.service.verify_capture("alice", UploadedSelfie(IMAGE), deadline())
    # Then the run is recorded with its code, its capture kept, no failure counted
    status = world.service.get_status("alice")
    assert status.last_verification is not None
    assert status.last_verification.error_code == "NO_FACE_DETECTED"
    assert status.consecutive_failures == 0
    assert len(world.captures()) == 1
    assert world.db.tables.pending == {}


# -- compensation and deadlines ------------------------------------------------------------


def test_an_engine_failure_leaves_no_capture_no_run_and_no_pending_run(world: World) -> None:
    # Given an engine that is down
    world.engine.compare_error = DependencyUnavailable("face_engine")
    # When a verification runs
    with pytest.raises(DependencyUnavailable):
        world.service.verify_capture("alice", UploadedSelfie(IMAGE), deadline())
    # Then nothing of it is left
    assert world.captures() == []
    assert world.db.tables.pending == {}
    assert world.service.get_status("alice").last_verification is None


def test_a_capture_that_cannot_be_deleted_is_left_to_the_purge(world: World) -> None:
    # Given an engine that fails and a store that cannot delete
    world.engine.compare_error = DependencyUnavailable("face_engine")
    world.store.fail_deletes = True
    # When a verification runs
    with pytest.raises(DependencyUnavailable):
        world.service.verify_capture("alice", UploadedSelfie(IMAGE), deadline())
    # Then its pending run is marked over now, for the purge to delete the capture
    (pending,) = world.db.tables.pending.values()
    assert pending.expires_at == world.clock.now
    assert world.captures() == [pending.image_key]


def test_a_request_out_of_time_stores_nothing_and_answers(world: World) -> None:
    # Given a request whose deadline has passed
    spent = Deadline.for_invocation(remaining_seconds=2.0, cleanup_margin_seconds=3.0)
    # When it verifies
    with pytest.raises(OutOfTime):
        world.service.verify_capture("alice", UploadedSelfie(IMAGE), spent)
    # Then nothing was stored and the attempt no longer counts
    assert world.captures() == []
    assert world.db.tables.pending == {}


def test_a_pending_run_lives_until_its_request_is_surely_over(world: World) -> None:
    # Given a request with 10 s left (3 s of them for cleaning up)
    limit = Deadline.for_invocation(remaining_seconds=10.0, cleanup_margin_seconds=3.0)
    # When it dies in flight
    die_in_flight(world, limit)
    # Then its pending run expires after the request's end plus the 30 s grace
    (pending,) = world.db.tables.pending.values()
    lifetime = pending.expires_at - world.clock.now
    assert timedelta(seconds=39) < lifetime <= timedelta(seconds=40)


# -- registration ----------------------------------------------------------------------------


def test_a_second_first_registration_loses_and_removes_its_image(world: World) -> None:
    # Given alice is registered
    references = set(world.store.objects)
    # When another first registration of alice arrives
    with pytest.raises(AlreadyRegistered):
        world.service.register_reference("alice", UploadedSelfie(IMAGE), deadline())
    # Then no new object or pending run is left
    assert set(world.store.objects) == references
    assert world.db.tables.pending == {}


def test_re_enrolment_replaces_and_deletes_the_old_reference(world: World) -> None:
    # Given alice's reference
    (old,) = world.store.objects
    # When she re-enrols
    world.service.replace_reference("alice", UploadedSelfie(IMAGE), deadline())
    # Then only the new reference is stored
    assert old not in world.store.objects
    assert len(world.store.objects) == 1


# -- erasure -------------------------------------------------------------------------------


def test_erasure_deletes_every_image_and_hides_the_history(world: World) -> None:
    # Given a reference, a PASS and a FAIL
    world.service.verify_capture("alice", UploadedSelfie(IMAGE), deadline())
    fail(world)
    # When alice is erased
    world.service.erase_user("alice", deadline())
    # Then no image is left, every run is purged, and the status shows nothing
    assert world.store.objects == {}
    assert all(purged is not None for _, purged in world.db.tables.runs)
    status = world.service.get_status("alice")
    assert (status.registered, status.last_verification) == (False, None)


def test_a_new_registration_after_erasure_starts_clean(world: World) -> None:
    # Given an erased user with a locked past
    fail(world, 5)
    world.service.erase_user("alice", deadline())
    # When she registers again
    world.service.register_reference("alice", UploadedSelfie(IMAGE), deadline())
    # Then her status has no history, no failures and no lock
    status = world.service.get_status("alice")
    assert (status.registered, status.last_verification, status.locked) == (True, None, False)
    assert status.consecutive_failures == 0


def test_a_verification_racing_erasure_commits_nothing_and_leaves_nothing(world: World) -> None:
    # Given a verification inside the engine when the erasure starts
    erasures: list[Exception | None] = []

    def erase() -> None:
        try:
            world.service.erase_user("alice", deadline(0.5))
            erasures.append(None)
        except DependencyUnavailable as exc:
            erasures.append(exc)

    world.during_compare(erase)
    # When the verification tries to commit
    with pytest.raises(UserNotRegistered):
        world.service.verify_capture("alice", UploadedSelfie(IMAGE), deadline())
    # Then the erasure had to wait for it (503, retry), and after the retry nothing is left
    assert isinstance(erasures[0], DependencyUnavailable)
    world.service.erase_user("alice", deadline())
    assert world.store.objects == {}
    assert world.db.tables.pending == {}


def test_erasure_deletes_the_image_of_a_request_that_died_in_flight(world: World) -> None:
    # Given a verification that stored its capture and died before committing
    die_in_flight(world, deadline(5))
    assert len(world.captures()) == 1
    # When alice is erased after that request is surely over
    world.clock.advance(seconds=5 + 31)
    world.service.erase_user("alice", deadline())
    # Then its capture is gone too
    assert world.store.objects == {}
    assert world.db.tables.pending == {}


def test_erasing_an_unknown_user_is_a_no_op() -> None:
    world = World()
    world.service.erase_user("nobody", deadline())
    assert world.db.tables.users == {}
