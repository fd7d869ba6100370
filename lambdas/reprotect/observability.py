"""The one Logger and Metrics of the function; modules log through child loggers of this service."""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME") or "drs-reprotect"
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "DrsReprotect"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
