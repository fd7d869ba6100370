"""Names shared by the constructs, the tests and the Lambda contract. One place, no getters."""

from __future__ import annotations

# --- The Lambda (contract with lambdas/reprotect) -------------------------------------------------
HANDLER = "reprotect.handler.lambda_handler"
CODE_DIRECTORY = "lambdas"  # relative to the repository root
# Kept out of the asset: caches and anything that is not runtime code.
CODE_EXCLUDES = (
    "**/__pycache__",
    "**/*.pyc",
    "**/.pytest_cache",
    "**/.mypy_cache",
    "**/.ruff_cache",
    "**/tests",
    "**/test_*.py",
    "requirements*.txt",
    "*.md",
)
SERVICE_NAME = "drs-reprotect"
METRICS_NAMESPACE = "DrsReprotect"
LOG_LEVEL = "INFO"

# Official Powertools layer, resolved by CloudFormation at deploy time from AWS's public SSM parameter,
# so synth stays offline. Pinned to the version in lambdas/requirements.txt.
POWERTOOLS_VERSION = "3.37.0"
POWERTOOLS_LAYER_PARAMETER = f"/aws/service/powertools/python/arm64/python3.14/{POWERTOOLS_VERSION}"

# Environment variables the engine reads.
ENV_OUTCOME_TOPIC_ARN = "OUTCOME_TOPIC_ARN"
ENV_IDEMPOTENCY_TABLE_NAME = "IDEMPOTENCY_TABLE_NAME"
ENV_DRY_RUN = "DRY_RUN"
ENV_EXCLUDE_TAG = "EXCLUDE_TAG"
ENV_INCLUDE_TAG = "INCLUDE_TAG"
ENV_MAX_STARTS_PER_RUN = "MAX_STARTS_PER_RUN"
ENV_RESTART_COOLDOWN_SECONDS = "RESTART_COOLDOWN_SECONDS"
ENV_MAX_CONCURRENCY = "MAX_CONCURRENCY"
ENV_NOTIFY_WHEN_IDLE = "NOTIFY_WHEN_IDLE"
ENV_RETRY_MODE = "AWS_RETRY_MODE"

# --- Metrics the engine emits (EMF, namespace METRICS_NAMESPACE, dimension service=SERVICE_NAME) ---
METRIC_DIMENSIONS = {"service": SERVICE_NAME}
METRIC_SERVERS_STARTED = "ServersStarted"
METRIC_SERVERS_WOULD_START = "ServersWouldStart"
METRIC_SERVERS_SKIPPED = "ServersSkipped"
METRIC_SERVERS_FAILED = "ServersFailed"
METRIC_SERVERS_DEFERRED = "ServersDeferred"
METRIC_SERVERS_NEEDING_ATTENTION = "ServersNeedingAttention"
METRIC_RUN_FAILED = "RunFailed"
METRIC_RUN_DURATION = "RunDuration"

# --- Idempotency table (contract with Powertools idempotency) -------------------------------------
IDEMPOTENCY_PARTITION_KEY = "id"
IDEMPOTENCY_TTL_ATTRIBUTE = "expiration"

# --- Events ----------------------------------------------------------------------------------------
SCHEDULE_SOURCE = "drs-reprotect.schedule"
ALARM_EVENT_SOURCE = "aws.cloudwatch"
ALARM_EVENT_DETAIL_TYPE = "CloudWatch Alarm State Change"
ALARM_STATE = "ALARM"
DRS_EVENT_SOURCE = "aws.drs"
DRS_EVENT_DETAIL_TYPES = ("DRS Source Server Data Replication Stalled Change",)

# The tool's own alarms use this prefix. Settings are validated so that the alarm rule can never match
# it: otherwise an alarm about the tool failing would trigger yet another sweep.
OWN_ALARM_NAME_PREFIX = "reprotect-tool-"

# --- DRS IAM (Service Authorization Reference: DescribeSourceServers has no resource type) --------
DRS_DESCRIBE_ACTIONS = ("drs:DescribeSourceServers",)
DRS_START_ACTION = "drs:StartReplication"
DRS_SOURCE_SERVER_RESOURCE = "source-server/*"

# --- Idempotency table item actions the engine uses ------------------------------------------------
TABLE_ITEM_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchGetItem",
)

# --- Context keys (cdk.json / `cdk synth -c`) ------------------------------------------------------
CONTEXT_SETTINGS = "settings"
CONTEXT_ENVIRONMENTS = "environments"
STACK_NAME_PREFIX = "DrsReprotect"
