"""What the domain needs from the outside world; adapters implement these.

Every call that leaves the process takes the request's Deadline: adapters size their retries
to it and raise OutOfTime (a DependencyUnavailable) rather than start what cannot finish.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Protocol

from faceauth.domain.deadline import Deadline
from faceauth.domain.liveness import LivenessSession
from faceauth.domain.model import (
    Decision,
    LastVerification,
    NewRun,
    PendingRun,
    StoredObject,
    UserRecord,
)


@dataclass(frozen=True, slots=True)
class DeleteReport:
    """Outcome of deleting objects: a key is gone when it and all its versions are deleted
    (a key that never existed counts as gone)."""

    deleted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class ImageStore(Protocol):
    """Where image bytes live (S3 in AWS, an S3-compatible store locally)."""

    def put(self, key: str, content: bytes, content_type: str, deadline: Deadline) -> str | None:
        """Store an object; returns its version id (None when the bucket keeps no
        versions). Raises DependencyUnavailable (OutOfTime included)."""

    def get(self, key: str, deadline: Deadline) -> bytes:
        """Read an object. Raises DependencyUnavailable."""

    def copy(
        self, source: StoredObject, key: str, content_type: str, deadline: Deadline
    ) -> str | None:
        """Copy an object within the store (server-side) to a new key; returns the copy's
        version id. Raises DependencyUnavailable."""

    def delete_objects(self, objects: Sequence[StoredObject], deadline: Deadline) -> DeleteReport:
        """Delete stored objects, in batches: an object with a version id by that version
        (no listing), one without with every version of its key, a prefix with every version
        of every key under it. A key (or prefix) is reported deleted
        only when all its entries are; per-key failures are reported, not raised; raises
        DependencyUnavailable when the store cannot be reached in time."""


class FaceEngine(Protocol):
    """Detects and compares faces. Similarity is on a 0-100 scale for every engine."""

    name: str

    def check_single_face(self, image: bytes, deadline: Deadline) -> None:
        """The registration quality gate: exactly one face, big and clear enough.
        Raises NoFaceDetected, MultipleFaces, FaceTooSmall, InvalidImage, ImageTooLarge,
        DependencyUnavailable."""

    def compare(
        self, reference_key: str, capture_key: str, capture: bytes | None, deadline: Deadline
    ) -> float:
        """Similarity (0-100) of the capture (stored at ``capture_key``; its bytes when at
        hand) to the stored reference. The capture must hold exactly one face. Raises the
        same errors as check_single_face."""


@dataclass(frozen=True, slots=True)
class RunImage:
    """A recorded run's image that is not purged yet."""

    run_id: str
    image: StoredObject


class UserRepository(Protocol):
    def get(self, user_id: str, *, for_update: bool = False) -> UserRecord | None: ...

    def get_by_pk(self, pk: int, *, for_update: bool = False) -> UserRecord | None: ...

    def add_registered(self, user_id: str, reference_key: str, at: datetime) -> UserRecord:
        """A first registration (enrolment 1). Raises AlreadyRegistered when the user row
        exists already (the unique key decides a race)."""

    def register_again(self, pk: int, enrolment: int, reference_key: str, at: datetime) -> bool:
        """Start enrolment ``enrolment`` of an unregistered (erased) user; False when
        another registration got there first."""

    def replace_reference(self, pk: int, reference_key: str, at: datetime) -> None: ...

    def record_decision(
        self, pk: int, consecutive_failures: int, locked_until: datetime | None
    ) -> None: ...

    def unregister(self, pk: int, at: datetime) -> None:
        """Erasure: no reference, no lock, no failure count; the enrolment ends."""


class RunRepository(Protocol):
    def add(self, run: NewRun) -> None: ...

    def last_verification(self, user_pk: int, enrolment: int) -> LastVerification | None: ...

    def unpurged_images(self, user_pk: int, up_to_enrolment: int) -> list[RunImage]: ...

    def mark_purged(self, run_ids: Sequence[str], at: datetime) -> None: ...

    def mark_image_purged(self, image_key: str, at: datetime) -> None: ...


class PendingRunRepository(Protocol):
    """Runs in flight (see PendingRun)."""

    def add(self, pending: PendingRun) -> None: ...

    def live_verifications(self, user_pk: int, now: datetime) -> list[PendingRun]:
        """The user's verifications whose requests may still be running."""

    def of_user(self, user_pk: int, up_to_enrolment: int) -> list[PendingRun]: ...

    def settle(self, run_id: str, now: datetime) -> bool:
        """The owner commits its run: remove the row if it is still live; False when it
        expired (the owner is out of time and must not commit)."""

    def forget(self, run_ids: Sequence[str]) -> None:
        """Their images are gone (or were never stored): drop the rows."""

    def abandon(self, run_id: str, now: datetime) -> None:
        """The owner is done but could not delete its image: mark the row expired so the
        purge (or an erasure) deletes the image."""


class LivenessSessionRepository(Protocol):
    """Face Liveness sessions this API created, and what became of them."""

    def add(self, session: LivenessSession) -> None: ...

    def get(self, session_id: str) -> LivenessSession | None: ...

    def use(
        self,
        session_id: str,
        user_id: str,
        at: datetime,
        run_id: str | None,
        retained_as: Decision,
    ) -> bool:
        """Mark the session used by ``run_id`` if it is ``user_id``'s and unused (False
        otherwise); its images are then kept for the retention of ``retained_as``."""

    def of_user(self, user_id: str, created_up_to: datetime) -> list[LivenessSession]:
        """The user's sessions created up to then whose images are not purged yet."""

    def mark_erased(self, session_ids: Sequence[str], at: datetime) -> None:
        """Their images are gone with the user: purged, and never usable again."""


class UnitOfWork(Protocol):
    """One database transaction: commits on commit(), rolls back otherwise."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def runs(self) -> RunRepository: ...

    @property
    def pending(self) -> PendingRunRepository: ...

    @property
    def liveness(self) -> LivenessSessionRepository: ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def ping(self) -> None:
        """Raises DependencyUnavailable when the database does not answer."""
