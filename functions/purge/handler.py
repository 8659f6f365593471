"""The daily purge: scheduled event in, one call into the domain, summary and metrics out."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from faceauth import bootstrap
from faceauth.domain.purge import PurgeReport, purge_due_images
from faceauth.observability import add_dimensioned_metric, logger, metrics, tracer
from faceauth.settings import get_settings
from purge.models import PurgeRequest, PurgeSummary

# Time kept back from the Lambda timeout for the backlog count, the metrics flush and return.
SAFETY_MARGIN_MS = 20_000


@cache
def dependencies() -> bootstrap.PurgeDependencies:
    """The container's dependencies, built on first use (tests call cache_clear)."""
    return bootstrap.purge_dependencies(get_settings())


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = PurgeRequest.model_validate(event)
    deps = dependencies()
    report = purge_due_images(
        queue=deps.queue,
        images=deps.images,
        policy=deps.policy,
        now=request.now,
        batch_size=request.batch_size,
        dry_run=request.dry_run,
        time_left=lambda: context.get_remaining_time_in_millis() - SAFETY_MARGIN_MS,
    )
    summary = PurgeSummary.of(report)
    logger.info("purge finished", extra={"summary": summary.model_dump(mode="json")})
    if report.failed_keys:
        logger.warning("images not deleted; retried next run", extra={"count": report.failed_keys})
    if report.skipped_current_references:
        # The queue offered a current reference: a bug or a race to look into, never a delete.
        logger.error(
            "current references kept out of the purge",
            extra={"count": report.skipped_current_references},
        )
    _publish(report)
    return summary.model_dump(mode="json", by_alias=True)


def _publish(report: PurgeReport) -> None:
    """EMF metrics of the run; a dry run changed nothing and only counts itself."""
    if report.dry_run:
        metrics.add_metric(name="PurgeDryRuns", unit=MetricUnit.Count, value=1)
        return
    metrics.add_metric(name="PurgeRuns", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="PurgeErrors", unit=MetricUnit.Count, value=report.failed_keys)
    metrics.add_metric(name="PurgeRowsLeft", unit=MetricUnit.Count, value=report.rows_left)
    metrics.add_metric(
        name="PurgeLagSeconds", unit=MetricUnit.Seconds, value=report.oldest_overdue_age_seconds
    )
    metrics.add_metric(
        name="PurgedReferences",
        unit=MetricUnit.Count,
        value=report.deleted_superseded_references,
    )
    metrics.add_metric(
        name="PurgedAbandonedUploads", unit=MetricUnit.Count, value=report.deleted_abandoned_uploads
    )
    metrics.add_metric(
        name="PurgedLivenessSessions", unit=MetricUnit.Count, value=report.deleted_liveness_sessions
    )
    for result, count in (("PASS", report.deleted_pass), ("FAIL", report.deleted_fail)):
        add_dimensioned_metric("PurgedImages", count, MetricUnit.Count, Result=result)
