"""The function: runtime, code, Powertools layer, sizing, environment and its log group."""

from __future__ import annotations

from pathlib import Path

from aws_cdk.assertions import Capture, Match, Template
from aws_cdk.cx_api import CloudAssembly

from infra.function import ReprotectFunction
from reprotect import contract
from tests.infra.conftest import bare_stack, only, resource_types


def test_runtime_architecture_handler_and_sizing(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Runtime": "python3.14",
            "Architectures": ["arm64"],
            "Handler": "reprotect.handler.lambda_handler",
            "MemorySize": 512,
            "Timeout": 300,
        },
    )


def test_powertools_comes_from_the_pinned_public_layer_parameter(template: Template) -> None:
    # Given the layer is a CloudFormation SSM parameter type, synth needs no network
    layer = Capture()
    template.has_resource_properties("AWS::Lambda::Function", {"Layers": [{"Ref": layer}]})
    parameter = template.to_json()["Parameters"][layer.as_string()]
    assert parameter == {
        "Type": "AWS::SSM::Parameter::Value<String>",
        "Default": "/aws/service/powertools/python/arm64/python3.14/3.37.0",
    }


def test_engine_environment_is_wired_from_settings(template: Template) -> None:
    variables = only(template, "AWS::Lambda::Function")["Environment"]["Variables"]
    topic = next(iter(template.find_resources("AWS::SNS::Topic")))
    table = next(iter(template.find_resources("AWS::DynamoDB::Table")))
    assert variables == {
        "OUTCOME_TOPIC_ARN": {"Ref": topic},
        "IDEMPOTENCY_TABLE_NAME": {"Ref": table},
        "DRY_RUN": "false",
        "EXCLUDE_TAG": "AutoReprotect=false",
        "INCLUDE_TAG": "",
        "MAX_STARTS_PER_RUN": "100",
        "RESTART_COOLDOWN_SECONDS": "3600",
        "MAX_CONCURRENCY": "10",
        "NOTIFY_WHEN_IDLE": "false",
        "AWS_RETRY_MODE": "standard",
        "MAX_RESTARTS_PER_DAY": "3",
        "REPLICATING_SERVER_LIMIT": "300",
        "MAX_LAG_SECONDS": "3600",
        "REMIND_AFTER_SECONDS": "86400",
        "PROTECT_SOURCE_NETWORKS": "true",
        "REVERSE_REPLICATION": "report",
        "PACE_DRS_CALLS": "true",
        "POWERTOOLS_SERVICE_NAME": "drs-reprotect",
        "POWERTOOLS_METRICS_NAMESPACE": "DrsReprotect",
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }


def test_overridden_settings_reach_the_environment(
    opt_in_template: Template, plain_template: Template
) -> None:
    opt_in_template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "MemorySize": 1024,
            "Environment": {
                "Variables": Match.object_like(
                    {
                        "DRY_RUN": "false",  # the environment beats the shared settings block
                        "INCLUDE_TAG": "DR=auto",
                        "EXCLUDE_TAG": "NoReprotect",
                        "MAX_STARTS_PER_RUN": "25",  # from `-c max_starts_per_run=25`
                        "RESTART_COOLDOWN_SECONDS": "600",  # from the settings block
                    }
                )
            },
        },
    )
    plain_template.has_resource_properties(
        "AWS::Lambda::Function",
        {"Environment": {"Variables": Match.object_like({"DRY_RUN": "true", "MAX_STARTS_PER_RUN": "25"})}},
    )


def test_explicit_log_group_with_retention(template: Template, opt_in_template: Template) -> None:
    log_group = next(
        iter(template.find_resources("AWS::Logs::LogGroup", {"Properties": {"RetentionInDays": 90}}))
    )
    template.has_resource_properties(
        "AWS::Lambda::Function", {"LoggingConfig": {"LogGroup": {"Ref": log_group}}}
    )
    opt_in_template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 30})


def test_role_has_no_managed_policies(template: Template) -> None:
    template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": Match.object_like(
                {"Statement": [Match.object_like({"Principal": {"Service": "lambda.amazonaws.com"}})]}
            ),
            "ManagedPolicyArns": Match.absent(),
        },
    )


def test_asset_holds_only_runtime_code(default_assembly: CloudAssembly) -> None:
    code = only(
        Template.from_json(default_assembly.get_stack_by_name("DrsReprotect").template),
        "AWS::Lambda::Function",
    )
    asset = Path(default_assembly.directory) / f"asset.{code['Code']['S3Key'].removesuffix('.zip')}"
    files = {path.relative_to(asset).as_posix() for path in asset.rglob("*") if path.is_file()}
    assert "reprotect/handler.py" in files
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc") or f.startswith("requirements")]
    assert all(f.startswith(contract.HANDLER.split(".")[0] + "/") for f in files)


def test_function_construct_alone_in_a_bare_stack(tmp_path: Path) -> None:
    # Given only the function construct, with its own code, sizing, environment and layer parameter
    (tmp_path / "reprotect").mkdir()
    (tmp_path / "reprotect" / "handler.py").write_text("def lambda_handler(event, context):\n    return {}\n")
    stack = bare_stack()
    engine = ReprotectFunction(
        stack,
        "Engine",
        environment={"DRY_RUN": "true", "OUTCOME_TOPIC_ARN": "arn:aws:sns:eu-west-1:111111111111:t"},
        memory_mb=256,
        timeout_seconds=60,
        log_retention_days=7,
        code_path=tmp_path,
        powertools_layer_parameter="/my/powertools",
    )
    # When it is synthesized on its own
    template = Template.from_stack(stack)
    # Then it is the function, its role and its log group, nothing else
    assert resource_types(template) == ["AWS::IAM::Role", "AWS::Lambda::Function", "AWS::Logs::LogGroup"]
    function = only(template, "AWS::Lambda::Function")
    assert (function["Handler"], function["MemorySize"], function["Timeout"]) == (contract.HANDLER, 256, 60)
    # And the caller's environment reaches it, with Powertools' variables added
    assert function["Environment"]["Variables"] == {
        "DRY_RUN": "true",
        "OUTCOME_TOPIC_ARN": "arn:aws:sns:eu-west-1:111111111111:t",
        "POWERTOOLS_SERVICE_NAME": "drs-reprotect",
        "POWERTOOLS_METRICS_NAMESPACE": "DrsReprotect",
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }
    assert only(template, "AWS::Logs::LogGroup")["RetentionInDays"] == 7
    assert function["LoggingConfig"] == {"LogGroup": stack.resolve(engine.log_group.log_group_name)}
    (layer,) = function["Layers"]
    assert template.to_json()["Parameters"][layer["Ref"]] == {
        "Type": "AWS::SSM::Parameter::Value<String>",
        "Default": "/my/powertools",
    }
