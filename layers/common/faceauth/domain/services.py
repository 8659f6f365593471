"""The selfie-login use cases: register, re-enrol, verify, report status, erase.

Guarantees, under any concurrency, retry or crash (docs/architecture.md says how each is
enforced and which test forces the interleaving that would break it):

- Lockout: at most ``max_failures`` FAIL decisions per user before the lock, however many
  verifications run at once. A verification reserves its attempt (a pending run) under the
  user's row lock before the engine runs; an attempt that could be the one over the limit
  is refused (423) and never reaches the engine. A lock is cleared by time only.
- Erasure is final: once it answers, no image of the erased enrolment exists or appears
  later; work still in flight for it cannot commit, and the erasure waits for it to end.
- Nothing orphaned: every image is announced by a pending run before it is stored and the
  pending run is settled in the transaction that records the run; a request that dies in
  between leaves a pending run whose image the purge deletes once its request is surely over.
- No transaction is held open across an S3 or face-engine call.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from faceauth.domain.deadline import Deadline
from faceauth.domain.images import ImageLimits, validate_image
from faceauth.domain.model import (
    Decision,
    NewRun,
    PendingRun,
    RegistrationReceipt,
    RunKind,
    UserRecord,
    UserStatus,
    ValidatedImage,
    VerificationOutcome,
)
from faceauth.domain.ports import FaceEngine, ImageStore, StoredObject, UnitOfWork
from faceauth.errors import (
    AlreadyRegistered,
    DependencyUnavailable,
    FaceQualityError,
    OutOfTime,
    UserLocked,
    UserNotRegistered,
    VerificationInProgress,
)

logger = logging.getLogger(__name__)

REFERENCE_PREFIX = "references/"
CAPTURE_PREFIX = "captures/"

_LONGEST_REQUEST_SECONDS = 900.0  # Lambda's own limit: no request runs longer


def utc_now() -> datetime:
    """Naive UTC, as stored in DATETIME columns."""
    return datetime.now(UTC).replace(tzinfo=None)


def new_run_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """At most ``max_failures`` consecutive FAIL decisions, then a lock for ``duration``
    (NIST SP 800-63B 5.2.3). Attempts in flight count as possible failures."""

    max_failures: int
    duration: timedelta

    def failures(self, user: UserRecord, now: datetime) -> int:
        """The consecutive failures that still count: an expired lock starts afresh."""
        expired = user.locked_until is not None and user.locked_until <= now
        return 0 if expired else user.consecutive_failures

    def admit(
        self,
        user: UserRecord,
        in_flight: Sequence[PendingRun],
        now: datetime,
        retry_after_seconds: float,
    ) -> None:
        """Let one more verification reach the engine, or refuse it: UserLocked while the
        lock holds, VerificationInProgress when the failures so far plus the attempts in
        flight could already reach the limit."""
        if user.is_locked(now):
            assert user.locked_until is not None
            raise UserLocked((user.locked_until - now).total_seconds())
        if in_flight and self.failures(user, now) + len(in_flight) >= self.max_failures:
            raise VerificationInProgress(retry_after_seconds)

    def after(
        self, user: UserRecord, decision: Decision, now: datetime
    ) -> tuple[int, datetime | None]:
        """The failure count and lock after a decision. A PASS resets the count."""
        if decision is Decision.PASS:
            return 0, None
        failures = self.failures(user, now) + 1
        locked_until = now + self.duration if failures >= self.max_failures else None
        return failures, locked_until


@dataclass(slots=True)
class _Flight:
    """One pending run within its request: what was stored and whether it was settled."""

    pending: PendingRun
    stored: StoredObject | None = None
    settled: bool = False


class FaceAuthService:
    """Registers reference selfies and verifies new ones against them."""

    def __init__(
        self,
        *,
        unit_of_work: Callable[[], UnitOfWork],
        images: ImageStore,
        engine: FaceEngine,
        threshold: float,
        lockout: LockoutPolicy,
        limits: ImageLimits,
        retry_after_seconds: float = 2,
        pending_grace: timedelta = timedelta(seconds=30),
        erasure_poll_seconds: float = 0.2,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
        run_ids: Callable[[], str] = new_run_id,
    ) -> None:
        self._uow = unit_of_work
        self._images = images
        self._engine = engine
        self._threshold = threshold
        self._lockout = lockout
        self._limits = limits
        self._retry_after = retry_after_seconds
        self._pending_grace = pending_grace
        self._erasure_poll = erasure_poll_seconds
        self._clock = clock
        self._sleep = sleep
        self._run_ids = run_ids

    @property
    def threshold(self) -> float:
        return self._threshold

    @property
    def image_limits(self) -> ImageLimits:
        return self._limits

    # -- registration ----------------------------------------------------------------------

    def register_reference(
        self, user_id: str, image: bytes, deadline: Deadline, request_id: str | None = None
    ) -> RegistrationReceipt:
        """Store the first reference selfie of a user (or of an erased user's new enrolment).

        Raises AlreadyRegistered, the image and face errors, DependencyUnavailable.
        """
        with self._uow() as uow:
            user = uow.users.get(user_id)
        if user is not None and user.is_registered:
            raise AlreadyRegistered
        checked = self._checked_reference(image, deadline)
        enrolment = user.enrolment + 1 if user is not None else 1
        flight = self._pending(
            RunKind.REGISTRATION, checked, user.pk if user else None, enrolment, deadline
        )
        with self._uow() as uow:
            uow.pending.add(flight.pending)
            uow.commit()
        with self._settled_or_removed(flight, deadline):
            self._store(flight, checked, deadline)
            now = self._clock()
            key = flight.pending.image_key
            with self._uow() as uow:
                # No locking read of a missing row: it takes gap locks that deadlock racing
                # inserts; the unique key and a conditional update decide instead.
                if user is None:
                    user_pk = uow.users.add_registered(user_id, key, now).pk
                elif uow.users.register_again(user.pk, enrolment, key, now):
                    user_pk = user.pk
                else:
                    raise AlreadyRegistered
                self._settle(uow, flight, now)
                uow.runs.add(self._registration_run(flight, user_pk, now, request_id))
                uow.commit()
            flight.settled = True
        return RegistrationReceipt(flight.pending.run_id, user_id, now)

    def replace_reference(
        self, user_id: str, image: bytes, deadline: Deadline, request_id: str | None = None
    ) -> RegistrationReceipt:
        """Re-enrol: store a new reference, then delete the old one.

        Raises UserNotRegistered, the image and face errors, DependencyUnavailable.
        """
        self._registered_user(user_id)
        checked = self._checked_reference(image, deadline)
        with self._uow() as uow:
            user = self._registered(uow.users.get(user_id, for_update=True))
            flight = self._pending(RunKind.REGISTRATION, checked, user.pk, user.enrolment, deadline)
            uow.pending.add(flight.pending)
            uow.commit()
        with self._settled_or_removed(flight, deadline):
            self._store(flight, checked, deadline)
            now = self._clock()
            with self._uow() as uow:
                current = self._same_enrolment(
                    uow.users.get_by_pk(user.pk, for_update=True), flight
                )
                assert current.reference_key is not None
                old_key = current.reference_key
                uow.users.replace_reference(user.pk, flight.pending.image_key, now)
                self._settle(uow, flight, now)
                uow.runs.add(self._registration_run(flight, user.pk, now, request_id))
                uow.commit()
            flight.settled = True
        self._delete_superseded(old_key, deadline)
        return RegistrationReceipt(flight.pending.run_id, user_id, now)

    # -- verification ----------------------------------------------------------------------

    def verify_capture(
        self, user_id: str, image: bytes, deadline: Deadline, request_id: str | None = None
    ) -> VerificationOutcome:
        """Compare a new selfie with the user's reference and record the run.

        Raises UserNotRegistered, UserLocked, VerificationInProgress, the image errors, the
        face errors (recorded as runs, not counted), DependencyUnavailable (nothing kept).
        """
        checked = validate_image(image, self._limits)
        user, flight = self._reserve_attempt(user_id, checked, deadline)
        assert user.reference_key is not None
        with self._settled_or_removed(flight, deadline):
            stored = self._store(flight, checked, deadline)
            started = time.perf_counter()
            try:
                similarity = round(
                    self._engine.compare(user.reference_key, stored.key, checked.content, deadline),
                    2,
                )
            except FaceQualityError as exc:
                # A completed run: recorded, its capture kept for the FAIL retention.
                self._record_verification(flight, user, request_id, error_code=exc.code)
                raise
            engine_seconds = time.perf_counter() - started
            decision = Decision.of(similarity, self._threshold)
            verified_at = self._record_verification(
                flight, user, request_id, similarity=similarity, decision=decision
            )
        return VerificationOutcome(
            run_id=flight.pending.run_id,
            user_id=user_id,
            similarity=similarity,
            threshold=self._threshold,
            result=decision,
            verified_at=verified_at,
            engine_seconds=engine_seconds,
        )

    # -- status and erasure ----------------------------------------------------------------

    def get_status(self, user_id: str) -> UserStatus:
        """Registration, last verification of the current enrolment and lock state; an
        unknown or erased user is unregistered, with no history."""
        now = self._clock()
        with self._uow() as uow:
            user = uow.users.get(user_id)
            if user is None or not user.is_registered:
                return UserStatus(user_id, False, None, None, False, None, 0)
            last = uow.runs.last_verification(user.pk, user.enrolment)
        locked = user.is_locked(now)
        return UserStatus(
            user_id=user_id,
            registered=True,
            registered_at=user.registered_at,
            last_verification=last,
            locked=locked,
            locked_until=user.locked_until if locked else None,
            consecutive_failures=self._lockout.failures(user, now),
        )

    def erase_user(self, user_id: str, deadline: Deadline) -> None:
        """Right to erasure: end the user's enrolment, then delete every image it has (all
        object versions), waiting for requests still in flight for it to end. Idempotent;
        an unknown user is a no-op. Once this returns, no image of the erased enrolment
        exists and none can appear.

        Raises DependencyUnavailable (a retry completes the erasure).
        """
        with self._uow() as uow:
            user = uow.users.get(user_id, for_update=True)
            if user is None:
                return
            if user.is_registered:
                # From here on no request of this enrolment can commit anything.
                uow.users.unregister(user.pk, self._clock())
            uow.commit()
        while True:
            if not self._erase_enrolment_images(user, deadline):
                return
            # Requests of this enrolment are still running: they will fail to commit and
            # remove what they stored; wait for them, then delete again.
            deadline.require(self._erasure_poll, "erasure waiting for requests in flight")
            self._sleep(self._erasure_poll)

    def check_health(self) -> None:
        """Raises DependencyUnavailable when the database does not answer."""
        with self._uow() as uow:
            uow.ping()

    # -- steps -----------------------------------------------------------------------------

    def _checked_reference(self, image: bytes, deadline: Deadline) -> ValidatedImage:
        checked = validate_image(image, self._limits)
        self._engine.check_single_face(checked.content, deadline)
        return checked

    def _registered_user(self, user_id: str) -> UserRecord:
        with self._uow() as uow:
            return self._registered(uow.users.get(user_id))

    @staticmethod
    def _registered(user: UserRecord | None) -> UserRecord:
        if user is None or not user.is_registered:
            raise UserNotRegistered
        return user

    @staticmethod
    def _same_enrolment(user: UserRecord | None, flight: _Flight) -> UserRecord:
        """The user as the flight must find it to commit: still registered, same enrolment."""
        if user is None or not user.is_registered or user.enrolment != flight.pending.enrolment:
            raise UserNotRegistered
        return user

    def _reserve_attempt(
        self, user_id: str, image: ValidatedImage, deadline: Deadline
    ) -> tuple[UserRecord, _Flight]:
        """Admit a verification against the lockout budget and announce its capture, in one
        transaction under the user's row lock (so admissions are counted one at a time)."""
        now = self._clock()
        with self._uow() as uow:
            user = self._registered(uow.users.get(user_id, for_update=True))
            in_flight = uow.pending.live_verifications(user.pk, now)
            self._lockout.admit(user, in_flight, now, self._retry_after)
            flight = self._pending(RunKind.VERIFICATION, image, user.pk, user.enrolment, deadline)
            uow.pending.add(flight.pending)
            uow.commit()
        return user, flight

    def _pending(
        self,
        kind: RunKind,
        image: ValidatedImage,
        user_pk: int | None,
        enrolment: int,
        deadline: Deadline,
    ) -> _Flight:
        """The intent to store an image, to be recorded before the image is stored."""
        # Keys come from server-generated ids only: no user input reaches S3 key space,
        # and each key is written once, so its recorded version is its only one.
        run_id = self._run_ids()
        prefix = REFERENCE_PREFIX if kind is RunKind.REGISTRATION else CAPTURE_PREFIX
        now = self._clock()
        # The request is surely over once its hard deadline (Lambda stops it then) and a
        # grace for a write already on the wire have passed.
        request_end = min(deadline.for_cleanup().remaining(), _LONGEST_REQUEST_SECONDS)
        return _Flight(
            PendingRun(
                run_id=run_id,
                user_pk=user_pk,
                enrolment=enrolment,
                kind=kind,
                image_key=f"{prefix}{run_id}.{image.extension}",
                created_at=now,
                # Surely over by then: Lambda ends a request at its timeout at the latest.
                expires_at=now + timedelta(seconds=max(0.0, request_end)) + self._pending_grace,
            )
        )

    def _store(self, flight: _Flight, image: ValidatedImage, deadline: Deadline) -> StoredObject:
        key = flight.pending.image_key
        version_id = self._images.put(key, image.content, image.content_type, deadline)
        flight.stored = StoredObject(key, version_id)
        return flight.stored

    def _settle(self, uow: UnitOfWork, flight: _Flight, now: datetime) -> None:
        if not uow.pending.settle(flight.pending.run_id, now):
            raise OutOfTime("commit")

    def _record_verification(
        self,
        flight: _Flight,
        user: UserRecord,
        request_id: str | None,
        *,
        similarity: float | None = None,
        decision: Decision | None = None,
        error_code: str | None = None,
    ) -> datetime:
        """Commit the run (and, for a decision, the lockout state) if the user is still in
        the same enrolment; returns when. A PASS never commits while the user is locked."""
        now = self._clock()
        with self._uow() as uow:
            current = self._same_enrolment(uow.users.get_by_pk(user.pk, for_update=True), flight)
            if decision is not None:
                if current.is_locked(now):
                    assert current.locked_until is not None
                    raise UserLocked((current.locked_until - now).total_seconds())
                failures, locked_until = self._lockout.after(current, decision, now)
                uow.users.record_decision(current.pk, failures, locked_until)
            self._settle(uow, flight, now)
            assert flight.stored is not None
            uow.runs.add(
                NewRun(
                    run_id=flight.pending.run_id,
                    user_pk=current.pk,
                    kind=RunKind.VERIFICATION,
                    created_at=now,
                    image_key=flight.stored.key,
                    image_version_id=flight.stored.version_id,
                    enrolment=flight.pending.enrolment,
                    threshold=self._threshold,
                    similarity=similarity,
                    result=decision,
                    error_code=error_code,
                    request_id=request_id,
                    engine=self._engine.name,
                )
            )
            uow.commit()
        flight.settled = True
        return now

    def _registration_run(
        self, flight: _Flight, user_pk: int, at: datetime, request_id: str | None
    ) -> NewRun:
        assert flight.stored is not None
        return NewRun(
            run_id=flight.pending.run_id,
            user_pk=user_pk,
            kind=RunKind.REGISTRATION,
            created_at=at,
            image_key=flight.stored.key,
            image_version_id=flight.stored.version_id,
            enrolment=flight.pending.enrolment,
            request_id=request_id,
            engine=self._engine.name,
        )

    def _delete_superseded(self, old_key: str, deadline: Deadline) -> None:
        """The new reference is committed; an old image that cannot be deleted now stays
        unpurged in the runs table, where the purge finds and deletes it."""
        try:
            if self._images.delete_objects([StoredObject(old_key)], deadline).failed:
                return
            with self._uow() as uow:
                uow.runs.mark_image_purged(old_key, self._clock())
                uow.commit()
        except DependencyUnavailable:
            logger.warning("superseded reference left for the purge")

    def _erase_enrolment_images(self, user: UserRecord, deadline: Deadline) -> bool:
        """One pass: delete every image of the user's enrolments up to the erased one and
        mark them gone. True while requests of those enrolments may still store images."""
        with self._uow() as uow:
            recorded = uow.runs.unpurged_images(user.pk, user.enrolment)
            pending = uow.pending.of_user(user.pk, user.enrolment)
        objects = [item.image for item in recorded] + [StoredObject(p.image_key) for p in pending]
        if objects and self._images.delete_objects(objects, deadline).failed:
            raise DependencyUnavailable("image_store", self._retry_after)
        now = self._clock()
        finished = [p.run_id for p in pending if not p.is_live(now)]
        with self._uow() as uow:
            uow.runs.mark_purged([item.run_id for item in recorded], now)
            uow.pending.forget(finished)
            uow.commit()
        return len(finished) < len(pending)

    @contextmanager
    def _settled_or_removed(self, flight: _Flight, deadline: Deadline) -> Iterator[_Flight]:
        """Keep a flight's image only if its run was committed; on any failure before that,
        delete the image (stored or maybe half-stored) and settle the pending run, within the
        time kept back for cleaning up. What this cannot finish, the purge does."""
        try:
            yield flight
        except BaseException:
            if not flight.settled:
                self._remove(flight, deadline.for_cleanup())
            raise

    def _remove(self, flight: _Flight, deadline: Deadline) -> None:
        key = flight.pending.image_key
        # By the version the put returned when it did; else every version of the key (a
        # put that failed may still have stored it).
        stored = flight.stored or StoredObject(key)
        try:
            gone = not self._images.delete_objects([stored], deadline).failed
        except DependencyUnavailable:
            gone = False
        try:
            with self._uow() as uow:
                if gone:
                    uow.pending.forget([flight.pending.run_id])
                else:
                    uow.pending.abandon(flight.pending.run_id, self._clock())
                uow.commit()
        except DependencyUnavailable:
            gone = False  # the pending run stays; the purge deletes the image after it expires
        if not gone:
            logger.warning(
                "an image of a failed request is left for the purge",
                extra={"prefix": key.split("/", maxsplit=1)[0]},
            )
