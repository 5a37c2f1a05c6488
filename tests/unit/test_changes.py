"""pitboss.changes: stream records become plain Changes (Decimal amounts, keys split out)."""

from decimal import Decimal

from pitboss import changes


def test_a_stream_record_becomes_a_change() -> None:
    record = {
        "eventID": "e1",
        "eventName": "MODIFY",
        "dynamodb": {
            "Keys": {"pk": {"S": "T#t#live#P#u"}, "sk": {"S": "WALLET"}},
            "NewImage": {"pk": {"S": "T#t#live#P#u"}, "sk": {"S": "WALLET"}, "real": {"N": "10.50"}},
            "OldImage": {"pk": {"S": "T#t#live#P#u"}, "sk": {"S": "WALLET"}, "real": {"N": "10"}},
            "SequenceNumber": "100",
        },
    }
    change = changes.from_record(record)
    assert (change.event_id, change.name, change.pk, change.sk, change.sequence) == (
        "e1",
        "MODIFY",
        "T#t#live#P#u",
        "WALLET",
        "100",
    )
    assert change.new is not None and change.new["real"] == Decimal("10.50")
    assert change.old is not None and change.old["real"] == Decimal("10")
    assert change.item is change.new


def test_a_removal_keeps_the_old_item() -> None:
    record = {
        "eventID": "e2",
        "eventName": "REMOVE",
        "dynamodb": {"Keys": {"pk": {"S": "a"}, "sk": {"S": "b"}}, "OldImage": {"pk": {"S": "a"}, "sk": {"S": "b"}}},
    }
    change = changes.from_record(record)
    assert change.new is None and change.item == {"pk": "a", "sk": "b"}


def test_binary_values_arrive_as_base64_text_in_lambda_events() -> None:
    """Lambda's DynamoDB Streams events are JSON: a binary attribute (the idempotency record's packed answer)
    is base64 text. boto3's deserializer refused it, so every write's idempotency record was a poison record."""
    record = {
        "eventID": "e3",
        "eventName": "INSERT",
        "dynamodb": {
            "Keys": {"pk": {"S": "T#t#live#IDEM#k"}, "sk": {"S": "IDEM"}},
            "NewImage": {
                "pk": {"S": "T#t#live#IDEM#k"},
                "sk": {"S": "IDEM"},
                "response": {"B": "eJzLSM3JyQcABiwCFQ=="},
                "nested": {"M": {"blobs": {"L": [{"B": "AAE="}]}, "set": {"BS": ["AQ=="]}}},
            },
            "SequenceNumber": "7",
        },
    }
    change = changes.from_record(record)
    assert change.new is not None
    assert bytes(change.new["response"]) == b"x\x9c\xcbH\xcd\xc9\xc9\x07\x00\x06,\x02\x15"
    assert bytes(change.new["nested"]["blobs"][0]) == b"\x00\x01"
    assert {bytes(b) for b in change.new["nested"]["set"]} == {b"\x01"}


def test_dynamodb_locals_untyped_empty_map_is_an_empty_map() -> None:
    """DynamoDB Local's stream writes an empty map attribute as `{}` (no type tag); a new profile has several."""
    keys = {"pk": {"S": "T#t#live#P#u"}, "sk": {"S": "PROFILE"}}
    record = {"eventID": "e4", "eventName": "INSERT", "dynamodb": {"Keys": keys, "NewImage": {**keys, "limits": {}}}}
    change = changes.from_record(record)
    assert change.new is not None and change.new["limits"] == {}
