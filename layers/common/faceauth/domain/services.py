"""The selfie-login use cases: register, re-enrol, verify, report status, erase.

Nothing here holds a database transaction open across an S3 or face-engine call, and every
failure after an object was stored removes that object again, so a rejected or failed
request leaves neither an orphan image nor a half-written row.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from faceauth.domain.images import ImageLimits, validate_image
from faceauth.domain.model import (
    Decision,
    NewRun,
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
    FaceAuthError,
    UserLocked,
    UserNotRegistered,
)

logger = logging.getLogger(__name__)

REFERENCE_PREFIX = "references/"
CAPTURE_PREFIX = "captures/"

# Face-quality outcomes of a verification are recorded as runs (with their error code);
# they are the user's fault, not the engine's, and do not count towards the lockout.
_FACE_QUALITY_ERRORS = ("NO_FACE_DETECTED", "MULTIPLE_FACES", "FACE_TOO_SMALL")


def utc_now() -> datetime:
    """Naive UTC, as stored in DATETIME columns."""
    return datetime.now(UTC).replace(tzinfo=None)


def new_run_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    max_failures: int
    duration: timedelta

    def after(
        self, user: UserRecord, decision: Decision, now: datetime
    ) -> tuple[int, datetime | None]:
        """The failure count and lock after a decision; an expired lock starts a fresh count."""
        if decision is Decision.PASS:
            return 0, None
        expired = user.locked_until is not None and user.locked_until <= now
        failures = (0 if expired else user.consecutive_failures) + 1
        locked_until = now + self.duration if failures >= self.max_failures else None
        return failures, locked_until


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
        clock: Callable[[], datetime] = utc_now,
        run_ids: Callable[[], str] = new_run_id,
    ) -> None:
        self._uow = unit_of_work
        self._images = images
        self._engine = engine
        self._threshold = threshold
        self._lockout = lockout
        self._limits = limits
        self._clock = clock
        self._run_ids = run_ids

    @property
    def threshold(self) -> float:
        return self._threshold

    @property
    def image_limits(self) -> ImageLimits:
        return self._limits

    def register_reference(
        self, user_id: str, image: bytes, request_id: str | None = None
    ) -> RegistrationReceipt:
        """Store the first reference selfie of a user.

        Raises AlreadyRegistered, the image and face errors, DependencyUnavailable.
        """
        with self._uow() as uow:
            existing = uow.users.get(user_id)
        if existing is not None and existing.is_registered:
            raise AlreadyRegistered
        checked = self._checked_reference(image)
        run_id, stored = self._store(REFERENCE_PREFIX, checked)
        now = self._clock()
        with self._removed_on_failure(stored.key), self._uow() as uow:
            # No locking read here: on a missing row it takes gap locks that deadlock
            # racing inserts; the unique key and a conditional update decide instead.
            user = uow.users.get(user_id)
            if user is None:
                user = uow.users.add_registered(user_id, stored.key, now)
            elif not uow.users.register_existing(user.pk, stored.key, now):
                raise AlreadyRegistered
            uow.runs.add(self._registration_run(run_id, user.pk, stored, now, request_id))
            uow.commit()
        return RegistrationReceipt(run_id=run_id, user_id=user_id, registered_at=now)

    def replace_reference(
        self, user_id: str, image: bytes, request_id: str | None = None
    ) -> RegistrationReceipt:
        """Re-enrol: store a new reference and delete the old one.

        Raises UserNotRegistered, the image and face errors, DependencyUnavailable.
        """
        self._registered_user(user_id)
        checked = self._checked_reference(image)
        run_id, stored = self._store(REFERENCE_PREFIX, checked)
        now = self._clock()
        with self._removed_on_failure(stored.key), self._uow() as uow:
            user = uow.users.get(user_id, for_update=True)
            if user is None or user.reference_key is None:
                raise UserNotRegistered
            old_key = user.reference_key
            uow.users.replace_reference(user.pk, stored.key, now)
            uow.runs.add(self._registration_run(run_id, user.pk, stored, now, request_id))
            uow.commit()
        # The new reference is committed; an old image that cannot be deleted now stays
        # unpurged in the runs table, where the purge finds and deletes it.
        if not self._images.delete_all_versions([old_key]).failed:
            with self._uow() as uow:
                uow.runs.mark_image_purged(old_key, self._clock())
                uow.commit()
        return RegistrationReceipt(run_id=run_id, user_id=user_id, registered_at=now)

    def verify_capture(
        self, user_id: str, image: bytes, request_id: str | None = None
    ) -> VerificationOutcome:
        """Compare a new selfie with the user's reference and record the run.

        Raises UserNotRegistered, UserLocked, the image and face errors (recorded as runs),
        DependencyUnavailable (not recorded, nothing stored).
        """
        user = self._registered_user(user_id)
        now = self._clock()
        if user.is_locked(now):
            assert user.locked_until is not None
            raise UserLocked(math.ceil((user.locked_until - now).total_seconds()))
        checked = validate_image(image, self._limits)
        run_id, stored = self._store(CAPTURE_PREFIX, checked)
        key = stored.key
        assert user.reference_key is not None
        started = time.perf_counter()
        # A face problem in the capture is a completed run: recorded, its capture kept for
        # the FAIL retention. Any other failure removes the capture.
        with self._removed_on_failure(key, keep_for=_FACE_QUALITY_ERRORS):
            try:
                similarity = round(
                    self._engine.compare(user.reference_key, key, checked.content), 2
                )
            except FaceAuthError as exc:
                if exc.code in _FACE_QUALITY_ERRORS:
                    self._record_capture(
                        self._capture_run(run_id, user.pk, stored, request_id, error_code=exc.code)
                    )
                raise
        engine_seconds = time.perf_counter() - started
        result = Decision.PASS if similarity >= self._threshold else Decision.FAIL
        verified_at = self._clock()
        with self._removed_on_failure(key), self._uow() as uow:
            current = uow.users.get(user_id, for_update=True)
            if current is None:
                raise UserNotRegistered
            failures, locked_until = self._lockout.after(current, result, verified_at)
            uow.users.record_decision(current.pk, failures, locked_until)
            uow.runs.add(
                self._capture_run(
                    run_id,
                    current.pk,
                    stored,
                    request_id,
                    created_at=verified_at,
                    similarity=similarity,
                    result=result,
                )
            )
            uow.commit()
        return VerificationOutcome(
            run_id=run_id,
            user_id=user_id,
            similarity=similarity,
            threshold=self._threshold,
            result=result,
            verified_at=verified_at,
            engine_seconds=engine_seconds,
        )

    def get_status(self, user_id: str) -> UserStatus:
        """Registration, last verification and lock state; an unknown user is unregistered."""
        now = self._clock()
        with self._uow() as uow:
            user = uow.users.get(user_id)
            last = uow.runs.last_verification(user.pk) if user else None
        if user is None:
            return UserStatus(user_id, False, None, None, False, None, 0)
        locked = user.is_locked(now)
        return UserStatus(
            user_id=user_id,
            registered=user.is_registered,
            registered_at=user.registered_at,
            last_verification=last,
            locked=locked,
            locked_until=user.locked_until if locked else None,
            consecutive_failures=user.consecutive_failures,
        )

    def erase_user(self, user_id: str) -> None:
        """Right to erasure: delete the reference and every capture of the user (all object
        versions), then mark the rows erased. Idempotent; an unknown user is a no-op.

        Raises DependencyUnavailable (nothing is marked until every object is gone).
        """
        with self._uow() as uow:
            user = uow.users.get(user_id)
            if user is None:
                return
            keys = uow.runs.unpurged_image_keys(user.pk)
        if user.reference_key and user.reference_key not in keys:
            keys.append(user.reference_key)
        if keys and self._images.delete_all_versions(keys).failed:
            raise DependencyUnavailable("image_store")
        now = self._clock()
        with self._uow() as uow:
            uow.users.erase(user.pk, now)
            uow.runs.mark_user_images_purged(user.pk, now)
            uow.commit()

    def check_health(self) -> None:
        """Raises DependencyUnavailable when the database does not answer."""
        with self._uow() as uow:
            uow.ping()

    # -- helpers -------------------------------------------------------------------------

    def _registered_user(self, user_id: str) -> UserRecord:
        with self._uow() as uow:
            user = uow.users.get(user_id)
        if user is None or not user.is_registered:
            raise UserNotRegistered
        return user

    def _checked_reference(self, image: bytes) -> ValidatedImage:
        checked = validate_image(image, self._limits)
        self._engine.check_single_face(checked.content)
        return checked

    def _store(self, prefix: str, image: ValidatedImage) -> tuple[str, StoredObject]:
        """Put the image under a new key; returns the run id and the stored object (its key
        and version id). Raises DependencyUnavailable."""
        # Keys come from server-generated ids only: no user input reaches S3 key space,
        # and each key is written once, so its recorded version is its only one.
        run_id = self._run_ids()
        key = f"{prefix}{run_id}.{image.extension}"
        version_id = self._images.put(key, image.content, image.content_type)
        return run_id, StoredObject(key, version_id)

    def _discard(self, key: str) -> None:
        try:
            failed = self._images.delete_all_versions([key]).failed
        except DependencyUnavailable:
            failed = [key]
        if failed:
            # The purge and the bucket lifecycle remove captures later; log for references.
            logger.error(
                "could not remove an image after a failed request",
                extra={"prefix": key.split("/", maxsplit=1)[0]},
            )

    def _registration_run(
        self,
        run_id: str,
        user_pk: int,
        stored: StoredObject,
        at: datetime,
        request_id: str | None,
    ) -> NewRun:
        return NewRun(
            run_id=run_id,
            user_pk=user_pk,
            kind=RunKind.REGISTRATION,
            created_at=at,
            image_key=stored.key,
            image_version_id=stored.version_id,
            request_id=request_id,
            engine=self._engine.name,
        )

    def _capture_run(
        self,
        run_id: str,
        user_pk: int,
        stored: StoredObject,
        request_id: str | None,
        *,
        created_at: datetime | None = None,
        similarity: float | None = None,
        result: Decision | None = None,
        error_code: str | None = None,
    ) -> NewRun:
        return NewRun(
            run_id=run_id,
            user_pk=user_pk,
            kind=RunKind.VERIFICATION,
            created_at=created_at or self._clock(),
            image_key=stored.key,
            image_version_id=stored.version_id,
            threshold=self._threshold,
            similarity=similarity,
            result=result,
            error_code=error_code,
            request_id=request_id,
            engine=self._engine.name,
        )

    def _record_capture(self, run: NewRun) -> None:
        with self._uow() as uow:
            uow.runs.add(run)
            uow.commit()

    @contextmanager
    def _removed_on_failure(self, key: str, keep_for: tuple[str, ...] = ()) -> Iterator[None]:
        """Keep a just-stored image only if the block completes (or fails with one of the
        error codes in keep_for); otherwise remove it, so no object outlives a request
        that did not record it."""
        try:
            yield
        except FaceAuthError as exc:
            if exc.code not in keep_for:
                self._discard(key)
            raise
        except BaseException:
            self._discard(key)
            raise
