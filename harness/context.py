"""The fake Lambda context: what the function reads of it, with a wall-clock budget as its deadline."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from harness.env import ACCOUNT, REGION
from reprotect.contract import SERVICE_NAME


@dataclass
class FakeContext:
    """A Lambda context whose remaining time runs down from `budget_ms` as the clock moves."""

    budget_ms: int = 300_000
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_name: str = SERVICE_NAME
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{SERVICE_NAME}"
    log_group_name: str = f"/aws/lambda/{SERVICE_NAME}"
    log_stream_name: str = "stream"
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return int(self.budget_ms - (time.monotonic() - self.started) * 1000)
