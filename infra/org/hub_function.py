"""One of the hub's functions: the `reprotect` package's code (the members' very asset), the Powertools
layer, a role of its own whose every permission is in one policy, its own log group, and an on-failure
queue for invocations that failed after Lambda's retries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra import constants as c
from infra.failures import FailedInvocations
from infra.function import REPOSITORY_ROOT, RETENTION
from reprotect import contract

HUB_SERVICE_NAME = f"{contract.SERVICE_NAME}-hub"
LOG_RETENTION_DAYS = 90


class HubFunction(Construct):
    """A function of the hub running `handler`, allowed exactly `statements` (plus its own logs and its
    on-failure queue)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: str,
        description: str,
        environment: Mapping[str, str],
        statements: Sequence[iam.PolicyStatement],
        timeout_seconds: int = 60,
        memory_mb: int = 256,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(self, "LogGroup", retention=RETENTION[LOG_RETENTION_DAYS])
        self.role = iam.Role(
            self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description
        )
        self.function = self._build_function(handler, description, environment, timeout_seconds, memory_mb)
        self.failures = FailedInvocations(self, "Failures", function=self.function)
        self.policy = iam.Policy(
            self,
            "Policy",
            statements=[
                *statements,
                iam.PolicyStatement(
                    sid="WriteOwnLogs",
                    actions=list(c.LOG_WRITE_ACTIONS),
                    resources=[self.log_group.log_group_arn],
                ),
                iam.PolicyStatement(
                    sid="ReportFailedInvocations",
                    actions=["sqs:SendMessage"],
                    resources=[self.failures.queue.queue_arn],
                ),
            ],
        )
        self.policy.attach_to_role(self.role)

    def _build_function(
        self,
        handler: str,
        description: str,
        environment: Mapping[str, str],
        timeout_seconds: int,
        memory_mb: int,
    ) -> lambda_.Function:
        layer_arn = ssm.StringParameter.value_for_string_parameter(self, c.POWERTOOLS_LAYER_PARAMETER)
        return lambda_.Function(
            self,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_14,
            architecture=lambda_.Architecture.ARM_64,
            handler=handler,
            code=lambda_.Code.from_asset(
                str(REPOSITORY_ROOT / c.CODE_DIRECTORY), exclude=list(c.CODE_EXCLUDES)
            ),
            layers=[lambda_.LayerVersion.from_layer_version_arn(self, "PowertoolsLayer", layer_arn)],
            role=self.role,
            log_group=self.log_group,
            memory_size=memory_mb,
            timeout=Duration.seconds(timeout_seconds),
            environment={
                **environment,
                contract.Env.SERVICE_NAME.value: HUB_SERVICE_NAME,
                contract.Env.LOG_LEVEL.value: c.LOG_LEVEL,
            },
            description=description,
        )
