"""Acknowledging cdk-nag findings, one finding at a time, next to the resource it concerns."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(scope: IConstruct, finding: str, reason: str) -> None:
    """Acknowledge one finding (e.g. `AwsSolutions-IAM5[Resource::*]`) on `scope` with its reason."""
    Validations.of(scope).acknowledge(Acknowledgment(id=finding, reason=reason))
