"""What a person reads beside each server that needs one: the likely cause, and what to check first.

Data, not logic: one line per DRS `dataReplicationError` code (botocore's `DataReplicationErrorString`,
14 codes), per step of `dataReplicationInitiation` (`DataReplicationInitiationStepName`, 11 steps) and
per condition this tool reports itself. Written from DRS's network requirements, replication and agent
FAQs and failback guides, and the "Common replication errors" page of AWS Application Migration Service
(same agent, same codes); docs/deploy.md lists the pages. Unknown codes get a generic line with DRS's
own text, so a code DRS adds later still reads sensibly.
"""

from __future__ import annotations

from reprotect.outcomes import Kind, Reason

MAX_RAW = 160  # characters of DRS's rawError quoted in a generic line

_PORT_443 = "the server reaches the DRS endpoint of the Region on TCP 443"
_PORT_1500 = "TCP 1500 is open from the source server to the staging area subnet"

ERRORS: dict[str, str] = {
    "AGENT_NOT_SEEN": (
        "The AWS Replication Agent has not reported to DRS. Check that the source server is up, the agent"
        f" service runs (aws-replication on Linux, AwsReplicationService on Windows) and {_PORT_443}."
    ),
    "SNAPSHOTS_FAILURE": (
        "DRS could not take a consistent snapshot of the staging disks. Check CloudTrail for failed"
        " CreateSnapshot calls, the DRS service roles, service control policies and EBS snapshot quotas."
    ),
    "NOT_CONVERGING": (
        "The source writes faster than replication sends, so the backlog does not shrink. Check the"
        " bandwidth to the staging area, bandwidth throttling, the staging disks' EBS type and the"
        " source server's load."
    ),
    "UNSTABLE_NETWORK": (
        "The connection between the agent and its replication server keeps dropping. Check packet loss"
        f" and firewalls or proxies on the path; {_PORT_1500}."
    ),
    "FAILED_TO_CREATE_SECURITY_GROUP": (
        "DRS could not create the replication servers' security group. Check the DRS service role,"
        " service control policies and the security group quota of the staging VPC."
    ),
    "FAILED_TO_LAUNCH_REPLICATION_SERVER": (
        "DRS could not launch a replication server. Check that the staging area subnet exists and has free"
        " addresses, the replication instance type is offered in its Availability Zone, and EC2 quotas."
    ),
    "FAILED_TO_BOOT_REPLICATION_SERVER": (
        "The replication server was launched but did not come up. Check that the staging area subnet"
        " reaches the DRS endpoint and the Region's DRS S3 buckets on TCP 443 (routes, DNS, VPC endpoints)."
    ),
    "FAILED_TO_AUTHENTICATE_WITH_SERVICE": (
        "The replication server could not authenticate with DRS. Check outbound TCP 443 from the staging"
        " area subnet to the DRS endpoint (or its VPC endpoint), and any proxy or TLS inspection."
    ),
    "FAILED_TO_DOWNLOAD_REPLICATION_SOFTWARE": (
        "The replication server could not download its software. Check that the staging area subnet"
        " reaches the Region's DRS S3 buckets (routes, S3 VPC endpoint policy)."
    ),
    "FAILED_TO_CREATE_STAGING_DISKS": (
        "DRS could not create the staging EBS volumes. Check EBS quotas, the KMS key of the replication"
        " settings (DRS must be allowed to use it) and service control policies."
    ),
    "FAILED_TO_ATTACH_STAGING_DISKS": (
        "DRS could not attach the staging volumes to the replication server. Check the KMS key"
        " permissions and service control policies, and retry after the volumes are available."
    ),
    "FAILED_TO_PAIR_REPLICATION_SERVER_WITH_AGENT": (
        f"The agent and the replication server could not pair. Check that {_PORT_443}, and that {_PORT_1500}."
    ),
    "FAILED_TO_CONNECT_AGENT_TO_REPLICATION_SERVER": (
        f"The agent could not connect to its replication server. Check that {_PORT_1500} (firewalls,"
        " the replication servers' security group, routing, and the private-IP setting over VPN)."
    ),
    "FAILED_TO_START_DATA_TRANSFER": (
        "The agent connected but data did not start to flow. Check that TCP 1500 stays open, the agent"
        " can read the source disks, and the agent's logs on the source server."
    ),
}

# Initiation steps, in DRS's order; every step but WAIT has a FAILED_TO_<step> error of its own.
STEPS: dict[str, str] = {
    "WAIT": (
        "Initiation is waiting to begin and failed there. Check that the agent service runs and"
        f" {_PORT_443}; DRS retries at the next attempt time."
    ),
    **{
        step: ERRORS[f"FAILED_TO_{step}"]
        for step in (
            "CREATE_SECURITY_GROUP",
            "LAUNCH_REPLICATION_SERVER",
            "BOOT_REPLICATION_SERVER",
            "AUTHENTICATE_WITH_SERVICE",
            "DOWNLOAD_REPLICATION_SOFTWARE",
            "CREATE_STAGING_DISKS",
            "ATTACH_STAGING_DISKS",
            "PAIR_REPLICATION_SERVER_WITH_AGENT",
            "CONNECT_AGENT_TO_REPLICATION_SERVER",
            "START_DATA_TRANSFER",
        )
    },
}

# Conditions the tool names itself, by the reason it reports.
REASONS: dict[Reason, str] = {
    Reason.FLAPPING: (
        "Replication stops again after each restart, so restarting more only restarts billing. Look in"
        " CloudTrail for StopReplication calls (a script or another tool), and at the agent's logs and"
        " the server's events in the DRS console."
    ),
    Reason.LAGGING: (
        "Replication is behind, so the latest recovery point is old. Check the backlog and its ETA in"
        " the DRS console, the bandwidth to the staging area (TCP 1500), bandwidth throttling, the"
        " staging disks' EBS type and the source's write rate."
    ),
    Reason.DISCONNECTED: (
        "DRS has not heard from the agent for a while: the server may be off, the agent stopped, or the"
        f" network to DRS broken. Check the server, the agent service, and that {_PORT_443}."
    ),
    Reason.PAUSED: (
        "Replication is paused and copies no data; StartReplication does not resume it. Check recent"
        " changes to the server's replication settings and resume it from the DRS console."
    ),
    Reason.STALLED: (
        "Data is not moving between the agent and its replication server. Check the error DRS shows for"
        f" the server, that {_PORT_1500}, and the replication server's health."
    ),
    Reason.INITIATION_FAILED: (
        "Setting up replication failed at a step DRS did not name. Check the server's initiation steps"
        " in the DRS console; DRS retries at the next attempt time."
    ),
    Reason.REPLICATION_ERROR: "DRS reports a replication error. Check the server in the DRS console.",
    Reason.START_UNCONFIRMED: (
        "StartReplication's answer was lost and DRS could not be asked again in time. Check the server"
        " in the DRS console; the next run settles it."
    ),
    Reason.UNKNOWN_STATE: (
        "DRS reports a replication state this version does not know. Check the server in the DRS console."
    ),
}

# Source networks and recovery instances that need a person, by kind and reason.
KIND_REASONS: dict[tuple[Kind, Reason], str] = {
    (Kind.NETWORK, Reason.REPLICATION_ERROR): (
        "DRS could not replicate this source VPC's configuration (DRS's own words are in the detail), so"
        " a recovery has no network to launch into. Check that the VPC still exists in its source account"
        " and Region, and the source network in the DRS console."
    ),
    (Kind.NETWORK, Reason.UNKNOWN_STATE): (
        "DRS reports a replication status this version does not know. Check the source network in the"
        " DRS console."
    ),
    (Kind.NETWORK, Reason.START_UNCONFIRMED): (
        "StartSourceNetworkReplication's answer was lost and DRS could not be asked again in time. Check"
        " the source network in the DRS console; the next run settles it."
    ),
    (Kind.INSTANCE, Reason.NOT_REVERSE_PROTECTED): (
        "The workload runs here unprotected: no recovery point exists for a second disaster. Start"
        " reversed replication in the DRS console (Recovery instances) or set REVERSE_REPLICATION=on;"
        " either adds a source server, billed, that replicates across Regions."
    ),
    (Kind.INSTANCE, Reason.UNKNOWN_STATE): (
        "DRS reports a reverse replication state this version does not know for this recovery instance."
        " Check it in the DRS console."
    ),
    (Kind.INSTANCE, Reason.START_UNCONFIRMED): (
        "ReverseReplication's answer was lost and DRS could not be asked again in time. Check the"
        " recovery instance in the DRS console; the next run settles it (it never asks twice)."
    ),
}


def diagnose_kind(kind: Kind, reason: Reason) -> str:
    """The line for a source network or recovery instance needing a person."""
    generic = f"Check the {kind.value.replace('-', ' ')} in the DRS console."
    return KIND_REASONS.get((kind, reason), generic)


# Reasons whose error code, if any, is not DRS's replication error (START_UNCONFIRMED carries the API's).
_OWN_FINDINGS = frozenset({Reason.FLAPPING, Reason.LAGGING, Reason.START_UNCONFIRMED})


def diagnose(
    reason: Reason, *, error: str | None = None, raw: str | None = None, step: str | None = None
) -> str:
    """The line for a server needing a person. The tool's own findings (flapping, lagging, a start it
    could not confirm) speak for themselves; otherwise the failed step, then DRS's replication error,
    then the reason.

    A code this table does not know gets a generic line quoting DRS's own text.
    """
    if reason in _OWN_FINDINGS:
        return REASONS[reason]
    if step in STEPS:
        return STEPS[step]
    if error in ERRORS:
        return ERRORS[error]
    if error:
        said = f": {raw[:MAX_RAW]}" if raw else ""
        return f"DRS reports {error[:60]}{said}. Check the server in the DRS console."
    return REASONS.get(reason, REASONS[Reason.REPLICATION_ERROR])
