"""Shared, session-scoped synths: each distinct app is synthesized once (jsii makes a synth take seconds)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template
from aws_cdk.cx_api import CloudAssembly
from constructs import Construct

from infra.application import build_app

OPT_IN_ACCOUNT = "111111111111"
PLAIN_ACCOUNT = "222222222222"
OPT_IN_STACK = f"DrsReprotect-{OPT_IN_ACCOUNT}-eu-west-1"
PLAIN_STACK = f"DrsReprotect-{PLAIN_ACCOUNT}-us-east-1"

# What `cdk synth -c environments='[...]' -c max_starts_per_run=25` hands the app: JSON *strings*.
MULTI_ENV_CONTEXT: dict[str, Any] = {
    "settings": {"dry_run": True, "restart_cooldown_seconds": 600},
    "max_starts_per_run": "25",
    "environments": json.dumps(
        [
            {
                "account": OPT_IN_ACCOUNT,
                "region": "eu-west-1",
                "include_tag": "DR=auto",
                "exclude_tag": "NoReprotect",
                "alarm_names": "db-replication-lag,app-replication-lag",
                "alarm_name_prefix": "",
                "drs_events_enabled": "false",
                "notification_emails": ["ops@example.com", "dr@example.com"],
                "log_retention_days": "30",
                "schedule_expression": "cron(0 6 * * ? *)",
                "schedule_time_zone": "Europe/Berlin",
                "dry_run": "false",
                "memory_mb": 1024,
                "reverse_replication": "ON",
                "protect_source_networks": "no",
            },
            {"account": PLAIN_ACCOUNT, "region": "us-east-1"},
        ]
    ),
}


def synthesize(context: Mapping[str, Any], outdir: Path) -> CloudAssembly:
    """Build the app as app.py does (cdk-nag included) and synthesize it; raises if nag finds anything."""
    app = App(outdir=str(outdir), context=dict(context))
    build_app(app)
    return app.synth()


def bare_stack(name: str = "Bare") -> Stack:
    """A stack of its own for one capability construct, as aws-cdk-lib's own construct tests do."""
    return Stack(App(), name)


def stub_function(scope: Construct) -> lambda_.Function:
    """A stand-in for constructs that only need a function to point at: inline code, no asset."""
    return lambda_.Function(
        scope,
        "Stub",
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
    )


def resource_types(template: Template) -> list[str]:
    return sorted(resource["Type"] for resource in template.to_json()["Resources"].values())


def template_of(assembly: CloudAssembly, stack_name: str) -> Template:
    return Template.from_json(assembly.get_stack_by_name(stack_name).template)


@pytest.fixture(scope="session")
def default_assembly(tmp_path_factory: pytest.TempPathFactory) -> CloudAssembly:
    return synthesize({}, tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="session")
def template(default_assembly: CloudAssembly) -> Template:
    """The environment-agnostic stack with every setting at its default."""
    return template_of(default_assembly, "DrsReprotect")


@pytest.fixture(scope="session")
def multi_env_assembly(tmp_path_factory: pytest.TempPathFactory) -> CloudAssembly:
    return synthesize(MULTI_ENV_CONTEXT, tmp_path_factory.mktemp("multi"))


@pytest.fixture(scope="session")
def opt_in_template(multi_env_assembly: CloudAssembly) -> Template:
    """Opt-in mode, bare exclude key, alarm names without prefix, DRS events off, emails, cron schedule,
    reverse replication on, source networks off."""
    return template_of(multi_env_assembly, OPT_IN_STACK)


@pytest.fixture(scope="session")
def plain_template(multi_env_assembly: CloudAssembly) -> Template:
    """Second environment: shared settings and `-c` overrides only."""
    return template_of(multi_env_assembly, PLAIN_STACK)


def resources(template: Template, resource_type: str) -> dict[str, Any]:
    return dict(template.find_resources(resource_type))


def only(template: Template, resource_type: str) -> dict[str, Any]:
    """The properties of the single resource of `resource_type`."""
    found = resources(template, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.values()))["Properties"]


def logical_id(template: Template, resource_type: str, predicate: Callable[[dict[str, Any]], bool]) -> str:
    matches = [key for key, value in resources(template, resource_type).items() if predicate(value)]
    assert len(matches) == 1, f"expected one matching {resource_type}, found {matches}"
    return matches[0]


# --- The organization (docs/organization.md): the sample `organization` block, as `make synth` passes it ---
ORGANIZATION_SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "organization.json"


@pytest.fixture(scope="session")
def org_assembly(tmp_path_factory: pytest.TempPathFactory) -> CloudAssembly:
    return synthesize({"organization": ORGANIZATION_SAMPLE.read_text()}, tmp_path_factory.mktemp("org"))


def stack_set_template(assembly: CloudAssembly, parent: str) -> Template:
    """The member template a StackSet stack deploys (cdk-stacksets writes it beside the stacks)."""
    (path,) = Path(assembly.directory).glob(f"{parent}Member*.stackset.template.json")
    return Template.from_json(json.loads(path.read_text()))
