"""DrsReprotect: the whole tool as one construct you can drop into any CDK stack."""

from __future__ import annotations

from pathlib import Path

from constructs import Construct

from infra import constants as c
from infra.failures import FailedInvocations
from infra.function import ReprotectFunction
from infra.idempotency import IdempotencyStore
from infra.monitoring import ReprotectMonitoring
from infra.notifications import ReprotectNotifications
from infra.permissions import ReprotectPermissions, hub_statement
from infra.settings import ReprotectSettings
from infra.triggers import ReprotectTriggers, ScheduleProps
from reprotect import contract
from reprotect.contract import Env


class DrsReprotect(Construct):
    """Function, triggers, notifications, idempotency store, permissions and monitoring, wired together.

    Each capability gets only the settings it uses; this construct maps `ReprotectSettings` onto them.

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
        self.function = self._build_function(code_path, powertools_layer_parameter)
        self.failures = FailedInvocations(self, "Failures", function=self.function.function)
        self.permissions = self._build_permissions()
        if self.settings.hub_event_bus_arn:  # the organization's hub: see reprotect.hub
            self.permissions.policy.add_statements(hub_statement(self.settings.hub_event_bus_arn))
        self.triggers = self._build_triggers()
        self.monitoring = ReprotectMonitoring(
            self,
            "Monitoring",
            function=self.function.function,
            dead_letter_queues={
                **self.triggers.dead_letter_queues,
                "failed-invocations": self.failures.queue,
            },
            topic=self.notifications.topic,
        )

    def _build_function(self, code_path: Path | None, powertools_layer_parameter: str) -> ReprotectFunction:
        settings = self.settings
        environment = {
            Env.OUTCOME_TOPIC_ARN.value: self.notifications.topic.topic_arn,
            Env.IDEMPOTENCY_TABLE_NAME.value: self.idempotency.table.table_name,
            **contract.environment(settings.engine_values()),
        }
        if settings.hub_event_bus_arn:
            environment[Env.HUB_EVENT_BUS_ARN.value] = settings.hub_event_bus_arn
        return ReprotectFunction(
            self,
            "Engine",
            environment=environment,
            memory_mb=settings.memory_mb,
            timeout_seconds=settings.timeout_seconds,
            log_retention_days=settings.log_retention_days,
            code_path=code_path,
            powertools_layer_parameter=powertools_layer_parameter,
        )

    def _build_permissions(self) -> ReprotectPermissions:
        return ReprotectPermissions(
            self,
            "Permissions",
            role=self.function.role,
            exclude=self.settings.exclude,
            include=self.settings.include,
            topic=self.notifications.topic,
            key=self.notifications.key,
            table=self.idempotency.table,
            log_group=self.function.log_group,
            failure_queue=self.failures.queue,
            source_networks=self.settings.protect_source_networks,
            reversal=self.settings.reverse_replication == contract.REVERSE_ON,
        )

    def _build_triggers(self) -> ReprotectTriggers:
        settings = self.settings
        return ReprotectTriggers(
            self,
            "Triggers",
            function=self.function.function,
            schedule=ScheduleProps(settings.schedule_expression, settings.schedule_time_zone),
            alarm_names=settings.alarm_names,
            alarm_name_prefix=settings.alarm_name_prefix,
            drs_events=settings.drs_events_enabled,
        )
