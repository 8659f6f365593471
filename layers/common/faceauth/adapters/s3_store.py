"""The image store on S3. Deleting removes every version, so a face never lingers as a
noncurrent version in a versioned bucket: by the version id PutObject returned when it is
known (no listing), else by listing the key's versions. Every call retries throttling and
transient transport failures within the caller's deadline (faceauth.adapters.retry)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from faceauth.adapters.retry import RetryPolicy
from faceauth.domain.deadline import Deadline
from faceauth.domain.model import StoredObject
from faceauth.domain.ports import DeleteReport
from faceauth.errors import DependencyUnavailable

DELETE_BATCH = 1000  # the DeleteObjects maximum
_VERSIONING_TTL_SECONDS = 300.0
# AWS answers Deleted for a missing key or version; some S3-compatible stores answer these.
_ALREADY_GONE = frozenset({"NoSuchKey", "NoSuchVersion"})


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class S3ImageStore:
    """Implements the ImageStore port on one bucket."""

    def __init__(self, client: Any, bucket: str, retry: RetryPolicy, list_workers: int = 8) -> None:
        self._s3 = client
        self._bucket = bucket
        self._retry = retry
        # In a versioned bucket each key's versions are listed (one call per key), so the
        # purge lists many keys at once; the client's connection pool must be as large.
        self._list_workers = list_workers
        self._versioning: tuple[float, bool] | None = None

    def put(self, key: str, content: bytes, content_type: str, deadline: Deadline) -> str | None:
        with self._translated_errors():
            answer = self._retry.call(
                "PutObject",
                lambda: self._s3.put_object(
                    Bucket=self._bucket, Key=key, Body=content, ContentType=content_type
                ),
                deadline,
            )
        version_id: str | None = answer.get("VersionId")
        return version_id

    def get(self, key: str, deadline: Deadline) -> bytes:
        with self._translated_errors():
            return self._retry.call(
                "GetObject",
                lambda: bytes(self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read()),
                deadline,
            )

    def copy(
        self, source: StoredObject, key: str, content_type: str, deadline: Deadline
    ) -> str | None:
        copy_source = {"Bucket": self._bucket, "Key": source.key}
        if source.version_id:
            copy_source["VersionId"] = source.version_id
        with self._translated_errors():
            answer = self._retry.call(
                "CopyObject",
                lambda: self._s3.copy_object(
                    Bucket=self._bucket,
                    Key=key,
                    CopySource=copy_source,
                    ContentType=content_type,
                    MetadataDirective="REPLACE",
                ),
                deadline,
            )
        version_id: str | None = answer.get("VersionId")
        return version_id

    def delete_objects(self, objects: Sequence[StoredObject], deadline: Deadline) -> DeleteReport:
        names = list(dict.fromkeys(stored.key for stored in objects))
        if not names:
            return DeleteReport()
        prefixes = [stored.key for stored in dict.fromkeys(objects) if stored.prefix]
        # A key with any entry of unknown version is listed; that covers its known ones too.
        to_list = {s.key for s in objects if s.version_id is None and not s.prefix}
        # Deleting a version is permanent: no delete marker is written.
        entries = [
            {"Key": stored.key, "VersionId": stored.version_id}
            for stored in dict.fromkeys(objects)
            if stored.version_id is not None and stored.key not in to_list and not stored.prefix
        ]
        # Which key or prefix each entry deletes for: failures are reported by that name.
        owner = {name: name for name in names}
        with self._translated_errors():
            if to_list:
                entries += self._entries_to_delete(
                    [name for name in names if name in to_list], deadline
                )
            for prefix in prefixes:
                under = self._entries_under(prefix, deadline)
                owner.update({entry["Key"]: prefix for entry in under})
                entries += under
            failed: set[str] = set()
            for batch in _batches(entries, DELETE_BATCH):
                request = partial(
                    self._s3.delete_objects,
                    Bucket=self._bucket,
                    Delete={"Objects": list(batch), "Quiet": True},
                )
                answer = self._retry.call("DeleteObjects", request, deadline)
                failed.update(
                    owner.get(error["Key"], error["Key"])
                    for error in answer.get("Errors", [])
                    if error.get("Code") not in _ALREADY_GONE
                )
        return DeleteReport(
            deleted=[name for name in names if name not in failed],
            failed=[name for name in names if name in failed],
        )

    # -- internals -----------------------------------------------------------------------

    def _entries_to_delete(self, keys: Sequence[str], deadline: Deadline) -> list[dict[str, str]]:
        """Every version and delete marker of each key if the bucket keeps versions (one
        listing per key), else the plain keys."""
        if self._bucket_keeps_versions(deadline):
            return self._all_versions(keys, deadline)
        return [{"Key": key} for key in keys]

    def _bucket_keeps_versions(self, deadline: Deadline) -> bool:
        now = time.monotonic()
        if self._versioning is None or now - self._versioning[0] > _VERSIONING_TTL_SECONDS:
            status = self._retry.call(
                "GetBucketVersioning",
                lambda: self._s3.get_bucket_versioning(Bucket=self._bucket),
                deadline,
            ).get("Status")
            # Suspended buckets still hold the versions written while it was enabled.
            self._versioning = (now, status in ("Enabled", "Suspended"))
        return self._versioning[1]

    def _all_versions(self, keys: Sequence[str], deadline: Deadline) -> list[dict[str, str]]:
        def versions_of(key: str) -> list[dict[str, str]]:
            return self._retry.call("ListObjectVersions", lambda: self._versions_of(key), deadline)

        with ThreadPoolExecutor(max_workers=self._list_workers) as pool:
            per_key = list(pool.map(versions_of, keys))
        return [entry for entries in per_key for entry in entries]

    def _entries_under(self, prefix: str, deadline: Deadline) -> list[dict[str, str]]:
        """Every version and delete marker (or every object, unversioned) under a prefix."""

        def listing() -> list[dict[str, str]]:
            if self._bucket_keeps_versions(deadline):
                pages = self._s3.get_paginator("list_object_versions").paginate(
                    Bucket=self._bucket, Prefix=prefix
                )
                return [
                    {"Key": item["Key"], "VersionId": item["VersionId"]}
                    for page in pages
                    for item in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
                ]
            pages = self._s3.get_paginator("list_objects_v2").paginate(
                Bucket=self._bucket, Prefix=prefix
            )
            return [{"Key": item["Key"]} for page in pages for item in page.get("Contents", [])]

        return self._retry.call("ListObjectVersions", listing, deadline)

    def _versions_of(self, key: str) -> list[dict[str, str]]:
        entries: list[dict[str, str]] = []
        paginator = self._s3.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self._bucket, Prefix=key):
            for item in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                if item["Key"] == key:
                    entries.append({"Key": key, "VersionId": item["VersionId"]})
        return entries

    def _translated_errors(self) -> _S3Errors:
        return _S3Errors(self._retry.retry_after_seconds)


class _S3Errors:
    """Turns any S3 failure into DependencyUnavailable (never a stack trace to the caller)."""

    def __init__(self, retry_after: float) -> None:
        self._retry_after = retry_after

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if isinstance(exc, ClientError | BotoCoreError):
            raise DependencyUnavailable("image_store", self._retry_after) from exc
