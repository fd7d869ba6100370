"""The DRS operations the emulator serves: name, HTTP route (the model's ``http`` trait), the request
member that names the resource a call acts on, and the ``resourceType`` its 404/409 answers carry."""

from __future__ import annotations

from dataclasses import dataclass

TAGS_PATH = "/tags/{resourceArn}"


@dataclass(frozen=True)
class Operation:
    name: str
    method: str = "POST"
    path: str = ""
    target: str | None = None
    resource_type: str = "SOURCE_SERVER"

    @property
    def route(self) -> str:
        return self.path or f"/{self.name}"


OPERATIONS = {
    op.name: op
    for op in (
        Operation("DescribeSourceServers"),
        Operation("StartReplication", target="sourceServerID"),
        Operation("StopReplication", target="sourceServerID"),
        Operation("DescribeRecoveryInstances", resource_type="RECOVERY_INSTANCE"),
        Operation("ReverseReplication", target="recoveryInstanceID", resource_type="RECOVERY_INSTANCE"),
        Operation("DescribeSourceNetworks", resource_type="SOURCE_NETWORK"),
        Operation("StartSourceNetworkReplication", target="sourceNetworkID", resource_type="SOURCE_NETWORK"),
        Operation("StopSourceNetworkReplication", target="sourceNetworkID", resource_type="SOURCE_NETWORK"),
        Operation("TagResource", "POST", TAGS_PATH, target="resourceArn"),
        Operation("UntagResource", "DELETE", TAGS_PATH, target="resourceArn"),
        Operation("ListTagsForResource", "GET", TAGS_PATH, target="resourceArn"),
    )
}

# Longest prefix first: "sn-" before "s-".
_ID_PREFIXES = (("sn-", "SOURCE_NETWORK"), ("s-", "SOURCE_SERVER"), ("i-", "RECOVERY_INSTANCE"))


def check_operation(operation: str | None) -> None:
    """``None`` stands for every operation; any other name must be one the emulator serves."""
    if operation is not None and operation not in OPERATIONS:
        raise ValueError(f"unknown operation {operation!r}; expected one of {tuple(OPERATIONS)}")


def resource_type_of(target: str | None, operation: str) -> str:
    """The ``resourceType`` for a call's target id, else the operation's own."""
    for prefix, resource_type in _ID_PREFIXES:
        if target is not None and target.startswith(prefix):
            return resource_type
    return OPERATIONS[operation].resource_type
