"""moto (SNS, SQS, DynamoDB) on loopback: threaded in this process, or in a process of its own.

`python -m harness.moto_server` is that process: it prints its URL, then serves until stdin closes.
With `--deploy DRS_URL` it is the local AWS that `make e2e` deploys the stack to: moto patched by
harness/moto_patches.py, the Powertools layer parameter seeded, functions pointed at `DRS_URL` for DRS.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from moto.server import ThreadedMotoServer

from harness.atomic_writes import make_item_writes_atomic

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def running_moto() -> Iterator[str]:
    """A moto server in a thread of this process, on 127.0.0.1 (moto binds 0.0.0.0 unless told); its URL."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
    make_item_writes_atomic()  # what DynamoDB guarantees; see harness.atomic_writes
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


class MotoProcess:
    """moto in a child process, so it shares no GIL with the program being measured; with `deploy`
    (the DRS emulator's URL), patched to take `cdk deploy` and run the deployed function."""

    def __init__(self, deploy: str | None = None) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - this interpreter, our own module
            [sys.executable, "-m", "harness.moto_server", *(["--deploy", deploy] if deploy else [])],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self.stop()
            raise RuntimeError("moto did not start")

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        """Close its stdin (it stops serving and exits); end it if it does not."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait(10)


def prepare_for_deploy(moto_url: str, drs_url: str) -> None:
    """Patch this process's moto for `cdk deploy` and seed what AWS itself would have published."""
    from harness import moto_patches  # imported here: the plain server never patches moto
    from harness.env import ACCOUNT, REGION
    from infra.constants import POWERTOOLS_LAYER_PARAMETER

    moto_patches.apply({"AWS_ENDPOINT_URL": moto_url, "AWS_ENDPOINT_URL_DRS": drs_url})
    moto_patches.seed_powertools_layer(POWERTOOLS_LAYER_PARAMETER, ACCOUNT, REGION)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    with running_moto() as url:
        if args[:1] == ["--deploy"]:
            prepare_for_deploy(url, args[1])
        print(url, flush=True)
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    sys.exit(main())
