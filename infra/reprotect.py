"""DrsReprotect: the whole tool as one construct you can drop into any CDK stack."""

from __future__ import annotations

from pathlib import Path

from constructs import Construct

from infra import constants as c
from infra.function import ReprotectFunction
from infra.idempotency import IdempotencyStore
from infra.monitoring import ReprotectMonitoring
from infra.notifications import ReprotectNotifications
from infra.permissions import ReprotectPermissions
from infra.settings import ReprotectSettings
from infra.triggers import ReprotectTriggers


class DrsReprotect(Construct):
    """Function, triggers, notifications, idempotency store, permissions and monitoring, wired together.

    Example::

        DrsReprotect(stack, "Reprotect", settings=ReprotectSettings(dry_run=True, include_tag="DR=auto"))
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: ReprotectSettings | None = None,
        code_path: Path | None = None,
        powertools_layer_parameter: str = c.POWERTOOLS_LAYER_PARAMETER,
    ) -> None:
        super().__init__(scope, construct_id)
        self.settings = settings or ReprotectSettings()
        self.notifications = ReprotectNotifications(
            self, "Notifications", emails=self.settings.notification_emails
        )
        self.idempotency = IdempotencyStore(self, "Idempotency")
        self.function = ReprotectFunction(
            self,
            "Engine",
            settings=self.settings,
            topic_arn=self.notifications.topic.topic_arn,
            table_name=self.idempotency.table.table_name,
            code_path=code_path,
            powertools_layer_parameter=powertools_layer_parameter,
        )
        self.permissions = ReprotectPermissions(
            self,
            "Permissions",
            role=self.function.role,
            exclude=self.settings.exclude,
            include=self.settings.include,
            topic=self.notifications.topic,
            key=self.notifications.key,
            table=self.idempotency.table,
            log_group=self.function.log_group,
        )
        self.triggers = ReprotectTriggers(
            self, "Triggers", function=self.function.function, settings=self.settings
        )
        self.monitoring = ReprotectMonitoring(
            self,
            "Monitoring",
            function=self.function.function,
            dead_letter_queues=self.triggers.dead_letter_queues,
            topic=self.notifications.topic,
        )
