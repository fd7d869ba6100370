"""TagResource, UntagResource and ListTagsForResource, for every resource the backend holds."""

from __future__ import annotations

from drs_emulator.exceptions import ResourceNotFoundException
from drs_emulator.models.base import BackendState, Records


class Tags(BackendState):
    def tag_resource(self, resource_arn: str, tags: dict[str, str]) -> None:
        """Merge ``tags`` into the resource's."""
        with self._lock:
            records, record_id = self._tagged(resource_arn)
            records.replace(record_id, lambda r: r.setdefault("tags", {}).update(tags))

    def untag_resource(self, resource_arn: str, tag_keys: list[str]) -> None:
        with self._lock:
            records, record_id = self._tagged(resource_arn)

            def untag(record: dict[str, dict[str, str]]) -> None:
                for key in tag_keys:
                    record.get("tags", {}).pop(key, None)

            records.replace(record_id, untag)

    def list_tags_for_resource(self, resource_arn: str) -> dict[str, str]:
        with self._lock:
            records, record_id = self._tagged(resource_arn)
            return dict(records.get(record_id).get("tags", {}))

    def _tagged(self, arn: str) -> tuple[Records, str]:
        """The store and id of the resource ``arn`` names (source server, recovery instance or network)."""
        record_id = arn.rsplit("/", 1)[-1]
        for records in (self._servers, self._recovery, self._networks):
            record = records.find(record_id)
            if record is not None and record["arn"] == arn:
                return records, record_id
        raise ResourceNotFoundException(f"Resource {arn} not found", resource_id=arn)
