"""The reprotect Lambda: code from lambdas/, Powertools from the official layer, its own log group."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

import reprotect
from infra import constants as c
from reprotect import contract
from reprotect.contract import Env

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


def default_code_path() -> Path:
    """The asset root holding the `reprotect` package: `lambdas/` in a checkout (or an editable
    install); installed with `pip install`, a staged copy of the installed package."""
    checkout = REPOSITORY_ROOT / c.CODE_DIRECTORY
    if (checkout / "reprotect").is_dir():
        return checkout
    staged = Path(tempfile.mkdtemp(prefix="drs-reprotect-code-"))
    shutil.copytree(
        Path(reprotect.__file__).resolve().parent,
        staged / "reprotect",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return staged


# RetentionDays members in ascending order pair up with the day counts CloudWatch Logs accepts.
RETENTION = dict(
    zip(
        c.LOG_RETENTION_DAYS,
        [days for days in logs.RetentionDays if days is not logs.RetentionDays.INFINITE],
        strict=True,
    )
)
# Powertools' own variables: the service and namespace the engine's logs and metrics carry.
POWERTOOLS_ENVIRONMENT = {
    Env.SERVICE_NAME.value: contract.SERVICE_NAME,
    Env.METRICS_NAMESPACE.value: contract.METRICS_NAMESPACE,
    Env.LOG_LEVEL.value: c.LOG_LEVEL,
}


class ReprotectFunction(Construct):
    """The function, its execution role (permissions are added by ReprotectPermissions) and log group.

    `environment` is what the engine reads (its settings, topic and table); Powertools' variables are
    added here.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: Mapping[str, str],
        memory_mb: int,
        timeout_seconds: int,
        log_retention_days: int,
        code_path: Path | None = None,
        powertools_layer_parameter: str = c.POWERTOOLS_LAYER_PARAMETER,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(self, "LogGroup", retention=RETENTION[log_retention_days])
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="drs-reprotect function; every permission is in the ReprotectPermissions policy",
        )
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_14,
            architecture=lambda_.Architecture.ARM_64,
            handler=contract.HANDLER,
            code=lambda_.Code.from_asset(
                str(code_path or default_code_path()), exclude=list(c.CODE_EXCLUDES)
            ),
            layers=[self._build_powertools_layer(powertools_layer_parameter)],
            role=self.role,
            log_group=self.log_group,
            memory_size=memory_mb,
            timeout=Duration.seconds(timeout_seconds),
            environment={**environment, **POWERTOOLS_ENVIRONMENT},
            description="Restarts stopped AWS DRS replication",
        )

    def _build_powertools_layer(self, parameter_name: str) -> lambda_.ILayerVersion:
        # A CloudFormation SSM parameter type: resolved at deploy time in the target region, so synth
        # needs neither network nor credentials, and no Docker or PyPI download is involved.
        layer_arn = ssm.StringParameter.value_for_string_parameter(self, parameter_name)
        return lambda_.LayerVersion.from_layer_version_arn(self, "PowertoolsLayer", layer_arn)
