"""The fake-AWS environment: nothing a harness process does can reach a real account or endpoint."""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping

from reprotect.contract import METRICS_NAMESPACE, SERVICE_NAME, Env

# moto's default account, and the DRS emulator's (`drs_emulator.fleet.DEFAULT_ACCOUNT`, not imported
# here: the benchmark's measured handler imports this module and should pay for nothing else).
ACCOUNT = "123456789012"
REGION = "us-east-1"

FAKE_AWS: Mapping[str, str] = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    Env.SERVICE_NAME.value: SERVICE_NAME,
    Env.METRICS_NAMESPACE.value: METRICS_NAMESPACE,
}
# A profile or session token would mix real credentials in; a global endpoint or the switch that
# ignores endpoint variables would send clients past the per-service endpoints below.
# Nothing of the developer's shell leaks in: no profile, endpoint, retry or log settings.
UNSET = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "POWERTOOLS_LOG_LEVEL",
    "HUB_EVENT_BUS_ARN",  # a hub is what a test sets up itself (harness.hub), never the shell's
)
MOTO_SERVICES = ("SNS", "SQS", "DYNAMODB")


def use_fake_aws(environ: MutableMapping[str, str] | None = None) -> None:
    """Make `environ` (default: this process's) the fake-AWS environment."""
    target = os.environ if environ is None else environ
    target.update(FAKE_AWS)
    for name in UNSET:
        target.pop(name, None)


def endpoints(moto_url: str, drs_url: str | None = None) -> dict[str, str]:
    """The `AWS_ENDPOINT_URL_<SERVICE>` variables that point boto3 at moto and the DRS emulator."""
    out = {f"AWS_ENDPOINT_URL_{service}": moto_url for service in MOTO_SERVICES}
    if drs_url is not None:
        out["AWS_ENDPOINT_URL_DRS"] = drs_url
    return out
