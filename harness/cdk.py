"""The pinned CDK CLI run against a local AWS (moto on loopback, see harness/moto_patches.py): `cdk
bootstrap` and `cdk deploy`, as an operator runs them, with fake credentials and nothing sent elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from harness.env import use_fake_aws

ROOT = Path(__file__).resolve().parent.parent
CDK = ROOT / "node_modules" / ".bin" / "cdk"


class CdkError(RuntimeError):
    """A CDK CLI command failed; the message ends with what it printed last."""


def local_endpoint(url: str) -> str:
    """`http://localhost:PORT` for a loopback URL. moto takes the S3 bucket from the URL's host when it
    is an address (virtual-host style), so with `127.0.0.1` the deploy cannot find the asset bucket."""
    parts = urlsplit(url)
    return f"{parts.scheme}://localhost:{parts.port}"


@dataclass(frozen=True)
class CdkCli:
    """The CDK CLI pointed at `endpoint` for every AWS service, with the app run on this interpreter."""

    endpoint: str
    timeout: float = 300

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        use_fake_aws(env)
        env.update(
            {
                "AWS_ENDPOINT_URL": self.endpoint,
                "CDK_DISABLE_CLI_TELEMETRY": "true",  # cdk.json says so too; tests/infra proves that
                "CDK_DISABLE_VERSION_CHECK": "1",
                "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
            }
        )
        return env

    def run(self, *args: str) -> str:
        """Run `cdk <args>` in the repository; its stderr (where the CLI reports), or CdkError."""
        done = subprocess.run(  # noqa: S603 - the pinned CLI from node_modules, no shell
            [str(CDK), *args],
            cwd=ROOT,
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=self.timeout,
            check=False,
        )
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
            raise CdkError(f"cdk {' '.join(args)} exited {done.returncode}:\n{tail}")
        return done.stderr

    def bootstrap(self, account: str, region: str) -> str:
        return self.run("bootstrap", f"aws://{account}/{region}")

    def synth(self, output: Path) -> str:
        """Synthesize the app from source (cdk.json's context, run on this interpreter) into `output`."""
        return self.run("synth", "--quiet", "--app", f"{sys.executable} app.py", "--output", str(output))

    def deploy(self, assembly: Path) -> str:
        """Deploy every stack of a synthesized cloud assembly (publishing its assets first)."""
        return self.run("deploy", "--all", "--app", str(assembly), "--require-approval", "never")
