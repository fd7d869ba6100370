"""A stand-in for the Lambda runtime, run by harness/moto_patches.py once per invocation:
`python -S lambda_runtime.py <function ARN> <request id>`, the event on stdin.

It imports the handler named by `_HANDLER` from `LAMBDA_TASK_ROOT` (the deployed zip, unpacked) and
refuses a handler found anywhere else, so an asset that does not import fails here as it would in
Lambda. Like Lambda, the function's logs go to stdout; the last line is the result (or the error) as
JSON. Standard library only: nothing of the project is importable but what the zip holds.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any


class Context:
    """What a Lambda context offers the function, with the deadline its timeout sets."""

    def __init__(self, function_arn: str, request_id: str) -> None:
        self.invoked_function_arn = function_arn
        self.aws_request_id = request_id
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = request_id
        self._deadline = time.monotonic() + int(os.environ["AWS_LAMBDA_FUNCTION_TIMEOUT"])

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - time.monotonic()) * 1000)


def load_handler() -> Any:
    """The function `_HANDLER` names (`package.module.function`), imported from the task root only."""
    module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
    module = importlib.import_module(module_name)
    task_root = Path(os.environ["LAMBDA_TASK_ROOT"]).resolve()
    origin = Path(module.__file__ or "").resolve()
    if task_root not in origin.parents:
        raise ImportError(f"{module_name} was imported from {origin}, not from the deployed code")
    return getattr(module, function_name)


def main(function_arn: str, request_id: str) -> int:
    event = json.loads(sys.stdin.read() or "{}")
    try:
        result = load_handler()(event, Context(function_arn, request_id))
    except Exception as exc:  # what Lambda reports for an unhandled error
        traceback.print_exc(file=sys.stdout)
        print(json.dumps({"errorType": type(exc).__name__, "errorMessage": str(exc)}), flush=True)
        return 1
    sys.stdout.flush()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
