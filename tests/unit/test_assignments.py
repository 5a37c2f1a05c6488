"""`ops.assignments`: the one builder of SET/REMOVE clauses from a dict of changes (webhook endpoints and
deliveries, operators, console sessions)."""

from __future__ import annotations

from decimal import Decimal

import boto3
from moto import mock_aws

from pitboss import ops


def test_sets_every_change_with_numbered_placeholders() -> None:
    sets = ops.assignments({"status": "ok", "updated_at": "2026-12-01T06:00:00.000000Z"})
    assert sets.expression == "SET #u0 = :u0, #u1 = :u1"
    assert sets.names == {"#u0": "status", "#u1": "updated_at"}
    assert sets.values == {":u0": "ok", ":u1": "2026-12-01T06:00:00.000000Z"}


def test_none_is_a_null_value_unless_it_removes() -> None:
    assert ops.assignments({"description": None}).values == {":u0": None}
    sets = ops.assignments({"name": "Ann", "totp_secret": None, "role": "admin"}, none_removes=True)
    assert sets.expression == "SET #u0 = :u0, #u2 = :u2 REMOVE #u1"
    assert sets.names == {"#u0": "name", "#u1": "totp_secret", "#u2": "role"}
    assert sets.values == {":u0": "Ann", ":u2": "admin"}


def test_only_removals_make_no_empty_set_clause() -> None:
    sets = ops.assignments({"totp_secret": None}, none_removes=True)
    assert (sets.expression, sets.values) == ("REMOVE #u0", {})


@mock_aws
def test_names_that_are_reserved_words_or_not_placeholders_are_safe() -> None:
    """`status`, `ttl` and `name` are DynamoDB reserved words; `last-seen` can't be a placeholder's name."""
    client = boto3.client("dynamodb", region_name="eu-west-1")
    client.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    table = boto3.resource("dynamodb", region_name="eu-west-1").Table("t")
    table.put_item(Item={"pk": "a", "ttl": 1, "gone": "x"})
    sets = ops.assignments(
        {"status": "ok", "ttl": 2, "name": "n", "last-seen": Decimal("1.5"), "gone": None}, none_removes=True
    )
    table.update_item(
        Key={"pk": "a"},
        UpdateExpression=sets.expression,
        ExpressionAttributeNames=sets.names,
        ExpressionAttributeValues=sets.values,
    )
    assert table.get_item(Key={"pk": "a"})["Item"] == {
        "pk": "a",
        "status": "ok",
        "ttl": 2,
        "name": "n",
        "last-seen": Decimal("1.5"),
    }
