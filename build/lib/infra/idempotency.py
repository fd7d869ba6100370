"""The idempotency table: remembers recent starts so retries and overlapping triggers start nothing twice."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from reprotect import contract


class IdempotencyStore(Construct):
    """On-demand DynamoDB table keyed and expired as the contract says (idempotency records, cooldowns)."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(
                name=contract.TABLE_PARTITION_KEY, type=dynamodb.AttributeType.STRING
            ),
            time_to_live_attribute=contract.TABLE_TTL_ATTRIBUTE,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            # Records live for the cooldown only; nothing is lost with the stack.
            removal_policy=RemovalPolicy.DESTROY,
        )
