"""The deployable stack: it only composes DrsReprotect."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from infra.reprotect import DrsReprotect
from infra.settings import ReprotectSettings


class DrsReprotectStack(Stack):
    """One account and region (or environment-agnostic) running drs-reprotect."""

    def __init__(
        self, scope: Construct, construct_id: str, *, settings: ReprotectSettings, **kwargs: Any
    ) -> None:
        super().__init__(
            scope, construct_id, description="drs-reprotect: restarts stopped AWS DRS replication", **kwargs
        )
        self.reprotect = DrsReprotect(self, "Reprotect", settings=settings)
