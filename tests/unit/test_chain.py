"""The hash chain's pure parts (issue 14 §5): canonical JSON, sealing a transaction, verifying."""

from __future__ import annotations

from decimal import Decimal

from boto3.dynamodb.types import Binary

from pitboss import chain, store

PK = "T#t#live#P#u"


def test_canonical_json_is_sorted_compact_utf8_and_numbers_by_value() -> None:
    # "canonical = sorted keys, no whitespace, Decimals as strings" (DESIGN.md, Hash chain): exact value.
    assert chain.canonical({"b": 1, "a": [Decimal("1.50"), Decimal("100"), 2, True, None], "ü": "é"}) == (
        '{"a":[1.5,100,2,true,null],"b":1,"ü":"é"}'
    )
    # DynamoDB keeps a number's value, not its spelling: what is read back hashes like what was written.
    assert chain.canonical(Decimal("1E+2")) == chain.canonical(100) == "100"
    assert chain.canonical(Decimal("-0.010")) == "-0.01"
    assert chain.canonical(Decimal("0.00")) == "0"
    assert chain.canonical({"x": None, "y": {"z": None}}) == '{"y":{}}'  # null attributes are not stored
    assert chain.canonical({"s": {"b", "a"}}) == '{"s":["a","b"]}'
    assert chain.canonical(Binary(b"\x00\x01")) == chain.canonical(b"\x00\x01") == '"AAE="'


def _event(n: int) -> dict[str, object]:
    return {"pk": PK, "sk": f"EVT#2026-01-01T00:00:0{n}.000000Z#{n}", "kind": "event", "id": str(n), "type": "t"}


def _entry(seq: int) -> dict[str, object]:
    return {"pk": PK, "sk": f"TX#{seq:012d}", "kind": "entry", "id": f"tx{seq}", "seq": seq, "amount": Decimal("1.00")}


def test_seal_links_events_to_the_profile_and_entries_to_the_wallet_and_moves_both_heads() -> None:
    profile = store.Put(
        {"pk": PK, "sk": "PROFILE", "chain_head": "a" * 64},
        condition="#v = :v",
        names={"#v": "version"},
        values={":v": 3},
    )
    wallet = store.Put({"pk": PK, "sk": "WALLET"}, condition="#seq = :seq", names={"#seq": "seq"}, values={":seq": 0})
    ops: list[store.Op] = [profile, wallet, store.Put(_entry(1)), store.Put(_entry(2)), store.Put(_event(1))]
    sealed = chain.seal(ops)
    assert [getattr(op, "item", {}).get("hash") for op in ops] == [None] * 5  # the input is left as it was
    e1, e2, ev = (sealed[i].item for i in (2, 3, 4))  # type: ignore[union-attr]
    assert e1["prev_hash"] == chain.GENESIS and e2["prev_hash"] == e1["hash"]
    assert ev["prev_hash"] == "a" * 64
    assert all(chain.digest(i) == i["hash"] for i in (e1, e2, ev))
    p, w = sealed[0], sealed[1]
    assert isinstance(p, store.Put) and isinstance(w, store.Put)
    assert p.item["chain_head"] == ev["hash"] and w.item["chain_head"] == e2["hash"]
    # The anchors are conditioned on the heads they read: two writers can never fork a chain.
    assert p.condition == "(#v = :v) AND #chain_head = :chain_head" and p.values[":chain_head"] == "a" * 64
    assert w.condition == "(#seq = :seq) AND attribute_not_exists(#chain_head)"
    assert chain.seal(ops)[4] == sealed[4]  # a transaction sent again is sealed the same way


def test_an_event_without_its_profile_or_wallet_is_sealed_alone_and_other_ops_are_untouched() -> None:
    check = store.Check(PK, "PROFILE", "#v = :v", names={"#v": "version"}, values={":v": 1})
    other = store.Put({"pk": PK, "sk": "CREDENTIALS"})
    sealed = chain.seal([check, other, store.Put(_event(1))])
    assert sealed[0] is check and sealed[1] is other
    item = sealed[2].item  # type: ignore[union-attr]
    assert "prev_hash" not in item and item["hash"] == chain.digest(item)
    assert chain.seal([check, other]) == [check, other]


def _chain(n: int) -> tuple[list[dict[str, object]], str]:
    items, prev = [], chain.GENESIS
    for seq in range(1, n + 1):
        item = {**_entry(seq), "prev_hash": prev}
        item["hash"] = prev = chain.digest(item)
        items.append(item)
    return items, prev


def test_verify_finds_an_edit_a_rehashed_edit_a_deletion_and_an_insertion() -> None:
    items, head = _chain(4)
    assert chain.verify(items, [head]).ok and chain.verify(items, [head]).checked == 4
    edited = [dict(i) for i in items]
    edited[1]["amount"] = Decimal("9.00")
    report = chain.verify(edited, [head])
    assert report.first_broken is not None and report.first_broken.item["seq"] == 2
    assert report.first_broken.reason == "content_changed"
    edited[1]["hash"] = chain.digest(edited[1])  # re-hashed: its successor's link no longer holds
    report = chain.verify(edited, [head])
    assert not report.ok and report.first_broken is not None and report.first_broken.item["seq"] == 2
    assert {b.reason for b in report.breaks} == {"missing_link", "not_on_chain"}
    truncated = chain.verify(items[:3], [head])  # the newest entry deleted: the head names nothing
    assert not truncated.ok and truncated.breaks[0].reason == "missing_link"
    forged = {**_entry(9), "prev_hash": chain.GENESIS}
    forged["hash"] = chain.digest(forged)
    assert chain.verify([*items, forged], [head]).first_broken.item["seq"] == 9  # type: ignore[union-attr]
    # Unchained (pre-chain) history is counted, not verified; no head and chained items is a break.
    assert chain.verify([_entry(1)], [None]).unchained == 1
    assert not chain.verify(items, [None]).ok


def test_items_chained_after_the_heads_were_read_still_verify_but_only_recent_ones() -> None:
    items, head = _chain(3)
    later = {**_entry(4), "prev_hash": head, "created_at": "2026-06-01T00:00:00.000000Z"}
    later["hash"] = chain.digest(later)
    assert chain.verify([*items, later], [head], since="2026-05-31T23:59:00.000000Z").ok
    assert not chain.verify([*items, later], [head], since="2026-06-01T00:01:00.000000Z").ok
