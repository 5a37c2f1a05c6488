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
