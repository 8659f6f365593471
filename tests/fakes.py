"""In-memory fakes of our own ports (cosmic-python style): every service rule becomes a
millisecond test. Their real adapters are tested on their own (MariaDB, moto, Stubber)."""

from __future__ import annotations

import copy
import itertools
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import TracebackType

from faceauth.domain.deadline import Deadline
from faceauth.domain.idempotency import Answer
from faceauth.domain.images import ImageLimits
from faceauth.domain.liveness import (
    LivenessPolicy,
    LivenessResult,
    LivenessSession,
    LivenessStatus,
    session_prefix,
)
from faceauth.domain.model import (
    Decision,
    LastVerification,
    NewRun,
    PendingRun,
    RunKind,
    StoredObject,
    UserRecord,
)
from faceauth.domain.ports import DeleteReport, RunImage
from faceauth.domain.services import FaceAuthService, LockoutPolicy
from faceauth.errors import (
    AlreadyRegistered,
    DependencyUnavailable,
    FaceAuthError,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    LivenessSessionInvalid,
)


@dataclass
class FakeClock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 26, 12, 0, 0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class ScriptedFaceEngine:
    """A zero-latency face engine: answers the similarity it is told, or raises."""

    similarity: float = 99.0
    gate_error: FaceAuthError | None = None
    compare_error: FaceAuthError | None = None
    name: str = "fake"
    compared: list[tuple[str, str]] = field(default_factory=list)
    on_compare: Callable[[], None] | None = None

    def check_single_face(self, image: bytes, deadline: Deadline) -> None:
        if self.gate_error:
            raise self.gate_error

    def compare(
        self, reference_key: str, capture_key: str, capture: bytes | None, deadline: Deadline
    ) -> float:
        self.compared.append((reference_key, capture_key))
        if self.on_compare:
            self.on_compare()
        if self.compare_error:
            raise self.compare_error
        return self.similarity


@dataclass
class FakeImageStore:
    """An S3 bucket in a dict (one version per key, as our keys are written once)."""

    objects: dict[str, bytes] = field(default_factory=dict)
    attempt_seconds: float = 1.0  # like the S3 adapter, no call starts that cannot end in time
    fail_puts: bool = False
    fail_deletes: bool = False
    on_put: Callable[[str], None] | None = None

    def put(self, key: str, content: bytes, content_type: str, deadline: Deadline) -> str | None:
        deadline.require(self.attempt_seconds, "image_store PutObject")
        if self.fail_puts:
            raise DependencyUnavailable("image_store")
        self.objects[key] = content
        if self.on_put:
            self.on_put(key)
        return None

    def get(self, key: str, deadline: Deadline) -> bytes:
        return self.objects[key]

    def copy(
        self, source: StoredObject, key: str, content_type: str, deadline: Deadline
    ) -> str | None:
        deadline.require(self.attempt_seconds, "image_store CopyObject")
        if self.fail_puts:
            raise DependencyUnavailable("image_store")
        self.objects[key] = self.objects[source.key]
        return None

    def delete_objects(self, objects: Sequence[StoredObject], deadline: Deadline) -> DeleteReport:
        keys = list(dict.fromkeys(item.key for item in objects))
        deadline.require(self.attempt_seconds, "image_store DeleteObjects")
        if self.fail_deletes:
            return DeleteReport(failed=keys)
        for item in objects:
            doomed = (
                [k for k in self.objects if k.startswith(item.key)] if item.prefix else [item.key]
            )
            for key in doomed:
                self.objects.pop(key, None)
        return DeleteReport(deleted=keys)


@dataclass
class _Tables:
    users: dict[int, UserRecord] = field(default_factory=dict)
    runs: list[tuple[NewRun, datetime | None]] = field(default_factory=list)  # (run, purged_at)
    pending: dict[str, PendingRun] = field(default_factory=dict)
    # session id -> (session, retained_as, purged_at)
    sessions: dict[str, tuple[LivenessSession, Decision | None, datetime | None]] = field(
        default_factory=dict
    )


class FakeDatabase:
    """Tables in memory; a unit of work works on a copy and swaps it in on commit."""

    def __init__(self) -> None:
        self.tables = _Tables()
        self.ids = itertools.count(1)
        self.unavailable = False

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)


class FakeUnitOfWork:
    def __init__(self, database: FakeDatabase) -> None:
        self._database = database

    def __enter__(self) -> FakeUnitOfWork:
        if self._database.unavailable:
            raise DependencyUnavailable("database")
        self._tables = copy.deepcopy(self._database.tables)
        self.users = _Users(self._tables, self._database.ids)
        self.runs = _Runs(self._tables)
        self.pending = _Pending(self._tables)
        self.liveness = _Sessions(self._tables)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def commit(self) -> None:
        self._database.tables = self._tables

    def ping(self) -> None:
        return None


class _Users:
    def __init__(self, tables: _Tables, ids: itertools.count[int]) -> None:
        self._tables = tables
        self._ids = ids

    def get(self, user_id: str, *, for_update: bool = False) -> UserRecord | None:
        return next((u for u in self._tables.users.values() if u.user_id == user_id), None)

    def get_by_pk(self, pk: int, *, for_update: bool = False) -> UserRecord | None:
        return self._tables.users.get(pk)

    def add_registered(self, user_id: str, reference_key: str, at: datetime) -> UserRecord:
        if self.get(user_id) is not None:
            raise AlreadyRegistered
        user = UserRecord(next(self._ids), user_id, reference_key, at, 0, None, 1)
        self._tables.users[user.pk] = user
        return user

    def register_again(self, pk: int, enrolment: int, reference_key: str, at: datetime) -> bool:
        user = self._tables.users[pk]
        if user.reference_key is not None or user.enrolment != enrolment - 1:
            return False
        self._tables.users[pk] = replace(
            user,
            reference_key=reference_key,
            registered_at=at,
            enrolment=enrolment,
            consecutive_failures=0,
            locked_until=None,
        )
        return True

    def replace_reference(self, pk: int, reference_key: str, at: datetime) -> None:
        user = self._tables.users[pk]
        self._tables.users[pk] = replace(user, reference_key=reference_key, registered_at=at)

    def record_decision(
        self, pk: int, consecutive_failures: int, locked_until: datetime | None
    ) -> None:
        user = self._tables.users[pk]
        self._tables.users[pk] = replace(
            user, consecutive_failures=consecutive_failures, locked_until=locked_until
        )

    def unregister(self, pk: int, at: datetime) -> None:
        user = self._tables.users[pk]
        self._tables.users[pk] = replace(
            user, reference_key=None, registered_at=None, consecutive_failures=0, locked_until=None
        )


class _Runs:
    def __init__(self, tables: _Tables) -> None:
        self._tables = tables

    def add(self, run: NewRun) -> None:
        self._tables.runs.append((run, None))

    def last_verification(self, user_pk: int, enrolment: int) -> LastVerification | None:
        runs = [
            run
            for run, _ in self._tables.runs
            if run.user_pk == user_pk
            and run.enrolment == enrolment
            and run.kind is RunKind.VERIFICATION
        ]
        if not runs:
            return None
        last = runs[-1]
        return LastVerification(
            last.run_id, last.result, last.similarity, last.error_code, last.created_at
        )

    def unpurged_images(self, user_pk: int, up_to_enrolment: int) -> list[RunImage]:
        return [
            RunImage(run.run_id, StoredObject(run.image_key, run.image_version_id))
            for run, purged_at in self._tables.runs
            if run.user_pk == user_pk
            and run.enrolment <= up_to_enrolment
            and purged_at is None
            and run.image_key
        ]

    def mark_purged(self, run_ids: Sequence[str], at: datetime) -> None:
        self._tables.runs = [
            (run, at if purged is None and run.run_id in run_ids else purged)
            for run, purged in self._tables.runs
        ]

    def mark_image_purged(self, image_key: str, at: datetime) -> None:
        self._tables.runs = [
            (run, at if purged is None and run.image_key == image_key else purged)
            for run, purged in self._tables.runs
        ]


class _Pending:
    def __init__(self, tables: _Tables) -> None:
        self._tables = tables

    def add(self, pending: PendingRun) -> None:
        self._tables.pending[pending.run_id] = pending

    def live_verifications(self, user_pk: int, now: datetime) -> list[PendingRun]:
        return [
            p
            for p in self._tables.pending.values()
            if p.user_pk == user_pk and p.kind is RunKind.VERIFICATION and p.is_live(now)
        ]

    def of_user(self, user_pk: int, up_to_enrolment: int) -> list[PendingRun]:
        return [
            p
            for p in self._tables.pending.values()
            if p.user_pk == user_pk and p.enrolment <= up_to_enrolment
        ]

    def settle(self, run_id: str, now: datetime) -> bool:
        pending = self._tables.pending.get(run_id)
        if pending is None or not pending.is_live(now):
            return False
        del self._tables.pending[run_id]
        return True

    def forget(self, run_ids: Sequence[str]) -> None:
        for run_id in run_ids:
            self._tables.pending.pop(run_id, None)

    def abandon(self, run_id: str, now: datetime) -> None:
        pending = self._tables.pending.get(run_id)
        if pending is not None and pending.is_live(now):
            self._tables.pending[run_id] = replace(pending, expires_at=now)


class _Sessions:
    def __init__(self, tables: _Tables) -> None:
        self._tables = tables

    def add(self, session: LivenessSession) -> None:
        self._tables.sessions[session.session_id] = (session, None, None)

    def get(self, session_id: str) -> LivenessSession | None:
        found = self._tables.sessions.get(session_id)
        return found[0] if found else None

    def use(
        self,
        session_id: str,
        user_id: str,
        at: datetime,
        run_id: str | None,
        retained_as: Decision,
    ) -> bool:
        found = self._tables.sessions.get(session_id)
        if found is None or found[0].user_id != user_id or found[0].used_at or found[2]:
            return False
        self._tables.sessions[session_id] = (replace(found[0], used_at=at), retained_as, None)
        return True

    def of_user(self, user_id: str, created_up_to: datetime) -> list[LivenessSession]:
        return [
            session
            for session, _, purged_at in self._tables.sessions.values()
            if session.user_id == user_id
            and session.created_at <= created_up_to
            and purged_at is None
        ]

    def mark_erased(self, session_ids: Sequence[str], at: datetime) -> None:
        for session_id in session_ids:
            session, retained_as, _ = self._tables.sessions[session_id]
            used = replace(session, used_at=session.used_at or at)
            self._tables.sessions[session_id] = (used, retained_as, at)


@dataclass
class FakeLiveness:
    """The liveness service: sessions it created, and the result each will answer."""

    region: str = "eu-west-1"
    store: FakeImageStore | None = None
    created: dict[str, str] = field(default_factory=dict)  # client token -> session id
    answers: dict[str, LivenessResult] = field(default_factory=dict)
    unavailable: bool = False

    def create_session(
        self, client_token: str, output_prefix: str, audit_images: int, deadline: Deadline
    ) -> str:
        if self.unavailable:
            raise DependencyUnavailable("liveness")
        return self.created.setdefault(client_token, str(uuid.uuid4()))

    def results(self, session_id: str, deadline: Deadline) -> LivenessResult:
        if self.unavailable:
            raise DependencyUnavailable("liveness")
        if session_id not in self.created.values():
            raise LivenessSessionInvalid
        return self.answers.get(session_id, LivenessResult(LivenessStatus.CREATED, None, None))

    def complete(self, session_id: str, confidence: float, image: bytes = b"frame") -> None:
        """The user streamed the session: the service stores its frames and judges it."""
        frame = f"{session_prefix(session_id)}reference.jpg"
        if self.store is not None:
            self.store.objects[frame] = image
            self.store.objects[f"{session_prefix(session_id)}audit_images/1.jpg"] = image
        self.answers[session_id] = LivenessResult(
            LivenessStatus.SUCCEEDED, confidence, StoredObject(frame)
        )


@dataclass
class _Record:
    fingerprint: str
    answer: Answer | None
    held_until: datetime
    expires_at: datetime


@dataclass
class FakeIdempotencyLedger:
    """The idempotency ledger in a dict, with the SQL ledger's rules."""

    records: dict[str, _Record] = field(default_factory=dict)
    unavailable: bool = False

    def claim(
        self,
        key: str,
        fingerprint: str,
        now: datetime,
        held_until: datetime,
        expires_at: datetime,
    ) -> Answer | None:
        if self.unavailable:
            raise DependencyUnavailable("database")
        record = self.records.get(key)
        if record is not None and record.expires_at > now:
            if record.fingerprint != fingerprint:
                raise IdempotencyKeyReused
            if record.answer is not None:
                return record.answer
            if record.held_until > now:
                raise IdempotencyKeyInUse(1)
        self.records[key] = _Record(fingerprint, None, held_until, expires_at)
        return None

    def complete(self, key: str, answer: Answer) -> None:
        if self.unavailable:
            raise DependencyUnavailable("database")
        self.records[key].answer = answer

    def release(self, key: str) -> None:
        if self.unavailable:
            raise DependencyUnavailable("database")
        self.records.pop(key, None)


def service_on_fakes(
    db: FakeDatabase,
    store: FakeImageStore,
    engine: ScriptedFaceEngine,
    clock: FakeClock,
    *,
    sleep: Callable[[float], None] = lambda _: None,
    liveness: LivenessPolicy | None = None,
    max_failures: int = 5,
) -> FaceAuthService:
    """The service as the unit tests run it, on these fakes: threshold 90, a lock for 15
    minutes after `max_failures` FAILs, 4 MB and 25 megapixel images of at least 80 px."""
    return FaceAuthService(
        unit_of_work=db.unit_of_work,
        images=store,
        engine=engine,
        threshold=90.0,
        lockout=LockoutPolicy(max_failures, timedelta(minutes=15)),
        limits=ImageLimits(max_bytes=4 * 1024 * 1024, max_pixels=25_000_000, min_side=80),
        liveness=liveness,
        clock=clock,
        sleep=sleep,
    )
