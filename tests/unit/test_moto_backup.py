"""tests/moto_backup.py: moto's TransactWriteItems still rolls back, and copies each table once, not once per item."""

from __future__ import annotations

import copy
import threading
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.dynamodb import models
from moto.dynamodb.models.table import Table


def _put(table: str, pk: str) -> dict[str, Any]:
    return {"Put": {"TableName": table, "Item": {"pk": {"S": pk}, "sk": {"S": "X"}}}}


def _refused_update(table: str) -> dict[str, Any]:
    """An update of the `kept` item (n = 1) whose condition fails: the transaction holding it is cancelled."""
    return {
        "Update": {
            "TableName": table,
            "Key": {"pk": {"S": "kept"}, "sk": {"S": "X"}},
            "UpdateExpression": "SET n = :two",
            "ConditionExpression": "n = :zero",
            "ExpressionAttributeValues": {":two": {"N": "2"}, ":zero": {"N": "0"}},
        }
    }


def _keys(client: Any, table: str) -> set[str]:
    return {item["pk"]["S"] for item in client.scan(TableName=table)["Items"]}


def test_a_failed_transaction_still_leaves_the_table_as_it_was(moto_table: str) -> None:
    client: Any = boto3.client("dynamodb", region_name="us-east-1")
    client.put_item(TableName=moto_table, Item={"pk": {"S": "kept"}, "sk": {"S": "X"}, "n": {"N": "1"}})
    refused = _refused_update(moto_table)
    with pytest.raises(ClientError) as refusal:
        client.transact_write_items(TransactItems=[_put(moto_table, "a"), _put(moto_table, "b"), refused])
    assert refusal.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert _keys(client, moto_table) == {"kept"}  # a and b, written before the refusal, rolled back
    item = client.get_item(TableName=moto_table, Key={"pk": {"S": "kept"}, "sk": {"S": "X"}})["Item"]
    assert item["n"] == {"N": "1"}

    client.transact_write_items(TransactItems=[_put(moto_table, "a"), _put(moto_table, "b")])
    assert _keys(client, moto_table) == {"kept", "a", "b"}


def test_a_transaction_copies_its_table_once(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    client: Any = boto3.client("dynamodb", region_name="us-east-1")
    copied: list[Any] = []
    real = copy.deepcopy

    def counting(obj: Any, memo: Any = None) -> Any:
        if isinstance(obj, Table):
            copied.append(obj)
        return real(obj, memo)

    monkeypatch.setattr(copy, "deepcopy", counting)
    client.transact_write_items(TransactItems=[_put(moto_table, str(n)) for n in range(8)])
    assert len(copied) == 1  # moto alone copies it 8 times
    stand_in: Any = models.__dict__["copy"]  # outside a transaction, the copy module's own deepcopy
    assert stand_in.deepcopy(["not", "a", "table"]) == ["not", "a", "table"]


def test_a_write_from_another_thread_during_a_transaction_is_neither_an_error_nor_lost(
    moto_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tests/moto_serial.py: moto answers one request at a time. Here a second thread writes while a transaction
    that will be refused holds its rollback copy; unserialised, the write lands in the table and the rollback
    then erases it."""
    client: Any = boto3.client("dynamodb", region_name="us-east-1")
    client.put_item(TableName=moto_table, Item={"pk": {"S": "kept"}, "sk": {"S": "X"}, "n": {"N": "1"}})
    errors: list[Exception] = []
    landed = threading.Event()
    writers: list[threading.Thread] = []

    def write() -> None:
        try:
            boto3.client("dynamodb", region_name="us-east-1").put_item(
                TableName=moto_table, Item={"pk": {"S": "beside"}, "sk": {"S": "X"}}
            )
        except Exception as exc:  # what the test looks for
            errors.append(exc)
        finally:
            landed.set()

    copy_once = models.__dict__["copy"]
    real_copy = copy_once.deepcopy

    def copy_then_write(obj: Any, memo: Any = None) -> Any:
        backup = real_copy(obj, memo)
        if isinstance(obj, Table) and not writers:
            writers.append(threading.Thread(target=write))
            writers[0].start()
            # serialised, the writer waits for this transaction to end, so this bound passes
            landed.wait(timeout=0.3)
        return backup

    monkeypatch.setattr(copy_once, "deepcopy", copy_then_write)
    refused = _refused_update(moto_table)
    with pytest.raises(ClientError):
        client.transact_write_items(TransactItems=[_put(moto_table, "a"), refused])
    writers[0].join(timeout=5)
    assert errors == []
    assert _keys(client, moto_table) == {"kept", "beside"}
