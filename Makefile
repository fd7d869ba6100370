# One entry point for everything. `make setup` is idempotent: it only reinstalls when a pinned
# requirements file or the npm lockfile changed.
SHELL := /bin/bash
PYTHON ?= python3
# Another interpreter gets a venv of its own: make unit PYTHON=/path/to/python3.13 VENV=.venv-3.13
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The pinned CDK CLI itself (not `npx`, which asks the npm registry about updates), running the app
# with this venv's interpreter.
CDK := node_modules/.bin/cdk
CDK_APP := $(PY) app.py
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
# Nothing leaves the machine: cdk.json turns the CLI's telemetry and notices off; this says it again
# for any cdk command run from make.
export CDK_DISABLE_CLI_TELEMETRY := true
# `make emulator` listens on a fixed port so a shell can keep its exports: make emulator EMULATOR_PORT=9000
EMULATOR_PORT ?= 8123

.PHONY: setup test lint typecheck unit synth synth-org rollout digest-sample e2e demo bench faults mutation emulator clean

setup: $(STAMP) node_modules/.package-lock.json
	@$(PY) -m scripts.check_node

$(STAMP): requirements.txt requirements-dev.txt lambdas/requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	# The Lambda and construct packages, editable: no PYTHONPATH anywhere; puts drs-reprotect on the venv's PATH.
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

lint: setup
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

typecheck: setup
	$(VENV)/bin/mypy

unit: setup
	$(PY) -m pytest

test: lint typecheck unit

synth: setup
	$(CDK) synth --app "$(CDK_APP)" --quiet --output cdk.out
	$(VENV)/bin/cfn-lint --ignore-checks W3005 -- cdk.out/*.template.json
	$(MAKE) --no-print-directory synth-org

# The organization-wide stacks for the sample organization (docs/organization.md): hub, sinks, asset
# buckets, the canary and members StackSets and their member templates (*.stackset.template.json).
ORG_SAMPLE := examples/organization.json
synth-org: setup
	npx cdk synth --quiet --output cdk.out.org -c organization="$$(tr -d '\n' < $(ORG_SAMPLE))"
	$(VENV)/bin/cfn-lint --ignore-checks W3005 -- cdk.out.org/*.template.json

# The rollout plan's arithmetic: make rollout ROLLOUT_ARGS="--accounts 500 --regions 17 --minutes 4"
rollout: setup
	$(PY) -m infra.org.rollout $(ROLLOUT_ARGS)

# A sample organization's daily digest, by the hub's own code against moto
digest-sample: setup
	$(PY) -m scripts.digest_sample

# cdk bootstrap + cdk deploy of the app to a patched moto on loopback (harness/moto_patches.py), then
# every sample event through the deployed stack against the DRS emulator: tests/e2e.
e2e: setup
	$(PY) -m pytest -m e2e tests/e2e

demo: setup
	$(PY) -m scripts.demo $(ARGS)

# Mutation testing of the Lambda package (not in `make test` or CI: a whole run takes many hours on two
# cores; mutmut keeps its results in mutants/, so a rerun after a change checks only what changed).
# mutmut names mutants after paths below src/, hence the link; docs/mutation.md gets the scores.
mutation: setup
	mkdir -p src mutants && ln -sfn ../lambdas/reprotect src/reprotect
	git describe --always --dirty=+changes > mutants/commit  # what this run measures (the copies it takes now)
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/mutmut run --max-children 2
	$(PY) -m scripts.mutation_report

faults: setup
	$(PY) -m faults

bench: setup
	$(PY) -m bench

emulator: setup
	$(PY) -m drs_emulator --servers 500 --port $(EMULATOR_PORT)

clean:
	rm -rf .venv .venv-* $(VENV) node_modules cdk.out cdk.out.org mutants src .pytest_cache .mypy_cache .ruff_cache
