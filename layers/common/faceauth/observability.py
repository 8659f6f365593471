"""The shared Logger, Tracer and Metrics. Handlers use them; domain code does not.

Service name and namespace come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE,
set per function by Terraform (namespace default "FaceAuth").
"""

from __future__ import annotations

import hashlib
import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "FaceAuth")
SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "faceauth")

logger = Logger(service=SERVICE)
# Trace AWS calls and SQL only: patching every supported library costs cold-start time.
tracer = Tracer(service=SERVICE, patch_modules=("botocore", "pymysql"))
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def user_ref(user_id: str) -> str:
    """A short, stable pseudonym for log correlation: raw user ids never reach the logs."""
    return hashlib.sha256(user_id.encode()).hexdigest()[:12]


def add_dimensioned_metric(name: str, value: float, unit: MetricUnit, **dimensions: str) -> None:
    """Emit one metric with its own dimensions (plus `service`), flushed at once as EMF,
    so the dimensions do not leak onto the other metrics of the invocation."""
    with single_metric(name=name, unit=unit, value=value, namespace=NAMESPACE) as metric:
        metric.add_dimension(name="service", value=SERVICE)
        for key, val in dimensions.items():
            metric.add_dimension(name=key, value=val)
