"""A deployed stack read back through the CloudFormation API: its template and what was created."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Resource:
    logical_id: str
    type: str
    physical_id: str


@dataclass(frozen=True)
class Deployment:
    """What CloudFormation says it deployed for `stack`, and the template it deployed."""

    stack: str
    template: dict[str, Any]
    created: tuple[Resource, ...]

    @classmethod
    def read(cls, cloudformation: Any, stack: str) -> Deployment:
        body = cloudformation.get_template(StackName=stack)["TemplateBody"]
        template = json.loads(body) if isinstance(body, str) else body
        summaries = cloudformation.list_stack_resources(StackName=stack)["StackResourceSummaries"]
        created = tuple(
            Resource(s["LogicalResourceId"], s["ResourceType"], s["PhysicalResourceId"])
            for s in summaries
            if s["LogicalResourceId"]  # moto lists a resource it skipped with empty names
        )
        return cls(stack, template, created)

    def of_type(self, resource_type: str) -> list[Resource]:
        return [r for r in self.created if r.type == resource_type]

    def one(self, resource_type: str) -> Resource:
        (resource,) = self.of_type(resource_type)
        return resource

    def physical(self, logical_id: str) -> str:
        return next(r.physical_id for r in self.created if r.logical_id == logical_id)

    def properties(self, logical_id: str) -> dict[str, Any]:
        properties: dict[str, Any] = self.template["Resources"][logical_id].get("Properties", {})
        return properties

    def logical_ids(self, resource_type: str) -> list[str]:
        """The template's resources of this type, created or not."""
        return [key for key, r in self.template["Resources"].items() if r["Type"] == resource_type]

    def not_created(self) -> set[str]:
        """The resource types of which the template has more than CloudFormation reports created."""
        wanted = Counter(r["Type"] for r in self.template["Resources"].values())
        made = Counter(r.type for r in self.created)
        return {kind for kind, count in wanted.items() if made[kind] < count}
