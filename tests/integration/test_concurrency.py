"""Every promise under concurrency (issue 9): independent service instances ("containers",
each with its own engine, connection pool and S3 client) share one MariaDB database and one
S3 endpoint (moto's server); requests are released together and held at chosen steps, so the
interleavings that broke the promises are forced, not hoped for. A container killed between
the S3 put and the commit is a real process killed with SIGKILL.

Run it 20 times in a row with `make test-concurrency REPEAT=20`.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import Engine, text

from faceauth import bootstrap
from faceauth.db.purge_queue import SqlPurgeQueue
from faceauth.domain.deadline import Deadline
from faceauth.domain.idempotency import Answer
from faceauth.domain.liveness import UploadedSelfie
from faceauth.domain.model import Decision
from faceauth.domain.purge import PurgePolicy, purge_due_images
from faceauth.domain.services import FaceAuthService, utc_now
from faceauth.errors import (
    AlreadyRegistered,
    FaceAuthError,
    IdempotencyKeyInUse,
    UserLocked,
    UserNotRegistered,
    VerificationInProgress,
)
from faceauth.settings import Settings
from tests.images import jpeg

PASS_IMAGE = jpeg(color="gray")
FAIL_IMAGE = jpeg(color="navy")
CONTAINERS = 4
BUCKET = "faceauth-concurrency"
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",  # pragma: allowlist secret
    "AWS_DEFAULT_REGION": "eu-west-1",
}
WAIT = 20.0  # seconds any step may wait for another before the test fails


# -- the shared world: MariaDB and an S3 endpoint ---------------------------------------------


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 as a real HTTP server, reached by every container (and child process)."""
    with pytest.MonkeyPatch.context() as patch:
        # moto's fake credentials, for this module only (child processes inherit them)
        for name, value in FAKE_AWS.items():
            patch.setenv(name, value)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
        server.stop()


@pytest.fixture
def bucket(s3_endpoint: str) -> Iterator[Any]:
    """A fresh versioned bucket: "no image left" means no version and no delete marker."""
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-1")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    yield s3
    listing = s3.list_object_versions(Bucket=BUCKET)
    for item in [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]:
        s3.delete_object(Bucket=BUCKET, Key=item["Key"], VersionId=item["VersionId"])
    s3.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def shared_settings(db_engine: Engine, s3_endpoint: str, database: Any) -> Settings:
    return Settings(
        database_url=db_engine.url.render_as_string(hide_password=False),
        s3_endpoint_url=s3_endpoint,
        images_bucket=BUCKET,
        face_engine="local",  # never built: each container gets the engine below
    )


def every_version(s3: Any) -> list[str]:
    listing = s3.list_object_versions(Bucket=BUCKET)
    return sorted(
        i["Key"] for i in [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]
    )


def scalar(db_engine: Engine, sql: str, **params: Any) -> Any:
    with db_engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


# -- containers and the steps a test can hold them at ------------------------------------------


@dataclass
class Hold:
    """Where requests wait inside the face engine until the test lets them go on."""

    release_when: Callable[[], bool] = lambda: True
    inside: int = 0
    condition: threading.Condition = field(default_factory=threading.Condition)

    def enter(self) -> None:
        with self.condition:
            self.inside += 1
            self.condition.notify_all()
            if not self.condition.wait_for(self.release_when, timeout=WAIT):
                raise AssertionError("a held request was never released")

    def poke(self) -> None:
        with self.condition:
            self.condition.notify_all()

    def wait_until(self, predicate: Callable[[], bool]) -> None:
        with self.condition:
            assert self.condition.wait_for(predicate, timeout=WAIT), "the awaited step never came"


class PixelEngine:
    """Decides by the capture: PASS_IMAGE scores 99, anything else 10. Holds requests."""

    name = "pixel"

    def __init__(self, hold: Hold) -> None:
        self.hold = hold
        self.compared = 0

    def check_single_face(self, image: bytes, deadline: Deadline) -> None:
        return None

    def compare(
        self, reference_key: str, capture_key: str, capture: bytes, deadline: Deadline
    ) -> float:
        self.compared += 1
        self.hold.enter()
        return 99.0 if capture == PASS_IMAGE else 10.0


@dataclass
class Cluster:
    """CONTAINERS service instances, each like one Lambda container."""

    services: list[FaceAuthService]
    engines: list[PixelEngine]
    hold: Hold
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run_together(self, calls: list[Callable[[FaceAuthService], Any]]) -> list[Any]:
        """Run the calls at once, round-robin over the containers; each result is the
        call's return value or the FaceAuthError it raised."""
        barrier = threading.Barrier(len(calls))
        self.hold.inside = self.refused = 0

        def run(index: int) -> Any:
            barrier.wait(WAIT)
            try:
                return calls[index](self.services[index % len(self.services)])
            except FaceAuthError as exc:
                with self.lock:
                    self.refused += 1
                self.hold.poke()
                return exc

        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            return list(pool.map(run, range(len(calls))))

    @property
    def evaluated(self) -> int:
        return sum(engine.compared for engine in self.engines)


@pytest.fixture
def cluster(shared_settings: Settings, bucket: Any) -> Iterator[Cluster]:
    hold = Hold()
    engines = [PixelEngine(hold) for _ in range(CONTAINERS)]
    services = [
        bootstrap.compare_dependencies(
            shared_settings, engine=engine, sleep=lambda s: threading.Event().wait(s)
        ).service
        for engine in engines
    ]
    yield Cluster(services, engines, hold)
    hold.release_when = lambda: True
    hold.poke()


def deadline() -> Deadline:
    return Deadline.for_invocation(remaining_seconds=25.0, cleanup_margin_seconds=3.0)


def register(user_id: str) -> Callable[[FaceAuthService], Any]:
    return lambda service: service.register_reference(
        user_id, UploadedSelfie(PASS_IMAGE), deadline()
    )


def verify(user_id: str, image: bytes) -> Callable[[FaceAuthService], Any]:
    return lambda service: service.verify_capture(user_id, UploadedSelfie(image), deadline())


def outcome(result: Any) -> str:
    if isinstance(result, FaceAuthError):
        return result.code
    return str(getattr(result, "result", "OK"))


# -- lockout --------------------------------------------------------------------------------------


def test_twelve_simultaneous_fails_of_a_fresh_user_give_five_fails_and_seven_423(
    cluster: Cluster, db_engine: Engine
) -> None:
    # Given a fresh user, and admitted requests held in the engine until every other
    # request was refused (the widest window the old check-then-act left open)
    cluster.services[0].register_reference("alice", UploadedSelfie(PASS_IMAGE), deadline())
    cluster.hold.release_when = lambda: cluster.hold.inside + cluster.refused == 12
    # When 12 FAIL verifications arrive at once across 4 containers
    results = cluster.run_together([verify("alice", FAIL_IMAGE)] * 12)
    # Then exactly 5 reached the engine and FAILed, 7 were refused with 423
    outcomes = sorted(outcome(result) for result in results)
    assert outcomes == ["FAIL"] * 5 + ["VERIFICATION_IN_PROGRESS"] * 7
    assert cluster.evaluated == 5
    assert scalar(db_engine, "SELECT consecutive_failures FROM users") == 5
    assert scalar(db_engine, "SELECT locked_until > UTC_TIMESTAMP(6) FROM users") == 1
    assert scalar(db_engine, "SELECT COUNT(*) FROM pending_runs") == 0


def test_passes_in_flight_never_unlock_what_a_fail_locked(
    cluster: Cluster, db_engine: Engine
) -> None:
    # Given a user with 4 FAILs recorded
    service = cluster.services[0]
    service.register_reference("alice", UploadedSelfie(PASS_IMAGE), deadline())
    for _ in range(4):
        service.verify_capture("alice", UploadedSelfie(FAIL_IMAGE), deadline())
    cluster.hold.release_when = lambda: cluster.hold.inside + cluster.refused == 8
    # When 4 FAILs and 4 PASSes arrive at once
    results = cluster.run_together(
        [verify("alice", FAIL_IMAGE)] * 4 + [verify("alice", PASS_IMAGE)] * 4
    )
    # Then one attempt was evaluated (the budget had one left) and the others refused,
    # and the final state is what that one answer says, as in a serial order
    decided = [result for result in results if not isinstance(result, FaceAuthError)]
    refused = [result for result in results if isinstance(result, FaceAuthError)]
    assert len(decided) == 1
    assert all(isinstance(exc, VerificationInProgress | UserLocked) for exc in refused)
    failures = scalar(db_engine, "SELECT consecutive_failures FROM users")
    locked = scalar(db_engine, "SELECT locked_until > UTC_TIMESTAMP(6) FROM users")
    if decided[0].result is Decision.PASS:
        assert (failures, locked) == (0, None)
    else:
        assert (failures, locked) == (5, 1)


def test_a_pass_committing_after_the_lock_is_refused_and_records_nothing(
    cluster: Cluster, db_engine: Engine
) -> None:
    # Given a PASS held inside the engine while the user is locked by another container
    service = cluster.services[0]
    service.register_reference("alice", UploadedSelfie(PASS_IMAGE), deadline())
    locked = threading.Event()
    cluster.hold.release_when = locked.is_set

    def lock_alice(_service: FaceAuthService) -> None:
        cluster.hold.wait_until(lambda: cluster.hold.inside == 1)
        with db_engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE users SET consecutive_failures = 5, "
                    "locked_until = UTC_TIMESTAMP(6) + INTERVAL 15 MINUTE"
                )
            )
        locked.set()
        cluster.hold.poke()

    # When the PASS reaches its commit
    results = cluster.run_together([verify("alice", PASS_IMAGE), lock_alice])
    # Then it answers 423 and leaves no PASS, no capture and no pending run
    assert isinstance(results[0], UserLocked)
    assert scalar(db_engine, "SELECT COUNT(*) FROM runs WHERE kind = 'VERIFICATION'") == 0
    assert scalar(db_engine, "SELECT consecutive_failures FROM users") == 5
    assert scalar(db_engine, "SELECT COUNT(*) FROM pending_runs") == 0


# -- erasure --------------------------------------------------------------------------------------


def waiting_eraser(settings: Settings, waits: threading.Event, hold: Hold) -> FaceAuthService:
    """A container whose erasure sets ``waits`` when it starts waiting for requests in
    flight: after it ended the enrolment, before it answers."""

    def sleep(seconds: float) -> None:
        waits.set()
        hold.poke()
        threading.Event().wait(seconds)

    return bootstrap.compare_dependencies(settings, engine=PixelEngine(hold), sleep=sleep).service


def test_erasure_racing_six_verifications_leaves_no_image_of_the_user(
    cluster: Cluster, shared_settings: Settings, bucket: Any, db_engine: Engine
) -> None:
    # Given alice with one verification committed, and six more held inside the engine
    # until the erasure has ended her enrolment and waits for them
    service = cluster.services[0]
    service.register_reference("alice", UploadedSelfie(PASS_IMAGE), deadline())
    service.verify_capture("alice", UploadedSelfie(PASS_IMAGE), deadline())
    erasure_waits = threading.Event()
    cluster.hold.release_when = erasure_waits.is_set
    eraser = waiting_eraser(shared_settings, erasure_waits, cluster.hold)

    def erase(_service: FaceAuthService) -> str:
        # Five are admitted (the lockout budget), the sixth refused as in progress.
        cluster.hold.wait_until(lambda: cluster.hold.inside + cluster.refused == 6)
        eraser.erase_user("alice", deadline())
        return "ERASED"

    # When the erasure runs while they are in flight
    results = cluster.run_together([verify("alice", PASS_IMAGE)] * 6 + [erase])
    # Then the erasure answered, every racing verification answered 404, and no version of
    # any of alice's images is left, nor any row still pointing at one
    assert results[-1] == "ERASED"
    assert sorted(outcome(result) for result in results[:6]) == ["USER_NOT_REGISTERED"] * 5 + [
        "VERIFICATION_IN_PROGRESS"
    ]
    assert every_version(bucket) == []
    assert scalar(db_engine, "SELECT COUNT(*) FROM runs WHERE purged_at IS NULL") == 0
    assert scalar(db_engine, "SELECT COUNT(*) FROM pending_runs") == 0
    assert service.get_status("alice").last_verification is None


class PutThenWait:
    """The real S3 store, but a put waits after storing until ``go_on`` is set."""

    def __init__(self, store: Any, go_on: threading.Event, stored: threading.Event) -> None:
        self._store = store
        self._go_on = go_on
        self._stored = stored

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def put(self, key: str, content: bytes, content_type: str, deadline: Deadline) -> str | None:
        version: str | None = self._store.put(key, content, content_type, deadline)
        self._stored.set()
        assert self._go_on.wait(WAIT)
        return version


def test_re_enrolment_racing_erasure_commits_nothing(
    cluster: Cluster, shared_settings: Settings, bucket: Any, db_engine: Engine
) -> None:
    # Given a re-enrolment that has stored its new reference and is held until the erasure
    # has ended alice's enrolment and waits for it
    cluster.services[0].register_reference("alice", UploadedSelfie(PASS_IMAGE), deadline())
    stored, erasure_waits = threading.Event(), threading.Event()
    store = PutThenWait(bootstrap.image_store(shared_settings), erasure_waits, stored)
    racer = bootstrap.compare_dependencies(
        shared_settings, images=store, engine=PixelEngine(Hold())
    ).service
    eraser = waiting_eraser(shared_settings, erasure_waits, cluster.hold)

    def erase(_service: FaceAuthService) -> str:
        assert stored.wait(WAIT)
        eraser.erase_user("alice", deadline())
        return "ERASED"

    # When both run
    results = cluster.run_together(
        [lambda _: racer.replace_reference("alice", UploadedSelfie(PASS_IMAGE), deadline()), erase]
    )
    # Then the re-enrolment is refused, the erasure answers, and nothing of alice is left
    assert isinstance(results[0], UserNotRegistered)
    assert results[1] == "ERASED"
    assert every_version(bucket) == []
    assert scalar(db_engine, "SELECT COUNT(*) FROM pending_runs") == 0


# -- registration ---------------------------------------------------------------------------------


def test_eight_first_registrations_across_containers_leave_one_reference(
    cluster: Cluster, bucket: Any, db_engine: Engine
) -> None:
    results = cluster.run_together([register("racer")] * 8)
    assert sum(not isinstance(result, FaceAuthError) for result in results) == 1
    assert sum(isinstance(result, AlreadyRegistered) for result in results) == 7
    assert len(every_version(bucket)) == 1
    assert scalar(db_engine, "SELECT COUNT(*) FROM pending_runs") == 0


# -- idempotency ----------------------------------------------------------------------------------


def test_eight_simultaneous_retries_of_one_key_run_the_request_once(
    shared_settings: Settings, db_engine: Engine
) -> None:
    # Given eight containers' idempotency rules and a request that counts its runs
    ledgers = [bootstrap.compare_dependencies(shared_settings).idempotency for _ in range(8)]
    runs: list[int] = []
    barrier = threading.Barrier(8)
    key = str(uuid.uuid4())

    def request() -> Answer:
        runs.append(1)
        return Answer(201, '{"runId": "r1"}')

    def attempt(index: int) -> str:
        barrier.wait(WAIT)
        try:
            _, replayed = ledgers[index].run_once(
                key, "fingerprint", deadline(), request, lambda _: True
            )
        except IdempotencyKeyInUse:
            return "IN_USE"
        return "REPLAYED" if replayed else "RAN"

    # When the same request is retried eight times at once
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(8)))
    # Then it ran exactly once; every other attempt was replayed or asked to come back
    assert len(runs) == 1
    assert outcomes.count("RAN") == 1
    assert set(outcomes) <= {"RAN", "REPLAYED", "IN_USE"}


# -- a container killed between the S3 put and the commit -------------------------------------


def _verify_and_hang(settings: dict[str, Any], inside: Any) -> None:
    """A child process: verifies alice with an engine that signals, then hangs forever."""

    class Hang(PixelEngine):
        def compare(
            self, reference_key: str, capture_key: str, capture: bytes, deadline: Deadline
        ) -> float:
            inside.set()
            threading.Event().wait()  # until SIGKILL
            return 0.0

    service = bootstrap.compare_dependencies(Settings(**settings), engine=Hang(Hold())).service
    service.verify_capture("alice", UploadedSelfie(FAIL_IMAGE), Deadline.for_invocation(15.0, 3.0))


def test_a_container_killed_after_the_put_leaves_nothing_past_its_grace_period(
    shared_settings: Settings, bucket: Any, db_engine: Engine
) -> None:
    # Given alice, and a container killed with SIGKILL after storing her capture
    bootstrap.compare_dependencies(
        shared_settings, engine=PixelEngine(Hold())
    ).service.register_reference("alice", UploadedSelfie(PASS_IMAGE), deadline())
    context = multiprocessing.get_context("spawn")
    inside = context.Event()
    child = context.Process(
        target=_verify_and_hang,
        args=(
            shared_settings.model_dump(
                include={"database_url", "s3_endpoint_url", "images_bucket"}
            ),
            inside,
        ),
    )
    child.start()
    assert inside.wait(60), "the child never reached the engine"
    os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
    child.join(10)
    (capture,) = [key for key in every_version(bucket) if key.startswith("captures/")]
    assert scalar(db_engine, "SELECT COUNT(*) FROM pending_runs") == 1
    assert scalar(db_engine, "SELECT COUNT(*) FROM runs WHERE kind = 'VERIFICATION'") == 0
    # When the purge runs before and after the request's deadline plus grace (15 s + 30 s)
    dependencies = bootstrap.purge_dependencies(shared_settings)
    policy = PurgePolicy.from_days(3, 28)

    def purge_at(now: Any) -> int:
        return purge_due_images(
            queue=SqlPurgeQueue(db_engine),
            images=dependencies.images,
            policy=policy,
            now=now,
            time_left=lambda: 60_000.0,
        ).deleted_abandoned_uploads

    assert purge_at(utc_now()) == 0
    assert capture in every_version(bucket)
    # Then once the grace period is over, the orphan capture and its pending run are gone
    assert purge_at(utc_now() + timedelta(seconds=50)) == 1
    assert every_version(bucket) == [
        key for key in every_version(bucket) if key.startswith("references/")
    ]
    assert scalar(db_engine, "SELECT COUNT(*) FROM pending_runs") == 0
