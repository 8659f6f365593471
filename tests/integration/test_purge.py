"""The purge against the real MariaDB and moto S3: what is deleted, when, and what never is."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert, select, text

from faceauth import bootstrap
from faceauth.adapters.retry import RetryPolicy
from faceauth.adapters.s3_store import S3ImageStore
from faceauth.db import migrate
from faceauth.db.models import Run, User
from faceauth.db.purge_queue import SqlPurgeQueue
from faceauth.db.session import Database
from faceauth.domain.model import Decision, RunKind
from faceauth.domain.purge import PurgePolicy, PurgeReport, purge_due_images
from faceauth.settings import Settings
from purge import handler
from tests.conftest import BUCKET, counted_calls, object_keys, version_ids

NOW = datetime(2026, 11, 26, 12, 0, 0)
POLICY = PurgePolicy.from_days(pass_days=3, fail_days=28)
THRESHOLD = 90.0  # what the compare API decided these runs at
EVENTS = Path(__file__).resolve().parents[1] / "events"
MICROSECOND = timedelta(microseconds=1)


# -- the world the purge runs in -----------------------------------------------------------


class World:
    """Users, runs and their objects, written straight into MariaDB and moto S3."""

    def __init__(self, database: Database, s3: Any) -> None:
        self.engine = database.engine
        self.s3 = s3
        self.queue = SqlPurgeQueue(database.engine)

    def user(self, reference_key: str | None = None) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(User).values(
                    external_id=f"user-{uuid.uuid4().hex[:12]}",
                    reference_key=reference_key,
                    registered_at=NOW - timedelta(days=400) if reference_key else None,
                    consecutive_failures=0,
                    created_at=NOW - timedelta(days=400),
                )
            )
            return int(result.inserted_primary_key[0])

    def capture(
        self,
        age: timedelta,
        similarity: float | None,
        *,
        error_code: str | None = None,
        stored: bool = True,
        user_pk: int | None = None,
        key: str | None = None,
        record_version: bool = False,
    ) -> int:
        """A verification run `age` before NOW, with its capture in S3 unless not stored;
        with record_version, the row holds the version id PutObject returned (as the API
        writes rows now; without it, as rows written before versions were recorded)."""
        key = key or f"captures/{uuid.uuid4()}.jpg"
        result = None
        if similarity is not None:
            result = Decision.of(similarity, THRESHOLD)
        return self._run(
            RunKind.VERIFICATION,
            key,
            NOW - age,
            user_pk,
            stored,
            record_version,
            similarity=similarity,
            threshold=THRESHOLD,
            result=result.value if result else None,
            error_code=error_code,
        )

    def registration(self, user_pk: int, key: str, age: timedelta) -> int:
        return self._run(
            RunKind.REGISTRATION, key, NOW - age, user_pk, stored=True, record_version=False
        )

    def _run(
        self,
        kind: RunKind,
        key: str,
        created_at: datetime,
        user_pk: int | None,
        stored: bool,
        record_version: bool,
        **columns: Any,
    ) -> int:
        if stored:
            answer = self.s3.put_object(Bucket=BUCKET, Key=key, Body=b"\xff\xd8 face \xff\xd9")
            if record_version:
                columns["image_version_id"] = answer["VersionId"]
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(Run).values(
                    run_id=str(uuid.uuid4()),
                    user_pk=user_pk or self._default_user(),
                    kind=kind.value,
                    image_key=key,
                    created_at=created_at,
                    **columns,
                )
            )
            return int(result.inserted_primary_key[0])

    def _default_user(self) -> int:
        if not hasattr(self, "_user_pk"):
            self._user_pk = self.user()
        return self._user_pk

    def key_of(self, run_pk: int) -> str:
        with self.engine.connect() as conn:
            return str(conn.scalar(select(Run.image_key).where(Run.id == run_pk)))

    def purged_at(self, run_pk: int) -> datetime | None:
        with self.engine.connect() as conn:
            value: datetime | None = conn.scalar(select(Run.purged_at).where(Run.id == run_pk))
            return value

    def stored(self, run_pk: int) -> bool:
        return self.key_of(run_pk) in object_keys(self.s3)

    def gone(self, run_pk: int) -> bool:
        """Its object and every version of it is deleted, and its row is stamped."""
        return not self.stored(run_pk) and self.purged_at(run_pk) is not None

    def untouched(self, run_pk: int) -> bool:
        return self.stored(run_pk) and self.purged_at(run_pk) is None

    def purge(
        self,
        *,
        images: Any = None,
        queue: Any = None,
        policy: PurgePolicy = POLICY,
        now: datetime | None = NOW,
        time_left: Callable[[], float] = lambda: 60_000.0,
        **options: Any,
    ) -> PurgeReport:
        return purge_due_images(
            queue=queue or self.queue,
            images=images or store(self.s3),
            policy=policy,
            now=now,
            time_left=time_left,
            **options,
        )


def store(client: Any) -> S3ImageStore:
    return S3ImageStore(client, BUCKET, RetryPolicy("image_store", attempt_seconds=7.0))


@pytest.fixture
def world(database: Database, s3_client: Any) -> World:
    return World(database, s3_client)


class FlakyS3:
    """The real (moto) S3 client, but DeleteObjects reports the given keys as per-key
    errors, as S3 does for InternalError or SlowDown; the other keys are really deleted."""

    def __init__(self, client: Any, failing: Sequence[str] = ()) -> None:
        self._client = client
        self.failing = set(failing)
        self.delete_calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def delete_objects(self, **kwargs: Any) -> dict[str, Any]:
        self.delete_calls += 1
        objects = kwargs["Delete"]["Objects"]
        healthy = [entry for entry in objects if entry["Key"] not in self.failing]
        answer: dict[str, Any] = {}
        if healthy:
            answer = self._client.delete_objects(
                Bucket=kwargs["Bucket"], Delete={**kwargs["Delete"], "Objects": healthy}
            )
        errors = [
            {"Key": entry["Key"], "Code": "InternalError", "Message": "Please try again."}
            for entry in objects
            if entry["Key"] in self.failing
        ]
        return {**answer, "Errors": [*answer.get("Errors", []), *errors]}


class CrashBeforeStamp:
    """The real queue, but the process dies after the delete and before the stamp."""

    def __init__(self, queue: SqlPurgeQueue) -> None:
        self._queue = queue

    def __getattr__(self, name: str) -> Any:
        return getattr(self._queue, name)

    def mark_purged(self, run_pks: Sequence[int], at: datetime) -> int:
        raise SystemExit("Lambda timed out")


# -- PASS and FAIL -------------------------------------------------------------------------


def test_given_a_pass_exactly_at_the_threshold_when_its_pass_retention_is_over_then_it_is_deleted(
    world: World,
) -> None:
    run = world.capture(timedelta(days=3, hours=1), similarity=90.0)

    report = world.purge()

    assert world.gone(run)
    assert (report.deleted_pass, report.deleted_fail) == (1, 0)


def test_given_a_fail_just_below_the_threshold_when_only_the_pass_retention_is_over_then_it_is_kept(
    world: World,
) -> None:
    run = world.capture(timedelta(days=27), similarity=89.99)

    report = world.purge()

    assert world.untouched(run)
    assert report.deleted_images == 0


def test_given_a_fail_past_its_fail_retention_when_purged_then_it_is_deleted_as_fail(
    world: World,
) -> None:
    run = world.capture(timedelta(days=30), similarity=12.5)

    report = world.purge()

    assert world.gone(run)
    assert (report.deleted_pass, report.deleted_fail) == (0, 1)


# -- the retention boundary: due when created_at <= now - retention -------------------------


def test_given_a_pass_exactly_as_old_as_the_pass_retention_when_purged_then_it_is_deleted(
    world: World,
) -> None:
    run = world.capture(timedelta(days=3), similarity=95.0)

    world.purge()

    assert world.gone(run)


def test_given_a_pass_a_microsecond_younger_than_the_pass_retention_when_purged_then_it_is_kept(
    world: World,
) -> None:
    run = world.capture(timedelta(days=3) - MICROSECOND, similarity=95.0)

    world.purge()

    assert world.untouched(run)


def test_given_a_fail_exactly_as_old_as_the_fail_retention_when_purged_then_it_is_deleted(
    world: World,
) -> None:
    run = world.capture(timedelta(days=28), similarity=40.0)

    world.purge()

    assert world.gone(run)


def test_given_a_fail_a_microsecond_younger_than_the_fail_retention_when_purged_then_it_is_kept(
    world: World,
) -> None:
    run = world.capture(timedelta(days=28) - MICROSECOND, similarity=40.0)

    world.purge()

    assert world.untouched(run)


# -- error runs follow the FAIL retention ---------------------------------------------------


def test_given_an_error_run_past_the_pass_retention_when_purged_then_it_is_kept(
    world: World,
) -> None:
    run = world.capture(timedelta(days=10), similarity=None, error_code="NO_FACE_DETECTED")

    world.purge()

    assert world.untouched(run)


def test_given_an_error_run_past_the_fail_retention_when_purged_then_it_is_deleted_as_fail(
    world: World,
) -> None:
    run = world.capture(timedelta(days=28), similarity=None, error_code="MULTIPLE_FACES")

    report = world.purge()

    assert world.gone(run)
    assert report.deleted_fail == 1


# -- references -----------------------------------------------------------------------------


def test_given_a_current_reference_years_old_when_purged_then_it_is_untouched(
    world: World,
) -> None:
    key = "references/current.jpg"
    run = world.registration(world.user(reference_key=key), key, timedelta(days=900))

    report = world.purge()

    assert world.untouched(run)
    assert report.deleted_images == 0


def test_given_a_reference_that_re_enrolment_could_not_delete_when_purged_then_it_is_deleted(
    world: World,
) -> None:
    user = world.user(reference_key="references/new.jpg")
    old = world.registration(user, "references/old.jpg", timedelta(days=40))
    new = world.registration(user, "references/new.jpg", timedelta(hours=1))

    report = world.purge()

    assert world.gone(old)
    assert world.untouched(new)
    assert report.deleted_superseded_references == 1


def test_given_a_capture_row_naming_a_current_reference_when_purged_then_the_reference_stays(
    world: World,
) -> None:
    # Cannot happen through the API (keys are per run); the purge refuses all the same.
    world.user(reference_key="references/someone.jpg")
    run = world.capture(timedelta(days=40), similarity=10.0, key="references/someone.jpg")

    report = world.purge()

    assert world.untouched(run)
    assert (report.deleted_images, report.skipped_current_references) == (0, 1)


# -- deleting for real ----------------------------------------------------------------------


def test_given_captures_whose_objects_are_already_gone_when_purged_then_their_rows_are_stamped(
    world: World,
) -> None:
    runs = [world.capture(timedelta(days=5), similarity=99.0, stored=False) for _ in range(3)]

    report = world.purge()

    assert all(world.gone(run) for run in runs)
    assert (report.deleted_pass, report.failed_keys) == (3, 0)


def test_given_a_versioned_bucket_and_an_old_row_when_purged_then_every_version_and_marker_is_gone(
    world: World,
) -> None:
    world.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    run = world.capture(timedelta(days=5), similarity=99.0)
    key = world.key_of(run)
    world.s3.put_object(Bucket=BUCKET, Key=key, Body=b"second version")
    world.s3.delete_object(Bucket=BUCKET, Key=key)  # a plain delete: only a marker
    world.s3.put_object(Bucket=BUCKET, Key=key, Body=b"third version")

    world.purge()

    assert object_keys(world.s3, prefix=key) == []
    assert world.purged_at(run) is not None


def test_given_a_versioned_bucket_and_recorded_versions_when_purged_then_all_go_without_listing(
    world: World,
) -> None:
    # Given captures whose rows hold the version id PutObject returned
    world.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    captures = [
        world.capture(timedelta(days=5), similarity=99.0, record_version=True) for _ in range(3)
    ]
    # When the purge runs
    with counted_calls(world.s3, "ListObjectVersions") as listings:
        report = world.purge()
    # Then every version is gone, every row stamped, and no key was listed
    assert all(world.gone(run) for run in captures)
    assert listings == []
    assert (report.deleted_pass, report.failed_keys) == (3, 0)


def test_given_a_versioned_bucket_with_old_and_new_rows_when_purged_then_only_old_keys_are_listed(
    world: World,
) -> None:
    # Given rows with a recorded version and rows written before versions were recorded
    world.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    new = [world.capture(timedelta(days=5), 99.0, record_version=True) for _ in range(2)]
    old = [world.capture(timedelta(days=40), 42.0) for _ in range(2)]
    # When the purge runs
    with counted_calls(world.s3, "ListObjectVersions") as listings:
        world.purge()
    # Then all of them are fully deleted, and only the old rows' keys were listed
    assert all(world.gone(run) for run in [*new, *old])
    assert sorted(call["Prefix"] for call in listings) == sorted(world.key_of(r) for r in old)


def test_given_a_recorded_version_already_deleted_when_purged_then_its_row_is_stamped(
    world: World,
) -> None:
    # Given a row whose recorded version someone already deleted
    world.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    run = world.capture(timedelta(days=5), similarity=99.0, record_version=True)
    [version_id] = version_ids(world.s3, world.key_of(run))
    world.s3.delete_object(Bucket=BUCKET, Key=world.key_of(run), VersionId=version_id)
    # When the purge runs
    report = world.purge()
    # Then the missing version counts as gone and the row is stamped
    assert world.gone(run)
    assert (report.deleted_pass, report.failed_keys) == (1, 0)


def test_given_delete_objects_reports_per_key_errors_when_purged_then_those_rows_stay_unpurged(
    world: World,
) -> None:
    runs = [world.capture(timedelta(days=5), similarity=99.0) for _ in range(4)]
    flaky = FlakyS3(world.s3, failing=[world.key_of(runs[1]), world.key_of(runs[3])])

    report = world.purge(images=store(flaky))

    assert [world.gone(run) for run in runs] == [True, False, True, False]
    assert [world.untouched(run) for run in runs] == [False, True, False, True]
    assert (report.deleted_pass, report.failed_keys, report.rows_left) == (2, 2, 2)


def test_given_keys_that_failed_to_delete_when_the_next_run_comes_then_they_are_deleted(
    world: World,
) -> None:
    runs = [world.capture(timedelta(days=5), similarity=99.0) for _ in range(3)]
    world.purge(images=store(FlakyS3(world.s3, [world.key_of(runs[0])])))

    report = world.purge()

    assert all(world.gone(run) for run in runs)
    assert (report.deleted_pass, report.failed_keys, report.rows_left) == (1, 0, 0)


def test_given_a_crash_between_delete_and_stamp_when_rerun_then_every_row_ends_purged(
    world: World,
) -> None:
    runs = [world.capture(timedelta(days=5), similarity=99.0) for _ in range(3)]
    with pytest.raises(SystemExit):
        world.purge(queue=CrashBeforeStamp(world.queue))
    assert all(not world.stored(run) and world.purged_at(run) is None for run in runs)

    report = world.purge()

    assert all(world.gone(run) for run in runs)
    assert (report.deleted_pass, report.failed_keys, report.rows_left) == (3, 0, 0)


def test_given_a_purged_run_when_purged_again_then_nothing_is_deleted_or_restamped(
    world: World,
) -> None:
    run = world.capture(timedelta(days=5), similarity=99.0)
    world.purge()
    first_stamp = world.purged_at(run)

    report = world.purge(now=NOW + timedelta(days=1))

    assert report.deleted_images == 0
    assert world.purged_at(run) == first_stamp


# -- time budget, backlog and lag -----------------------------------------------------------


def test_given_too_little_time_for_every_batch_when_purged_then_it_stops_and_reports_rows_left(
    world: World,
) -> None:
    runs = [world.capture(timedelta(days=5, minutes=i), similarity=99.0) for i in range(5)]
    time_left = iter([60_000.0, 60_000.0, 0.0])

    report = world.purge(batch_size=2, time_left=lambda: next(time_left, 0.0))

    assert report.stopped_for_time
    assert (report.deleted_pass, report.rows_left) == (4, 1)
    assert sum(world.gone(run) for run in runs) == 4


def test_given_a_run_stopped_for_time_when_the_next_run_comes_then_it_carries_on(
    world: World,
) -> None:
    runs = [world.capture(timedelta(days=5, minutes=i), similarity=99.0) for i in range(5)]
    time_left = iter([60_000.0, 0.0])
    world.purge(batch_size=2, time_left=lambda: next(time_left, 0.0))

    report = world.purge(batch_size=2)

    assert not report.stopped_for_time
    assert (report.deleted_pass, report.rows_left) == (3, 0)
    assert all(world.gone(run) for run in runs)


def test_given_images_left_overdue_when_purged_then_the_lag_is_how_long_the_oldest_is_overdue(
    world: World,
) -> None:
    stuck = world.capture(timedelta(days=5), similarity=99.0)  # due for 2 days
    world.capture(timedelta(days=29), similarity=1.0)  # due for 1 day, deleted
    flaky = FlakyS3(world.s3, failing=[world.key_of(stuck)])

    report = world.purge(images=store(flaky))

    assert report.rows_left == 1
    assert report.oldest_overdue_age_seconds == timedelta(days=2).total_seconds()


def test_given_nothing_overdue_when_purged_then_rows_left_and_lag_are_zero(world: World) -> None:
    world.capture(timedelta(days=1), similarity=99.0)
    world.capture(timedelta(days=10), similarity=10.0)

    report = world.purge()

    assert (report.rows_left, report.oldest_overdue_age_seconds) == (0, 0.0)


def test_given_no_explicit_now_when_purged_then_the_database_clock_decides(world: World) -> None:
    utc_now = datetime.now(UTC).replace(tzinfo=None)
    due = world.capture(NOW - utc_now + timedelta(days=3, minutes=5), similarity=99.0)
    young = world.capture(NOW - utc_now + timedelta(days=3, minutes=-5), similarity=99.0)

    report = world.purge(now=None)

    assert world.gone(due)
    assert world.untouched(young)
    assert abs(report.now - utc_now) < timedelta(minutes=1)


# -- dry run --------------------------------------------------------------------------------


def test_given_due_images_when_dry_run_then_nothing_is_deleted_or_stamped(world: World) -> None:
    user = world.user(reference_key="references/new.jpg")
    runs = [
        world.capture(timedelta(days=5), similarity=99.0),
        world.capture(timedelta(days=40), similarity=None, error_code="NO_FACE_DETECTED"),
        world.registration(user, "references/old.jpg", timedelta(days=40)),
    ]
    spy = FlakyS3(world.s3)

    report = world.purge(images=store(spy), dry_run=True)

    assert all(world.untouched(run) for run in runs)
    assert spy.delete_calls == 0
    assert report.dry_run
    assert (report.deleted_pass, report.deleted_fail, report.deleted_superseded_references) == (
        1,
        1,
        1,
    )
    assert report.rows_left == 3


# -- the queries use the index (MariaDB) ----------------------------------------------------


def _plan(engine: Engine, sql: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        plan = json.loads(conn.execute(text(f"EXPLAIN FORMAT=JSON {sql}")).scalar_one())
    tables: list[dict[str, Any]] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            if "table_name" in node:
                tables.append(node)
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(plan)
    return tables


@pytest.fixture
def captured_sql(world: World) -> Iterator[list[str]]:
    """The SELECTs the queue sends, with their parameters inlined."""
    statements: list[str] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM runs" in statement:
            statements.append(cursor.mogrify(statement, params))

    event.listen(world.engine, "before_cursor_execute", capture)
    yield statements
    event.remove(world.engine, "before_cursor_execute", capture)


def test_given_many_runs_when_the_purge_pages_then_it_walks_ix_runs_purge_queue_without_sorting(
    world: World, captured_sql: list[str]
) -> None:
    user = world.user(reference_key="references/r0.jpg")
    for i in range(30):
        world.capture(timedelta(days=30, minutes=i), similarity=99.0, stored=False)
        world.registration(user, f"references/r{i}.jpg", timedelta(days=50, minutes=i))
    with world.engine.begin() as conn:
        conn.execute(text("ANALYZE TABLE runs, users"))
    queue = world.queue
    queue.due_captures(POLICY, NOW, None, 10)
    page = queue.due_captures(POLICY, NOW, None, 10)
    queue.due_captures(POLICY, NOW, page[-1].position, 10)
    queue.superseded_references(None, 10)
    queue.current_reference_keys(["references/r0.jpg"])

    assert len(captured_sql) == 4
    for sql in captured_sql:
        plan = _plan(world.engine, sql)
        # runs comes first (users, if joined, is looked up by primary key), read in index order
        assert (plan[0]["table_name"], plan[0]["key"]) == ("runs", "ix_runs_purge_queue"), sql
        assert all(table["key"] == "PRIMARY" for table in plan[1:]), sql
        assert "filesort" not in json.dumps(plan), sql
    guard = "SELECT reference_key FROM users WHERE reference_key IN ('references/r0.jpg')"
    assert _plan(world.engine, guard)[0]["key"] == "ix_users_reference_key"


def test_given_the_schema_at_head_when_downgraded_one_step_and_upgraded_then_it_round_trips(
    db_engine: Engine,
) -> None:
    migrate.downgrade(db_engine, "0001")
    migrate.upgrade(db_engine)

    with db_engine.connect() as conn:
        indexes = conn.execute(text("SHOW INDEX FROM users")).mappings().all()
    assert "ix_users_reference_key" in {row["Key_name"] for row in indexes}


# -- the Lambda handler ---------------------------------------------------------------------


class FakeLambdaContext:
    function_name = "faceauth-dev-purge"
    function_version = "$LATEST"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:faceauth-dev-purge"
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"

    def __init__(self, remaining_ms: int = 900_000) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def purge_handler(world: World, db_engine: Engine) -> Iterator[None]:
    settings = Settings(
        database_url=db_engine.url.render_as_string(hide_password=False), images_bucket=BUCKET
    )
    dependencies = bootstrap.purge_dependencies(settings)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(handler, "dependencies", lambda: dependencies)
        yield


def _emf(output: str) -> list[dict[str, Any]]:
    blobs = []
    for line in output.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            blobs.append(json.loads(line))
    return blobs


def _metric(blobs: list[dict[str, Any]], name: str, **dimensions: str) -> float:
    for blob in blobs:
        directive = blob["_aws"]["CloudWatchMetrics"][0]
        names = {metric["Name"] for metric in directive["Metrics"]}
        if name in names and all(blob.get(k) == v for k, v in dimensions.items()):
            assert directive["Namespace"] == "FaceAuth"
            value = blob[name]
            return float(sum(value) if isinstance(value, list) else value)
    raise AssertionError(f"no {name} {dimensions} in {blobs}")


def test_given_the_scheduled_event_when_the_handler_runs_then_it_returns_the_summary_and_emf(
    world: World, purge_handler: None, capsys: pytest.CaptureFixture[str]
) -> None:
    utc_now = datetime.now(UTC).replace(tzinfo=None)
    shift = NOW - utc_now  # World ages runs from NOW; the handler decides by the DB clock
    world.capture(shift + timedelta(days=4), similarity=97.0)
    world.capture(shift + timedelta(days=29), similarity=20.0)
    world.capture(shift + timedelta(days=29), similarity=None, error_code="NO_FACE_DETECTED")
    world.capture(shift + timedelta(days=1), similarity=97.0)
    event = json.loads((EVENTS / "purge_scheduled.json").read_text())

    summary = handler.lambda_handler(event, FakeLambdaContext())

    assert summary["dryRun"] is False
    assert (summary["deletedPass"], summary["deletedFail"], summary["deletedImages"]) == (1, 2, 3)
    assert (summary["failedKeys"], summary["rowsLeft"], summary["stoppedForTime"]) == (0, 0, False)
    assert summary["oldestOverdueAgeSeconds"] == 0
    blobs = _emf(capsys.readouterr().out)
    assert _metric(blobs, "PurgeRuns") == 1
    assert _metric(blobs, "PurgedImages", Result="PASS") == 1
    assert _metric(blobs, "PurgedImages", Result="FAIL") == 2
    assert _metric(blobs, "PurgeErrors") == 0
    assert _metric(blobs, "PurgeRowsLeft") == 0
    assert _metric(blobs, "PurgeLagSeconds") == 0


def test_given_a_dry_run_input_when_the_handler_runs_then_it_reports_and_publishes_no_purge_metrics(
    world: World, purge_handler: None, capsys: pytest.CaptureFixture[str]
) -> None:
    run = world.capture(timedelta(days=4), similarity=97.0)

    summary = handler.lambda_handler(
        {"dryRun": True, "now": "2026-11-26T12:00:00Z", "batchSize": 500}, FakeLambdaContext()
    )

    assert (summary["dryRun"], summary["deletedPass"], summary["rowsLeft"]) == (True, 1, 1)
    assert summary["now"] == "2026-11-26T12:00:00"
    assert world.untouched(run)
    blobs = _emf(capsys.readouterr().out)
    assert _metric(blobs, "PurgeDryRuns") == 1
    published = {m["Name"] for b in blobs for m in b["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert published == {"PurgeDryRuns"}


def test_given_a_purge_run_when_it_logs_then_no_image_key_or_user_id_is_in_the_logs(
    world: World, purge_handler: None, capsys: pytest.CaptureFixture[str]
) -> None:
    user = world.user(reference_key="references/new.jpg")
    world.registration(user, "references/old.jpg", timedelta(days=40))
    run = world.capture(timedelta(days=40), similarity=1.0, user_pk=user)

    handler.lambda_handler({"now": "2026-11-26T12:00:00"}, FakeLambdaContext())

    output = capsys.readouterr()
    logged = output.out + output.err
    assert world.key_of(run) not in logged
    assert "references/old.jpg" not in logged
    assert "user-" not in logged
