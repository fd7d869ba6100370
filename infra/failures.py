"""Where an event goes when every attempt to handle it failed: an on-failure destination.

EventBridge and Scheduler invoke the function asynchronously. If the function itself fails (a report
it could not publish, a crash, a timeout), Lambda retries twice; after that the event would be
dropped. Instead Lambda sends it, with the error that ended the last attempt (which names the run and
where its report was logged), to this encrypted, TLS-only queue, which ReprotectMonitoring alarms on.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.nag import acknowledge

# Lambda's own async retries; a sweep not handled within the hour is superseded by the next trigger.
RETRY_ATTEMPTS = 2
MAX_EVENT_AGE = Duration.hours(1)
RETENTION = Duration.days(14)


def last_queue(scope: Construct, construct_id: str) -> sqs.Queue:
    """A queue where events end when nothing could handle them (a dead-letter queue, an on-failure
    destination): SQS-encrypted, TLS only, kept 14 days. It needs no dead-letter queue of its own:
    the caller tells cdk-nag why (AwsSolutions-SQS3)."""
    return sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=RETENTION,
    )


class FailedInvocations(Construct):
    """The on-failure destination of the function's asynchronous invocations."""

    def __init__(self, scope: Construct, construct_id: str, *, function: lambda_.IFunction) -> None:
        super().__init__(scope, construct_id)
        self.queue = last_queue(self, "Queue")
        acknowledge(
            self.queue,
            "AwsSolutions-SQS3",
            "This queue is itself where failed invocations end (Lambda's on-failure destination); it needs"
            " no dead-letter queue of its own.",
        )
        # The L1 resource, so that sending to the queue is granted in the function's one policy
        # (ReprotectPermissions) rather than in a policy CDK would add to the role.
        self.invoke_config = lambda_.CfnEventInvokeConfig(
            self,
            "InvokeConfig",
            function_name=function.function_name,
            qualifier="$LATEST",
            maximum_retry_attempts=RETRY_ATTEMPTS,
            maximum_event_age_in_seconds=int(MAX_EVENT_AGE.to_seconds()),
            destination_config=lambda_.CfnEventInvokeConfig.DestinationConfigProperty(
                on_failure=lambda_.CfnEventInvokeConfig.OnFailureProperty(destination=self.queue.queue_arn)
            ),
        )
