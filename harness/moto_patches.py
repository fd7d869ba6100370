"""What moto 5.2.5 lacks to take `cdk deploy` of this app and run it, patched here and nowhere else.

Applied only in the moto process that `make e2e` deploys to (`python -m harness.moto_server --deploy`);
the tests' and the demo's moto stay unpatched. Each patch is the smallest change that closes one gap:

- SSM: moto refuses to create parameters under `/aws/` (AWS publishes them), so the stack's reserved
  Powertools layer parameter cannot exist and CloudFormation fails with a 500. `seed_powertools_layer`
  writes it straight into the backend, naming a stand-in layer version published here that holds only
  a note (moto drops a function's `Layers` anyway): the function's child process gets Powertools from
  this interpreter's site-packages instead (see harness/lambda_runtime.py), with boto3, as the runtime
  has it.
- KMS: a key created through CloudFormation keeps the template's `Tags` (`Key`/`Value`, moto's tagger
  wants `TagKey`/`TagValue`: KeyError) and its `KeyPolicy` as an object (moto wants a JSON string).
- Lambda: invoking needs Docker (none here). The function runs instead from its deployed zip, with its
  handler string and environment, in a child Python process (harness/lambda_runtime.py), its service
  endpoints pointed at this moto and at the DRS emulator; its output goes to the function's log group
  as moto does with Docker.
- EventBridge: a rule whose target is a Lambda function raises NotImplementedError. Here the function
  is invoked with the event, as EventBridge sends it (ISO `time`), before put_events answers, so a
  test can read the outcome when the call returns (EventBridge itself invokes asynchronously).

What moto skips without failing (the schedule, the alarms, the topic and queue policies, TTL,
point-in-time recovery) is not patched: tests/e2e asserts the exact list, so a new skip fails there.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import tempfile
import threading
import uuid
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import aws_lambda_powertools
import moto
from moto.awslambda.models import LambdaFunction, lambda_backends
from moto.events.models import Rule
from moto.kms.models import Key
from moto.ssm.models import Parameter, ssm_backends
from moto.utilities.arns import parse_arn

MOTO_VERSION = "5.2.5"
RUNTIME = Path(__file__).resolve().parent / "lambda_runtime.py"
STAND_IN_LAYER = "powertools-stand-in"
_endpoints: dict[str, str] = {}  # what the function's process is pointed at, set by apply()
_applied = threading.Lock()


def apply(endpoints: Mapping[str, str]) -> None:
    """Patch moto in this process; `endpoints` are the function's `AWS_ENDPOINT_URL*` variables."""
    if moto.__version__ != MOTO_VERSION:
        raise RuntimeError(f"harness/moto_patches.py patches moto {MOTO_VERSION}, found {moto.__version__}")
    with _applied:
        _endpoints.update(endpoints)
        _patch_kms_from_cloudformation()
        LambdaFunction._invoke_lambda = _invoke_in_child_process  # type: ignore[method-assign]
        _patch_rule_targets()


def seed_powertools_layer(parameter_name: str, account: str, region: str) -> str:
    """Publish the stand-in layer and point the reserved SSM parameter at it; the layer version's ARN."""
    content = BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr(
            "python/STAND-IN.txt", "Powertools comes from the e2e interpreter's site-packages.\n"
        )
    layer = lambda_backends[account][region].publish_layer_version(
        {"LayerName": STAND_IN_LAYER, "Content": {"ZipFile": base64.b64encode(content.getvalue()).decode()}}
    )
    ssm_backends[account][region]._parameters[parameter_name].append(
        Parameter(  # type: ignore[abstract]  # moto instantiates it so itself
            account_id=account,
            name=parameter_name,
            value=layer.arn,
            parameter_type="String",
            description="stand-in for AWS's public Powertools parameter",
            allowed_pattern=None,
            keyid=None,
            last_modified_date=datetime.now(UTC),
            version=1,
            data_type="text",
        )
    )
    return layer.arn


def _patch_kms_from_cloudformation() -> None:
    original = Key.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]
    if getattr(original, "patched", False):
        return

    def create(cls: type, name: str, template: dict[str, Any], account: str, region: str, **kw: Any) -> Any:
        properties = dict(template["Properties"])
        if isinstance(properties.get("KeyPolicy"), dict):
            properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])
        properties["Tags"] = [
            {"TagKey": t["Key"], "TagValue": t["Value"]} for t in properties.get("Tags", [])
        ]
        return original(cls, name, {**template, "Properties": properties}, account, region, **kw)

    create.patched = True  # type: ignore[attr-defined]
    Key.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign, assignment]


def _invoke_in_child_process(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
    """moto's Docker invocation's contract: (the result's JSON, whether it errored, the log text)."""
    self.logs_backend.ensure_log_group(self.logs_group_name)
    with tempfile.TemporaryDirectory(prefix="e2e-task-") as task:
        with zipfile.ZipFile(BytesIO(self.code_bytes)) as archive:
            archive.extractall(task)
        done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
            [sys.executable, "-S", str(RUNTIME), self.function_arn, str(uuid.uuid4())],
            input=json.dumps(event if event is not None else {}),
            env=_function_env(self, task),
            capture_output=True,
            text=True,
            timeout=int(self.timeout) + 30,
            check=False,
        )
    lines = done.stdout.splitlines() or ['{"errorType": "Runtime.ExitError", "errorMessage": "no output"}']
    logs = "\n".join(lines[:-1] + done.stderr.splitlines())
    self.save_logs(logs)
    return lines[-1], done.returncode != 0, logs


def _function_env(function: LambdaFunction, task: str) -> dict[str, str]:
    """What Lambda sets, the function's own variables, fake credentials and the endpoints."""
    site_packages = str(Path(aws_lambda_powertools.__file__).resolve().parents[1])
    return {
        "LAMBDA_TASK_ROOT": task,
        "_HANDLER": str(function.handler),
        "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
        "AWS_LAMBDA_FUNCTION_TIMEOUT": str(function.timeout),
        "AWS_REGION": function.region,
        "AWS_DEFAULT_REGION": function.region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        # The task first, as Lambda has it; then, standing in for the layer and the runtime's boto3,
        # this interpreter's site-packages (the child runs with -S: the editable install is not seen).
        "PYTHONPATH": f"{task}:{site_packages}",
        **function.environment_vars,
        **_endpoints,
    }


def _patch_rule_targets() -> None:
    original = Rule.send_to_targets
    if getattr(original, "patched", False):
        return

    def send_to_targets(self: Rule, event: Any, transform_input: bool = True) -> None:
        functions = [t for t in self.targets if parse_arn(t["Arn"]).service == "lambda"]
        if not functions:
            return original(self, event, transform_input)
        if len(functions) != len(self.targets) or any(_reshapes(t) for t in functions):
            raise NotImplementedError("harness/moto_patches.py: only plain Lambda targets are delivered")
        if not self.event_pattern.matches_event(event):
            return None
        delivered = {**event, "time": _iso(event["time"])}
        for target in functions:
            function = lambda_backends[self.account_id][self.region_name].get_function(target["Arn"])
            function.invoke(json.dumps(delivered), {"x-amz-invocation-type": "Event"}, {})
        return None

    send_to_targets.patched = True  # type: ignore[attr-defined]
    Rule.send_to_targets = send_to_targets  # type: ignore[method-assign, assignment]


def _reshapes(target: Mapping[str, Any]) -> bool:
    return any(key in target for key in ("Input", "InputPath", "InputTransformer"))


def _iso(time: Any) -> str:
    """EventBridge's `time` (moto keeps a Unix time until a target needs it, as its SQS target does)."""
    if isinstance(time, str):
        return time
    return datetime.fromtimestamp(float(time), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
