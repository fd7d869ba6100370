"""Idempotency table: key, TTL, on-demand, point-in-time recovery, encryption."""

from __future__ import annotations

from aws_cdk.assertions import Template

from infra.idempotency import IdempotencyStore
from reprotect import contract
from tests.infra.conftest import bare_stack, only, resource_types


def test_table_properties(template: Template) -> None:
    table = only(template, "AWS::DynamoDB::Table")
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"] == {"SSEEnabled": True}


def test_idempotency_construct_alone_in_a_bare_stack() -> None:
    # Given only the idempotency store
    stack = bare_stack()
    store = IdempotencyStore(stack, "Idempotency")
    # When it is synthesized on its own
    template = Template.from_stack(stack)
    # Then it is one table, keyed and expiring as the contract says, removed with the stack
    assert resource_types(template) == ["AWS::DynamoDB::Table"]
    table = only(template, "AWS::DynamoDB::Table")
    assert table["KeySchema"] == [{"AttributeName": contract.TABLE_PARTITION_KEY, "KeyType": "HASH"}]
    assert table["TimeToLiveSpecification"]["AttributeName"] == contract.TABLE_TTL_ATTRIBUTE
    template.has_resource("AWS::DynamoDB::Table", {"DeletionPolicy": "Delete"})
    assert stack.resolve(store.table.table_name) == {
        "Ref": next(iter(template.find_resources("AWS::DynamoDB::Table")))
    }
