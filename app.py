#!/usr/bin/env python3
"""CDK entry point. Offline: no credentials, no lookups. See docs/deploy.md for the context it reads."""

import sys

from aws_cdk import App

from infra import ConfigError
from infra.application import build_app

app = App()
try:
    build_app(app)
except ConfigError as exc:
    sys.exit(f"drs-reprotect configuration error: {exc}")
app.synth()
