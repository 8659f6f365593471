"""The purge's input (the schedule's event) and its summary (camelCase, counts only)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from faceauth.domain.purge import DEFAULT_BATCH_SIZE, PurgeReport

# Compared with naive-UTC DATETIME columns: an offset is converted to UTC, then dropped.
NaiveUtc = Annotated[
    datetime,
    AfterValidator(lambda d: d.astimezone(UTC).replace(tzinfo=None) if d.tzinfo else d),
]


class PurgeModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class PurgeRequest(PurgeModel):
    """Optional overrides; a scheduled event (any other keys) runs the real purge."""

    model_config = ConfigDict(extra="ignore")

    dry_run: bool = False
    now: NaiveUtc | None = Field(default=None, description="Decide as of this instant.")
    batch_size: int = Field(default=DEFAULT_BATCH_SIZE, ge=1, le=DEFAULT_BATCH_SIZE)


class PurgeSummary(PurgeModel):
    now: datetime
    dry_run: bool
    deleted_images: int
    deleted_pass: int
    deleted_fail: int
    deleted_superseded_references: int
    deleted_abandoned_uploads: int
    deleted_liveness_sessions: int
    deleted_idempotency_records: int
    failed_keys: int
    skipped_current_references: int
    rows_left: int
    oldest_overdue_age_seconds: float
    stopped_for_time: bool

    @classmethod
    def of(cls, report: PurgeReport) -> PurgeSummary:
        return cls(
            now=report.now,
            dry_run=report.dry_run,
            deleted_images=report.deleted_images,
            deleted_pass=report.deleted_pass,
            deleted_fail=report.deleted_fail,
            deleted_superseded_references=report.deleted_superseded_references,
            deleted_abandoned_uploads=report.deleted_abandoned_uploads,
            deleted_liveness_sessions=report.deleted_liveness_sessions,
            deleted_idempotency_records=report.deleted_idempotency_records,
            failed_keys=report.failed_keys,
            skipped_current_references=report.skipped_current_references,
            rows_left=report.rows_left,
            oldest_overdue_age_seconds=round(report.oldest_overdue_age_seconds, 3),
            stopped_for_time=report.stopped_for_time,
        )
