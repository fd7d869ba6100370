"""Names the members, the hub's functions and the hub's deployment share, written once (like
`reprotect.contract` for one account). Pure data: nothing here imports the AWS SDK or the CDK."""

from __future__ import annotations

from enum import StrEnum

# --- What a member sends to the hub --------------------------------------------------------------
EVENT_SOURCE = "drs-reprotect"
# The EventBridge detail-type of a member's run report; its `detail` is the report's JSON form
# (`Report.to_dict`, schemaVersion 3), trimmed as the member's SNS message was.
DETAIL_TYPE = "DRS Reprotect Run Report"
BUS_NAME = "drs-reprotect-hub"

# --- The hub's functions -------------------------------------------------------------------------
COLLECT_HANDLER = "reprotect.org.handlers.collect"
DIGEST_HANDLER = "reprotect.org.handlers.send_digest"


class Env(StrEnum):
    """Variables the hub's functions read."""

    ORG_TOPIC_ARN = "ORG_TOPIC_ARN"
    DIGEST_TABLE_NAME = "DIGEST_TABLE_NAME"
    ORGANIZATION_ID = "ORGANIZATION_ID"
    SILENT_AFTER_HOURS = "SILENT_AFTER_HOURS"


# --- The digest table: one item per place (account and region) for its latest report, one per place
# and UTC day for that day's totals ---------------------------------------------------------------
TABLE_PARTITION_KEY = "pk"
TABLE_SORT_KEY = "sk"
TABLE_TTL_ATTRIBUTE = "expiresAt"
LATEST_PARTITION = "latest"
DAY_PARTITION_PREFIX = "day#"
LATEST_DAYS = 35  # a place that stopped reporting is listed as silent, then forgotten after this
DAY_DAYS = 8

# --- The digest's SNS message --------------------------------------------------------------------
# Forwarded reports carry the member's own attributes (`outcome`, counts...); the digest carries
# `kind`, so `{"kind": ["digest"]}` selects it and an `outcome` filter never matches it.
DIGEST_KIND = "digest"
SILENT_AFTER_HOURS = 2  # the default: four missed runs at the default schedule of every 30 minutes
