"""Names only the CDK side needs. What the function also knows (variables, metrics, events, the table's
keys, the handler) is in `reprotect.contract`; nothing here repeats it."""

from __future__ import annotations

# --- The function's code ----------------------------------------------------------------------------
CODE_DIRECTORY = "lambdas"  # relative to the repository root; holds the `reprotect` package
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
LOG_LEVEL = "INFO"
# CloudWatch Logs accepts only these retention periods.
# fmt: off
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)
# fmt: on
MAX_LAMBDA_TIMEOUT_SECONDS = 900

# Official Powertools layer, resolved by CloudFormation at deploy time from AWS's public SSM parameter,
# so synth stays offline. Pinned to the version in lambdas/requirements.txt.
POWERTOOLS_VERSION = "3.37.0"
POWERTOOLS_LAYER_PARAMETER = f"/aws/service/powertools/python/arm64/python3.14/{POWERTOOLS_VERSION}"

# The tool's own alarms use this prefix. Settings are validated so that the alarm rule can never match
# it: otherwise an alarm about the tool failing would trigger yet another sweep.
OWN_ALARM_NAME_PREFIX = "reprotect-tool-"

# --- IAM actions of the function's policy, as the Service Authorization Reference for DRS lists them --
# No Describe action has a resource type. DescribeRecoveryInstances depends on drs:DescribeSourceServers
# and ec2:DescribeInstances (its "Dependent actions"); ec2:DescribeInstances has no resource type either.
DRS_DESCRIBE_ACTIONS = ("drs:DescribeSourceServers", "drs:DescribeRecoveryInstances", "ec2:DescribeInstances")
DRS_START_ACTION = "drs:StartReplication"
DRS_SOURCE_SERVER_RESOURCE = "source-server/*"
DRS_DESCRIBE_NETWORKS_ACTION = "drs:DescribeSourceNetworks"
DRS_START_NETWORK_ACTION = "drs:StartSourceNetworkReplication"  # resource type source-network, no dependents
DRS_SOURCE_NETWORK_RESOURCE = "source-network/*"
DRS_REVERSE_ACTION = "drs:ReverseReplication"  # resource type recovery-instance
DRS_RECOVERY_INSTANCE_RESOURCE = "recovery-instance/*"
# ReverseReplication's dependent actions beyond the describe statement's: no resource type.
DRS_REVERSE_DEPENDENT_ACTIONS = ("drs:DescribeReplicationConfigurationTemplates",)
TOPIC_PUBLISH_ACTION = "sns:Publish"
KEY_USE_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")  # what publishing to an encrypted topic needs
LOG_WRITE_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
HUB_PUT_ACTION = "events:PutEvents"
TABLE_ITEM_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchGetItem",
)

# --- Context keys (cdk.json / `cdk synth -c`) ---------------------------------------------------------
CONTEXT_SETTINGS = "settings"
CONTEXT_ENVIRONMENTS = "environments"
CONTEXT_ORGANIZATION = "organization"  # infra/org/config.py
STACK_NAME_PREFIX = "DrsReprotect"
