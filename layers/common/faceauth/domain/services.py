"""The selfie-login use cases: register, re-enrol, verify, start liveness sessions, report
status, erase.

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
from faceauth.domain.liveness import (
    OUTPUT_KEY_PREFIX,
    SESSION_LIFETIME,
    CreatedSession,
    LivenessMode,
    LivenessPolicy,
    LivenessResult,
    LivenessSession,
    LivenessStatus,
    Selfie,
    UploadedSelfie,
    session_prefix,
)
from faceauth.domain.model import (
    Decision,
    NewRun,
    PendingRun,
    RegistrationReceipt,
    RunKind,
    StoredObject,
    UserRecord,
    UserStatus,
    ValidatedImage,
    VerificationOutcome,
)
from faceauth.domain.ports import FaceEngine, ImageStore, UnitOfWork
from faceauth.errors import (
    AlreadyRegistered,
    DependencyUnavailable,
    FaceQualityError,
    LivenessFailed,
    LivenessSessionExpired,
    LivenessSessionIncomplete,
    LivenessSessionInvalid,
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


@dataclass(frozen=True, slots=True)
class _LivenessUse:
    """A liveness session a run uses, and the confidence the service gave it."""

    session_id: str
    confidence: float | None


@dataclass(frozen=True, slots=True)
class _NewReference:
    """Where a new reference image comes from: an upload, or a liveness session's frame."""

    image: ValidatedImage | None = None
    frame: StoredObject | None = None
    liveness: _LivenessUse | None = None

    @property
    def extension(self) -> str:
        # The liveness service writes its frames as JPEG.
        return self.image.extension if self.image else "jpg"


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
        liveness: LivenessPolicy | None = None,
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
        self._liveness = liveness or LivenessPolicy(LivenessMode.OFF, 100.0, 0, None)
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
        self, user_id: str, selfie: Selfie, deadline: Deadline, request_id: str | None = None
    ) -> RegistrationReceipt:
        """Store the first reference selfie of a user (or of an erased user's new enrolment):
        an uploaded image that passes the face gate, or a liveness session's frame.

        Raises AlreadyRegistered, the image and face errors, the liveness errors,
        DependencyUnavailable.
        """
        with self._uow() as uow:
            user = uow.users.get(user_id)
        if user is not None and user.is_registered:
            raise AlreadyRegistered
        source = self._new_reference(user_id, selfie, deadline)
        enrolment = user.enrolment + 1 if user is not None else 1
        flight = self._pending(
            RunKind.REGISTRATION,
            source.extension,
            user.pk if user else None,
            enrolment,
            deadline,
        )
        with self._uow() as uow:
            uow.pending.add(flight.pending)
            uow.commit()
        with self._settled_or_removed(flight, deadline):
            key = self._store_reference(flight, source, deadline)
            now = self._clock()
            with self._uow() as uow:
                # No locking read of a missing row: it takes gap locks that deadlock racing
                # inserts; the unique key and a conditional update decide instead.
                if user is None:
                    user_pk = uow.users.add_registered(user_id, key, now).pk
                elif uow.users.register_again(user.pk, enrolment, key, now):
                    user_pk = user.pk
                else:
                    raise AlreadyRegistered
                self._record_registration(
                    uow,
                    flight,
                    user_pk=user_pk,
                    user_id=user_id,
                    at=now,
                    request_id=request_id,
                    source=source,
                )
                uow.commit()
            flight.settled = True
        return RegistrationReceipt(flight.pending.run_id, user_id, now)

    def replace_reference(
        self, user_id: str, selfie: Selfie, deadline: Deadline, request_id: str | None = None
    ) -> RegistrationReceipt:
        """Re-enrol: store a new reference, then delete the old one.

        Raises UserNotRegistered, the image and face errors, the liveness errors,
        DependencyUnavailable.
        """
        self._registered_user(user_id)
        source = self._new_reference(user_id, selfie, deadline)
        with self._uow() as uow:
            user = self._registered(uow.users.get(user_id, for_update=True))
            flight = self._pending(
                RunKind.REGISTRATION, source.extension, user.pk, user.enrolment, deadline
            )
            uow.pending.add(flight.pending)
            uow.commit()
        with self._settled_or_removed(flight, deadline):
            key = self._store_reference(flight, source, deadline)
            now = self._clock()
            with self._uow() as uow:
                current = self._same_enrolment(
                    uow.users.get_by_pk(user.pk, for_update=True), flight
                )
                assert current.reference_key is not None
                old_key = current.reference_key
                uow.users.replace_reference(user.pk, key, now)
                self._record_registration(
                    uow,
                    flight,
                    user_pk=user.pk,
                    user_id=user_id,
                    at=now,
                    request_id=request_id,
                    source=source,
                )
                uow.commit()
            flight.settled = True
        self._delete_superseded(old_key, deadline)
        return RegistrationReceipt(flight.pending.run_id, user_id, now)

    # -- verification ----------------------------------------------------------------------

    def verify_capture(
        self, user_id: str, selfie: Selfie, deadline: Deadline, request_id: str | None = None
    ) -> VerificationOutcome:
        """Compare a new selfie (an uploaded image, or a liveness session's frame) with the
        user's reference and record the run.

        Raises UserNotRegistered, UserLocked, VerificationInProgress, the image errors, the
        face errors (recorded as runs, not counted), LivenessFailed (recorded and counted as
        a FAIL), the other liveness errors, DependencyUnavailable (nothing kept).
        """
        if isinstance(selfie, UploadedSelfie):
            self._liveness.accept_upload()
            checked = validate_image(selfie.content, self._limits)
            user, flight = self._reserve_attempt(user_id, checked.extension, deadline)
            with self._settled_or_removed(flight, deadline):
                stored = self._store(flight, checked, deadline)
                return self._decide(
                    flight,
                    user,
                    capture_key=stored.key,
                    capture=checked.content,
                    liveness=None,
                    deadline=deadline,
                    request_id=request_id,
                )
        self._liveness.available()
        user, flight = self._reserve_attempt(user_id, None, deadline)
        with self._settled_or_removed(flight, deadline):
            result = self._session_result(user_id, selfie.session_id, deadline)
            use = _LivenessUse(selfie.session_id, result.confidence)
            if self._liveness.judge(result) is Decision.FAIL:
                self._record_verification(
                    flight,
                    user,
                    request_id,
                    error_code=LivenessFailed.code,
                    counts_as=Decision.FAIL,
                    liveness=use,
                )
                raise LivenessFailed
            assert result.reference is not None
            return self._decide(
                flight,
                user,
                capture_key=result.reference.key,
                capture=None,
                liveness=use,
                deadline=deadline,
                request_id=request_id,
            )

    # -- liveness sessions -----------------------------------------------------------------

    def start_liveness_session(
        self, user_id: str, client_token: str, deadline: Deadline
    ) -> CreatedSession:
        """Create a Face Liveness session for the user (registered or not yet), writing its
        images under its own prefix; the same client token gives the same session.

        Raises LivenessUnavailable, LivenessSessionInvalid (the token's session is another
        user's), DependencyUnavailable.
        """
        service = self._liveness.available()
        session_id = service.create_session(
            client_token, OUTPUT_KEY_PREFIX, self._liveness.audit_images, deadline
        )
        now = self._clock()
        with self._uow() as uow:
            known = uow.liveness.get(session_id)
            if known is None:
                known = LivenessSession(session_id, user_id, now, now + SESSION_LIFETIME, None)
                uow.liveness.add(known)
                uow.commit()
        if known.user_id != user_id:
            raise LivenessSessionInvalid
        return CreatedSession(session_id, service.region, known.expires_at)

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
        object versions, liveness sessions' images included), waiting for requests still
        in flight for it to end. Idempotent; an unknown user is a no-op. Once this returns,
        no image of the erased enrolment exists and none can appear.

        Raises DependencyUnavailable (a retry completes the erasure; while a liveness
        session of the user may still be written, its Retry-After says until when).
        """
        with self._uow() as uow:
            user = uow.users.get(user_id, for_update=True)
            erased_at = self._clock()
            if user is not None and user.is_registered:
                # From here on no request of this enrolment can commit anything.
                uow.users.unregister(user.pk, erased_at)
            uow.commit()
        while True:
            in_flight = self._erase_enrolment_images(user, deadline) if user else False
            writable = self._erase_liveness_images(user_id, erased_at, deadline)
            if not in_flight and writable is None:
                return
            if writable is not None and writable > deadline.remaining():
                # The liveness service may still write that session's images for a while.
                raise DependencyUnavailable("liveness_session", writable)
            # Requests of this enrolment are still running: they will fail to commit and
            # remove what they stored; wait for them, then delete again.
            deadline.require(self._erasure_poll, "erasure waiting for requests in flight")
            self._sleep(self._erasure_poll)

    def check_health(self) -> None:
        """Raises DependencyUnavailable when the database does not answer."""
        with self._uow() as uow:
            uow.ping()

    # -- steps -----------------------------------------------------------------------------

    def _new_reference(self, user_id: str, selfie: Selfie, deadline: Deadline) -> _NewReference:
        """The new reference, checked: an upload through the face gate, or the frame of a
        liveness session that succeeded (a failed one is spent and LivenessFailed raised)."""
        if isinstance(selfie, UploadedSelfie):
            self._liveness.accept_upload()
            checked = validate_image(selfie.content, self._limits)
            self._engine.check_single_face(checked.content, deadline)
            return _NewReference(image=checked)
        self._liveness.available()
        result = self._session_result(user_id, selfie.session_id, deadline)
        if self._liveness.judge(result) is Decision.FAIL:
            with self._uow() as uow:
                # Spent: never usable again; its images are kept for the FAIL retention.
                uow.liveness.use(selfie.session_id, user_id, self._clock(), None, Decision.FAIL)
                uow.commit()
            raise LivenessFailed
        return _NewReference(
            frame=result.reference, liveness=_LivenessUse(selfie.session_id, result.confidence)
        )

    def _session_result(self, user_id: str, session_id: str, deadline: Deadline) -> LivenessResult:
        """The result of the user's unused session. Raises LivenessSessionInvalid (unknown,
        used or another user's: one error, no oracle), LivenessSessionExpired,
        LivenessSessionIncomplete, DependencyUnavailable."""
        with self._uow() as uow:
            session = uow.liveness.get(session_id)
        if session is None or session.user_id != user_id or session.used_at is not None:
            raise LivenessSessionInvalid
        result = self._liveness.available().results(session_id, deadline)
        if result.status is LivenessStatus.EXPIRED:
            raise LivenessSessionExpired
        if result.status in (LivenessStatus.CREATED, LivenessStatus.IN_PROGRESS):
            raise LivenessSessionIncomplete
        return result

    def _use_session(
        self,
        uow: UnitOfWork,
        *,
        liveness: _LivenessUse | None,
        user_id: str,
        flight: _Flight,
        now: datetime,
        retained_as: Decision,
    ) -> None:
        """Spend the session on this run, in the run's transaction: single use."""
        if liveness is not None and not uow.liveness.use(
            liveness.session_id, user_id, now, flight.pending.run_id, retained_as
        ):
            raise LivenessSessionInvalid

    def _decide(
        self,
        flight: _Flight,
        user: UserRecord,
        *,
        capture_key: str,
        capture: bytes | None,
        liveness: _LivenessUse | None,
        deadline: Deadline,
        request_id: str | None,
    ) -> VerificationOutcome:
        assert user.reference_key is not None
        started = time.perf_counter()
        try:
            raw = self._engine.compare(user.reference_key, capture_key, capture, deadline)
        except FaceQualityError as exc:
            # A completed run: recorded, its capture kept for the FAIL retention.
            self._record_verification(
                flight, user, request_id, error_code=exc.code, liveness=liveness
            )
            raise
        engine_seconds = time.perf_counter() - started
        similarity = round(raw, 2)
        decision = Decision.of(similarity, self._threshold)
        verified_at = self._record_verification(
            flight,
            user,
            request_id,
            similarity=similarity,
            decision=decision,
            counts_as=decision,
            liveness=liveness,
        )
        return VerificationOutcome(
            run_id=flight.pending.run_id,
            user_id=user.user_id,
            similarity=similarity,
            threshold=self._threshold,
            result=decision,
            verified_at=verified_at,
            engine_seconds=engine_seconds,
        )

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
        self, user_id: str, extension: str | None, deadline: Deadline
    ) -> tuple[UserRecord, _Flight]:
        """Admit a verification against the lockout budget and announce its capture (if it
        stores one), in one transaction under the user's row lock, so admissions are
        counted one at a time."""
        now = self._clock()
        with self._uow() as uow:
            user = self._registered(uow.users.get(user_id, for_update=True))
            in_flight = uow.pending.live_verifications(user.pk, now)
            self._lockout.admit(user, in_flight, now, self._retry_after)
            flight = self._pending(
                RunKind.VERIFICATION, extension, user.pk, user.enrolment, deadline
            )
            uow.pending.add(flight.pending)
            uow.commit()
        return user, flight

    def _pending(
        self,
        kind: RunKind,
        extension: str | None,
        user_pk: int | None,
        enrolment: int,
        deadline: Deadline,
    ) -> _Flight:
        """The intent to store an image (``extension`` None: a run that stores none), to be
        recorded before the image is stored."""
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
                image_key=f"{prefix}{run_id}.{extension}" if extension else None,
                created_at=now,
                expires_at=now + timedelta(seconds=max(0.0, request_end)) + self._pending_grace,
            )
        )

    def _store(self, flight: _Flight, image: ValidatedImage, deadline: Deadline) -> StoredObject:
        key = flight.pending.image_key
        assert key is not None
        version_id = self._images.put(key, image.content, image.content_type, deadline)
        flight.stored = StoredObject(key, version_id)
        return flight.stored

    def _store_reference(self, flight: _Flight, source: _NewReference, deadline: Deadline) -> str:
        """Store the new reference at the flight's key: the upload, or a copy of the liveness
        frame (the session's own images follow the session's retention)."""
        if source.image is not None:
            return self._store(flight, source.image, deadline).key
        key = flight.pending.image_key
        assert key is not None
        assert source.frame is not None
        version_id = self._images.copy(source.frame, key, "image/jpeg", deadline)
        flight.stored = StoredObject(key, version_id)
        return key

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
        counts_as: Decision | None = None,
        liveness: _LivenessUse | None = None,
    ) -> datetime:
        """Commit the run (and, for what counts towards the lockout, the lockout state) if
        the user is still in the same enrolment; returns when. Nothing that counts commits
        while the user is locked."""
        now = self._clock()
        with self._uow() as uow:
            current = self._same_enrolment(uow.users.get_by_pk(user.pk, for_update=True), flight)
            if counts_as is not None:
                if current.is_locked(now):
                    assert current.locked_until is not None
                    raise UserLocked((current.locked_until - now).total_seconds())
                failures, locked_until = self._lockout.after(current, counts_as, now)
                uow.users.record_decision(current.pk, failures, locked_until)
            self._settle(uow, flight, now)
            self._use_session(
                uow,
                liveness=liveness,
                user_id=current.user_id,
                flight=flight,
                now=now,
                retained_as=decision or Decision.FAIL,
            )
            stored = flight.stored
            uow.runs.add(
                NewRun(
                    run_id=flight.pending.run_id,
                    user_pk=current.pk,
                    kind=RunKind.VERIFICATION,
                    created_at=now,
                    image_key=stored.key if stored else None,
                    image_version_id=stored.version_id if stored else None,
                    enrolment=flight.pending.enrolment,
                    threshold=self._threshold,
                    similarity=similarity,
                    result=decision,
                    error_code=error_code,
                    request_id=request_id,
                    engine=self._engine.name,
                    liveness_session_id=liveness.session_id if liveness else None,
                    liveness_confidence=liveness.confidence if liveness else None,
                )
            )
            uow.commit()
        flight.settled = True
        return now

    def _record_registration(
        self,
        uow: UnitOfWork,
        flight: _Flight,
        *,
        user_pk: int,
        user_id: str,
        at: datetime,
        request_id: str | None,
        source: _NewReference,
    ) -> None:
        """In the registration's transaction: settle its pending run, spend its liveness
        session (kept as a PASS's) and add its run."""
        self._settle(uow, flight, at)
        self._use_session(
            uow,
            liveness=source.liveness,
            user_id=user_id,
            flight=flight,
            now=at,
            retained_as=Decision.PASS,
        )
        assert flight.stored is not None
        run = NewRun(
            run_id=flight.pending.run_id,
            user_pk=user_pk,
            kind=RunKind.REGISTRATION,
            created_at=at,
            image_key=flight.stored.key,
            image_version_id=flight.stored.version_id,
            enrolment=flight.pending.enrolment,
            request_id=request_id,
            engine=self._engine.name,
            liveness_session_id=source.liveness.session_id if source.liveness else None,
            liveness_confidence=source.liveness.confidence if source.liveness else None,
        )
        uow.runs.add(run)

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
        objects = [item.image for item in recorded] + [
            StoredObject(p.image_key) for p in pending if p.image_key is not None
        ]
        if objects and self._images.delete_objects(objects, deadline).failed:
            raise DependencyUnavailable("image_store", self._retry_after)
        now = self._clock()
        finished = [p.run_id for p in pending if not p.is_live(now)]
        with self._uow() as uow:
            uow.runs.mark_purged([item.run_id for item in recorded], now)
            uow.pending.forget(finished)
            uow.commit()
        return len(finished) < len(pending)

    def _erase_liveness_images(
        self, user_id: str, erased_at: datetime, deadline: Deadline
    ) -> float | None:
        """One pass over the user's liveness sessions up to the erasure: delete their
        images, and mark erased those the service can no longer write. Returns the seconds
        until the last of the others can no longer be written, or None when none is left."""
        with self._uow() as uow:
            sessions = uow.liveness.of_user(user_id, erased_at)
        if not sessions:
            return None
        prefixes = [StoredObject(session_prefix(s.session_id), prefix=True) for s in sessions]
        if self._images.delete_objects(prefixes, deadline).failed:
            raise DependencyUnavailable("image_store", self._retry_after)
        now = self._clock()
        done = [s.session_id for s in sessions if not s.may_still_be_written(now)]
        with self._uow() as uow:
            uow.liveness.mark_erased(done, now)
            uow.commit()
        open_until = [s.writable_until for s in sessions if s.may_still_be_written(now)]
        return max((until - now).total_seconds() for until in open_until) if open_until else None

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
        # put that failed may still have stored it). A run without an image has none.
        stored = flight.stored or (StoredObject(key) if key else None)
        try:
            gone = stored is None or not self._images.delete_objects([stored], deadline).failed
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
        if not gone and key:
            logger.warning(
                "an image of a failed request is left for the purge",
                extra={"prefix": key.split("/", maxsplit=1)[0]},
            )
