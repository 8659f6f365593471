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
from faceauth.domain.model import LastVerification, NewRun, PendingRun, UserRecord


@dataclass(frozen=True, slots=True)
class StoredObject:
    """An object as it was stored: its key, and the version S3 gave it (None when the
    bucket kept no versions, when it is unknown, or for rows written before versions were
    recorded: then every version of the key is deleted)."""

    key: str
    version_id: str | None = None


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

    def delete_objects(self, objects: Sequence[StoredObject], deadline: Deadline) -> DeleteReport:
        """Delete stored objects, in batches: an object with a version id by that version
        (no listing), one without with every version of its key. A key is reported deleted
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
        self, reference_key: str, capture_key: str, capture: bytes, deadline: Deadline
    ) -> float:
        """Similarity (0-100) of the capture to the stored reference. The capture must hold
        exactly one face. Raises the same errors as check_single_face."""


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


class UnitOfWork(Protocol):
    """One database transaction: commits on commit(), rolls back otherwise."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def runs(self) -> RunRepository: ...

    @property
    def pending(self) -> PendingRunRepository: ...

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
