"""Seeded builders of realistic DRS resources, shaped like botocore's DRS model.

``generate_fleet`` builds a whole account's worth of source servers with a sensible mix;
``make_server`` builds one server with exactly the attributes a test cares about.
``make_recovery_instance`` and ``make_source_network`` do the same for the other resources, and
``generate_account`` adds a share of them to a generated fleet.
"""

from drs_emulator.fleet.common import (
    ACTIVE_STATES,
    ALL_STATES,
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    DEFAULT_STAGING_ACCOUNT,
    INITIATION_STEPS,
    initiation_steps,
    iso,
    random_server_id,
    server_arn,
)
from drs_emulator.fleet.generate import (
    Fleet,
    generate_account,
    generate_fleet,
    generate_recovery_instances,
    generate_source_networks,
)
from drs_emulator.fleet.networks import REPLICATION_STATUSES, make_source_network, source_network_arn
from drs_emulator.fleet.recovery import REVERSE_STATES, make_recovery_instance, recovery_instance_arn
from drs_emulator.fleet.servers import make_server

__all__ = [
    "ACTIVE_STATES",
    "ALL_STATES",
    "DEFAULT_ACCOUNT",
    "DEFAULT_REGION",
    "DEFAULT_STAGING_ACCOUNT",
    "INITIATION_STEPS",
    "REPLICATION_STATUSES",
    "REVERSE_STATES",
    "Fleet",
    "generate_account",
    "generate_fleet",
    "generate_recovery_instances",
    "generate_source_networks",
    "initiation_steps",
    "iso",
    "make_recovery_instance",
    "make_server",
    "make_source_network",
    "random_server_id",
    "recovery_instance_arn",
    "server_arn",
    "source_network_arn",
]
