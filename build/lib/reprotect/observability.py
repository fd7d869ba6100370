"""The one Logger and Metrics of the function; modules log through child loggers of this service."""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics

from reprotect import contract as c

SERVICE = os.environ.get(c.Env.SERVICE_NAME) or c.SERVICE_NAME
NAMESPACE = os.environ.get(c.Env.METRICS_NAMESPACE) or c.METRICS_NAMESPACE


def _level() -> str:
    """The configured level if it is one, else INFO: a bad POWERTOOLS_LOG_LEVEL must not break the
    import; the handler refuses it by name (config.py) before doing anything."""
    level = os.environ.get(c.LOG_LEVEL.env, "").strip().lower()
    return (level if level in c.LOG_LEVEL.choices else str(c.LOG_LEVEL.default)).upper()


# The level passed here wins over the variable, which Powertools would otherwise parse (and fail on).
logger = Logger(service=SERVICE, level=_level())
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
