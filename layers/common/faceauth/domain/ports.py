"""What the domain needs from the outside world; adapters implement these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Protocol

from faceauth.domain.model import LastVerification, NewRun, UserRecord


@dataclass(frozen=True, slots=True)
class StoredObject:
    """An object as it was stored: its key, and the version S3 gave it (None when the
    bucket kept no versions, or for rows written before versions were recorded)."""

    key: str
    version_id: str | None = None


@dataclass(frozen=True, slots=True)
class DeleteReport:
    """Outcome of deleting objects: a key is gone when it and all its versions are deleted
    (a key that never existed counts as gone)."""

    deleted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class ImageStore(Protocol):
    """Where image bytes live (S3 in AWS and locally, through moto)."""

    def put(self, key: str, content: bytes, content_type: str) -> str | None:
        """Store an object; returns its version id (None when the bucket keeps no
        versions). Raises DependencyUnavailable."""

    def get(self, key: str) -> bytes:
        """Read an object. Raises DependencyUnavailable."""

    def delete_all_versions(self, keys: Sequence[str]) -> DeleteReport:
        """Delete every version of each key, in batches. Per-key failures are reported,
        not raised; raises DependencyUnavailable when the store cannot be reached."""

    def delete_objects(self, objects: Sequence[StoredObject]) -> DeleteReport:
        """Delete stored objects, in batches: an object with a version id by that version
        (no listing), one without as delete_all_versions does. A key is reported deleted
        only when all its entries are; per-key failures are reported, not raised; raises
        DependencyUnavailable when the store cannot be reached."""


class FaceEngine(Protocol):
    """Detects and compares faces. Similarity is on a 0-100 scale for every engine."""

    name: str

    def check_single_face(self, image: bytes) -> None:
        """The registration quality gate: exactly one face, big and clear enough.
        Raises NoFaceDetected, MultipleFaces, FaceTooSmall, InvalidImage, ImageTooLarge,
        DependencyUnavailable."""

    def compare(self, reference_key: str, capture_key: str, capture: bytes) -> float:
        """Similarity (0-100) of the capture to the stored reference. The capture must hold
        exactly one face. Raises the same errors as check_single_face."""


class UserRepository(Protocol):
    def get(self, user_id: str, *, for_update: bool = False) -> UserRecord | None: ...

    def add_registered(self, user_id: str, reference_key: str, at: datetime) -> UserRecord:
        """Raises AlreadyRegistered when the user exists already."""

    def register_existing(self, pk: int, reference_key: str, at: datetime) -> bool:
        """Give an unregistered (e.g. erased) user a reference; False if it has one already."""

    def replace_reference(self, pk: int, reference_key: str, at: datetime) -> None: ...

    def record_decision(
        self, pk: int, consecutive_failures: int, locked_until: datetime | None
    ) -> None: ...

    def erase(self, pk: int, at: datetime) -> None: ...


class RunRepository(Protocol):
    def add(self, run: NewRun) -> None: ...

    def last_verification(self, user_pk: int) -> LastVerification | None: ...

    def unpurged_image_keys(self, user_pk: int) -> list[str]: ...

    def mark_user_images_purged(self, user_pk: int, at: datetime) -> int: ...

    def mark_image_purged(self, image_key: str, at: datetime) -> None: ...


class UnitOfWork(Protocol):
    """One database transaction: commits on commit(), rolls back otherwise."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def runs(self) -> RunRepository: ...

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
