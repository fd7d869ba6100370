#!/usr/bin/env python3
"""CDK entry point. Offline: no credentials, no lookups. See docs/deploy.md for the context it reads."""

from aws_cdk import App

from infra.application import build_app

app = App()
build_app(app)
app.synth()
