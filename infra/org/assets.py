"""One region's asset bucket, in the StackSets administrator account: the member's Lambda code is copied
here (cdk-stacksets copies it from the CDK asset bucket), and every account of the organization may read
it, since CloudFormation creates each member's function from the bucket of the member's region."""

from __future__ import annotations

from typing import Any

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.nag import acknowledge


class AssetBucketStack(Stack):
    """The bucket `<prefix>-<region>` of one region."""

    def __init__(
        self, scope: Construct, construct_id: str, *, bucket_name: str, organization_id: str, **kwargs: Any
    ) -> None:
        super().__init__(
            scope, construct_id, description="drs-reprotect member code for the organization", **kwargs
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=bucket_name,
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            # Kept when the stack goes: a StackSet instance being deleted may still need its code.
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="OrganizationReadsMemberCode",
                principals=[iam.OrganizationPrincipal(organization_id)],
                actions=["s3:GetObject"],
                resources=[self.bucket.arn_for_objects("*")],
            )
        )
        acknowledge(
            self.bucket,
            "AwsSolutions-S1",
            "The bucket only holds copies of the member's code zip, written by the StackSets stack and read"
            " by CloudFormation in the members; CloudTrail records both. Access logs would need a second"
            " bucket in every region for no extra insight.",
        )
