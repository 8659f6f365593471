"""S3ImageStore on moto S3: the version ids it returns and deleting by them."""

from __future__ import annotations

from typing import Any

from faceauth.adapters.s3_store import S3ImageStore
from faceauth.domain.deadline import UNLIMITED
from faceauth.domain.model import StoredObject
from tests.conftest import BUCKET, counted_calls, object_keys, version_ids

ROOMY = UNLIMITED  # no deadline: these tests are about other limits


def _versioned(s3: Any) -> None:
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})


def test_given_a_versioned_bucket_when_an_image_is_put_then_its_version_id_is_returned(
    s3_client: Any, image_store: S3ImageStore
) -> None:
    # Given a versioned bucket
    _versioned(s3_client)
    # When an image is put
    version_id = image_store.put("captures/a.jpg", b"face", "image/jpeg", ROOMY)
    # Then the store answers the version S3 gave it
    assert version_id is not None
    assert version_ids(s3_client, "captures/a.jpg") == [version_id]


def test_given_an_unversioned_bucket_when_an_image_is_put_then_no_version_id_is_returned(
    image_store: S3ImageStore,
) -> None:
    assert image_store.put("captures/a.jpg", b"face", "image/jpeg", ROOMY) is None


def test_given_recorded_versions_when_deleted_then_they_are_gone_without_listing_or_markers(
    s3_client: Any, image_store: S3ImageStore
) -> None:
    # Given two images in a versioned bucket, their versions known
    _versioned(s3_client)
    stored = [
        StoredObject(key, image_store.put(key, b"face", "image/jpeg", ROOMY))
        for key in ("captures/a.jpg", "captures/b.jpg")
    ]
    # When they are deleted by version
    with counted_calls(s3_client, "ListObjectVersions") as listings:
        report = image_store.delete_objects(stored, ROOMY)
    # Then both are reported deleted, nothing was listed, and no delete marker is left
    assert (report.deleted, report.failed) == (["captures/a.jpg", "captures/b.jpg"], [])
    assert listings == []
    assert object_keys(s3_client) == []


def test_given_a_recorded_version_that_is_already_gone_when_deleted_then_the_key_counts_as_gone(
    s3_client: Any, image_store: S3ImageStore
) -> None:
    # Given an image whose recorded version was deleted already
    _versioned(s3_client)
    version_id = image_store.put("captures/a.jpg", b"face", "image/jpeg", ROOMY)
    assert version_id is not None
    s3_client.delete_object(Bucket=BUCKET, Key="captures/a.jpg", VersionId=version_id)
    # When it is deleted by that version again
    report = image_store.delete_objects([StoredObject("captures/a.jpg", version_id)], ROOMY)
    # Then it counts as deleted (S3 answers Deleted for a missing version)
    assert (report.deleted, report.failed) == (["captures/a.jpg"], [])


def test_given_a_key_named_with_and_without_a_version_when_deleted_then_every_version_is_gone(
    s3_client: Any, image_store: S3ImageStore
) -> None:
    # Given a key with two versions, one of them recorded
    _versioned(s3_client)
    first = image_store.put("captures/a.jpg", b"first", "image/jpeg", ROOMY)
    image_store.put("captures/a.jpg", b"second", "image/jpeg", ROOMY)
    # When it is deleted once by version and once without one
    report = image_store.delete_objects(
        [StoredObject("captures/a.jpg", first), StoredObject("captures/a.jpg")], ROOMY
    )
    # Then the entry without a version lists the key, so no version survives
    assert report.deleted == ["captures/a.jpg"]
    assert object_keys(s3_client) == []
