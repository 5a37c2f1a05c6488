"""Issue 14 §1: item changes become domain events with stable ids, allow-listed fields and published JSON
Schemas (docs/events/*.json); the stream consumer reports a poison record and processes the rest."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from pitboss import changes, streams
from pitboss.events import models, rules
from pitboss.identity.entity import Player

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events"
REALM = "T#t1#live"
PK = f"{REALM}#P#u-1"
REF = rules.PlayerRef(user_id="u-1", username="Starlord", player_id=7, brand_id=3)


def _profile(**changes_: Any) -> dict[str, Any]:
    player = Player(
        realm=REALM,
        user_id="u-1",
        player_id=7,
        brand_id=3,
        username="Starlord",
        email="s@example.com",
        created_at="2026-11-30T10:00:00.000000Z",
        updated_at="2026-11-30T10:00:00.000000Z",
    )
    item = player.model_copy(update=changes_).to_item()
    # What must never leave the table, whatever lands on an item one day.
    item["password_hash"] = "$argon2id$v=19$m=65536,t=3,p=4$secret"
    item["reset_link"] = "hash-of-a-link-token"
    return item


def _change(name: str, new: dict[str, Any] | None, old: dict[str, Any] | None, seq: str = "1") -> changes.Change:
    item = new or old or {}
    return changes.Change("e" + seq, name, seq, item["pk"], item["sk"], new, old)  # type: ignore[arg-type]


def _entry(seq: int, type_: str, **extra: Any) -> dict[str, Any]:
    return {
        "pk": PK,
        "sk": f"TX#{seq:012d}",
        "kind": "entry",
        "id": f"tx_{seq}",
        "seq": seq,
        "type": type_,
        "rail": "real",
        "amount": Decimal("12.50"),
        "currency": "USD",
        "postings": [
            {"account": "player:real", "rail": "real", "currency": "USD", "amount": Decimal("-12.50")},
            {"account": "house:cash", "rail": "real", "currency": "USD", "amount": Decimal("12.50")},
        ],
        "balance_currency": "USD",
        "balance_before": Decimal("100.00"),
        "balance_after": Decimal("87.50"),
        "ref_id": None,
        "round_id": None,
        "memo": "internal memo",
        "actor": "key:key_1",
        "created_at": "2026-11-30T10:05:00.000000Z",
        **extra,
    }


def _validate(event: dict[str, Any]) -> None:
    schema = json.loads((DOCS / f"{event['type']}.json").read_text())
    jsonschema_rs.Draft202012Validator(schema, validate_formats=True).validate(json.loads(json.dumps(event)))


def _all_sample_events() -> list[dict[str, Any]]:
    created = _profile()
    moved = _profile(
        version=1,
        status="suspended",
        kyc_status="approved",
        kyc_level=2,
        limits={"deposit_daily_limit": Decimal("50.00"), "session_duration_limit": 60},
        email="new@example.com",
        tags=["vip"],
        updated_at="2026-11-30T11:00:00.000000Z",
    )
    found = rules.events_of(_change("INSERT", created, None))
    found += rules.events_of(_change("MODIFY", moved, created, "2"))
    for seq, (type_, extra) in enumerate(
        [
            ("bet", {"round_id": "r1", "provider": "pragmatic", "ref_id": "b1"}),
            ("withdrawal", {"withdrawal_id": "wd_1", "status": "pending"}),
            ("withdrawal_complete", {"withdrawal_id": "wd_1", "status": "completed"}),
            ("withdrawal_cancel", {"withdrawal_id": "wd_2", "status": "cancelled"}),
            ("bonus_grant", {"bonus_id": "bn_1"}),
            ("bonus_convert", {"bonus_id": "bn_1"}),
            ("bonus_forfeit", {"bonus_id": "bn_2"}),
        ],
        start=1,
    ):
        found += rules.events_of(_change("INSERT", _entry(seq, type_, **extra), None, f"1{seq}"), REF)
    return found


def test_every_event_type_is_emitted_and_matches_its_published_schema() -> None:
    """'JSON Schemas for every event type in docs/events/, checked by a test against emitted events.'"""
    events = _all_sample_events()
    assert {e["type"] for e in events} == set(rules.EVENT_TYPES)
    for event in events:
        _validate(event)


def test_the_published_schemas_are_the_models() -> None:
    """docs/events/*.json is generated from pitboss.events.models (UPDATE_EVENT_SCHEMAS=1 rewrites it)."""
    for event_type in rules.EVENT_TYPES:
        text = json.dumps(models.schema(event_type), indent=2, sort_keys=True) + "\n"
        path = DOCS / f"{event_type}.json"
        if os.environ.get("UPDATE_EVENT_SCHEMAS"):
            path.write_text(text)
        assert path.exists() and path.read_text() == text, f"{path.name} is stale: UPDATE_EVENT_SCHEMAS=1 pytest"


def test_no_hash_token_memo_or_key_ever_leaves_the_table() -> None:
    """'No password hashes, tokens or key hashes ever leave the table': an allow-list per type."""
    text = json.dumps(_all_sample_events())
    for secret in ("argon2", "hash-of-a-link-token", "internal memo", "key:key_1", "gsi1pk", '"pk"', "due_"):
        assert secret not in text


def test_event_ids_are_stable_across_redeliveries_and_differ_per_version() -> None:
    created, moved = _profile(), _profile(version=1, status="closed", updated_at="2026-11-30T12:00:00.000000Z")
    once = rules.events_of(_change("MODIFY", moved, created, "5"))
    again = rules.events_of(_change("MODIFY", moved, created, "9"))  # the same change, redelivered
    assert [e["id"] for e in once] == [e["id"] for e in again]
    later = _profile(version=2, status="active", updated_at="2026-11-30T13:00:00.000000Z")
    assert {e["id"] for e in rules.events_of(_change("MODIFY", later, moved))}.isdisjoint(e["id"] for e in once)


def test_a_profile_change_is_one_event_per_kind_of_change() -> None:
    created = _profile()
    moved = _profile(version=1, status="suspended", kyc_status="pending")
    events = rules.events_of(_change("MODIFY", moved, created))
    assert [e["type"] for e in events] == ["player.status_changed", "player.kyc_changed"]
    status = events[0]
    assert status["data"] == {"from": "active", "to": "suspended"}
    assert (status["tenant_id"], status["mode"], status["brand_id"]) == ("t1", "live", 3)
    assert status["player"] == {"uuid": "u-1", "username": "Starlord", "player_id": 7}


def test_a_ledger_entry_is_a_posting_with_exact_decimals_and_a_withdrawal_event() -> None:
    events = rules.events_of(_change("INSERT", _entry(4, "withdrawal", withdrawal_id="wd_9"), None), REF)
    posted, requested = events
    assert posted["type"] == "wallet.transaction_posted"
    assert posted["data"]["balance_after"] == "87.50"
    assert posted["data"]["postings"][0] == {
        "account": "player:real",
        "rail": "real",
        "currency": "USD",
        "amount": "-12.50",
    }
    assert requested["type"] == "withdrawal.requested" and requested["data"]["withdrawal_id"] == "wd_9"


def test_items_that_are_not_events_are_ignored() -> None:
    wallet = {"pk": PK, "sk": "WALLET", "balances": {"real": Decimal("1")}}
    session = {"pk": "SESSION#abc", "sk": "SESSION", "token": "x"}
    assert rules.events_of(_change("MODIFY", wallet, wallet)) == []
    assert rules.events_of(_change("INSERT", session, None)) == []
    assert rules.events_of(_change("REMOVE", None, _profile())) == []


# ---- the consumer -------------------------------------------------------------------------------------


def _record(seq: str, pk: str, sk: str = "PROFILE") -> dict[str, Any]:
    keys = {"pk": {"S": pk}, "sk": {"S": sk}}
    return {
        "eventID": f"id-{seq}",
        "eventName": "INSERT",
        "dynamodb": {"Keys": keys, "NewImage": {**keys, "n": {"N": seq}}, "SequenceNumber": seq},
    }


def test_a_poison_record_is_reported_and_the_rest_of_the_batch_is_processed() -> None:
    """'the stream consumer survives a poison record (it goes to the DLQ, the rest of the batch is processed)':
    the failed record (and a later change of the same item, to keep its order) is reported for Lambda's
    retries and DLQ; every other record reaches the sinks."""
    seen: list[str] = []

    def sink(change: changes.Change) -> None:
        if change.pk == "poison":
            raise ValueError("cannot handle this item")
        seen.append(change.sequence)

    unreadable = {"eventID": "bad", "eventName": "INSERT", "dynamodb": {"SequenceNumber": "105"}}
    batch = [
        _record("100", "a"),
        _record("101", "poison"),
        _record("102", "b"),
        _record("103", "poison"),  # the same item after its failed change: must not overtake it
        _record("104", "c"),
        unreadable,
        _record("106", "d"),
    ]
    answer = streams.consume(batch, [sink])
    assert answer == {"batchItemFailures": [{"itemIdentifier": s} for s in ("101", "103", "105")]}
    assert seen == ["100", "102", "104", "106"]


def test_a_clean_batch_reports_nothing() -> None:
    assert streams.consume([_record("1", "a"), _record("2", "b")], [lambda _c: None]) == {"batchItemFailures": []}


@pytest.mark.parametrize("sink_count", [1, 2])
def test_every_sink_sees_every_change_in_order(sink_count: int) -> None:
    seen: list[tuple[int, str]] = []
    sinks = [lambda c, i=i: seen.append((i, c.sequence)) for i in range(sink_count)]
    streams.consume([_record("1", "a"), _record("2", "a")], sinks)
    assert seen == [(i, s) for s in ("1", "2") for i in range(sink_count)]


def test_the_schemas_are_closed_a_smuggled_field_fails_validation() -> None:
    event = next(e for e in _all_sample_events() if e["type"] == "player.created")
    smuggled = {**event, "data": {**event["data"], "password_hash": "$argon2id$..."}}
    with pytest.raises(jsonschema_rs.ValidationError):
        _validate(smuggled)
    with pytest.raises(jsonschema_rs.ValidationError):
        _validate({**event, "type": "player.updated"})
