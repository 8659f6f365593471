"""Retention follows each run's recorded outcome, never today's threshold (issue 9, item 3):
runs recorded at threshold 90, then at 95, each deleted on the day its own result says."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from faceauth.adapters.s3_store import S3ImageStore
from faceauth.db.purge_queue import SqlPurgeQueue
from faceauth.db.session import Database
from faceauth.domain.purge import PurgePolicy, purge_due_images
from faceauth.errors import NoFaceDetected
from faceauth.settings import Settings
from tests.api_client import call_api, image_json
from tests.conftest import object_keys
from tests.images import jpeg
from tests.integration.conftest import Stack, serve


def verify(stack: Stack, similarity: float | None) -> str:
    """A verification decided by the engine's similarity (None: no face); its capture key."""
    stack.engine.similarity = similarity or 0.0
    stack.engine.compare_error = NoFaceDetected() if similarity is None else None
    before = set(object_keys(stack.s3))
    call_api("POST", "/users/alice/verification", json_body=image_json(jpeg()))
    (capture,) = set(object_keys(stack.s3)) - before
    return capture


def test_changing_the_threshold_never_changes_when_a_capture_is_deleted(
    stack: Stack, settings: Settings, database: Database, image_store: S3ImageStore, s3_client: Any
) -> None:
    # Given captures recorded at threshold 90: 92 is a PASS, 85 a FAIL, one without a face
    assert call_api("POST", "/users/alice/registration", json_body=image_json(jpeg())).status == 201
    at_90 = {"92 at 90": verify(stack, 92.0), "85 at 90": verify(stack, 85.0)}
    at_90["no face"] = verify(stack, None)
    # ... and captures recorded after the threshold moved to 95: now 92 is a FAIL
    moved = settings.model_copy(update={"pass_threshold": 95.0})
    stack.engine.compare_error = None
    serve(moved, database, image_store, stack.engine, stack.clock)
    at_95 = {"92 at 95": verify(stack, 92.0), "97 at 95": verify(stack, 97.0)}
    captures = at_90 | at_95
    recorded = stack.clock.now

    # When the daily purge runs for 30 days (the purge does not even know the threshold)
    deleted_on: dict[str, int] = {}
    policy = PurgePolicy.from_days(moved.pass_retention_days, moved.fail_retention_days)
    for day in range(31):
        purge_due_images(
            queue=SqlPurgeQueue(database.engine),
            images=image_store,
            policy=policy,
            now=recorded + timedelta(days=day),
            time_left=lambda: 60_000.0,
        )
        left = set(object_keys(s3_client))
        for name, key in captures.items():
            if key not in left:
                deleted_on.setdefault(name, day)

    # Then each capture went on the day of its recorded result: PASS after 3, FAIL after 28
    assert deleted_on == {
        "92 at 90": 3,
        "85 at 90": 28,
        "no face": 28,
        "92 at 95": 28,
        "97 at 95": 3,
    }
