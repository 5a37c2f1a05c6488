"""Lootboxes in process (issue 13 §4): definitions, grants, opens through the wallet port, replays, refusals,
and fairness: draws recomputed from a revealed seed, prize frequencies against the weights."""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from decimal import Decimal

import pytest
from pydantic import ValidationError

from pitboss import store
from pitboss.errors import Conflict, IdempotencyConflict, InsufficientFunds, NotFound, PlayerBlocked, Unprocessable
from pitboss.lootbox import definitions, fairness, repository, rules
from pitboss.lootbox.models import LootboxIn
from tests.lootbox_support import PRIZES, Boxes
from tests.wallet_support import assert_ledger_consistent

FIXED_SEED = "00" * 31 + "2a"


# ---- the draw (pure) ---------------------------------------------------------------------------


def test_the_draw_is_hmac_sha256_of_player_and_nonce_read_as_64_bit_words() -> None:
    """issue 13: "each open draws from HMAC(server seed, player nonce)"; recomputed here by hand."""
    weights = [50, 30, 15, 5]
    d = rules.draw(FIXED_SEED, "u-1", 7, weights)
    digest = hmac.new(bytes.fromhex(FIXED_SEED), b"u-1:7", hashlib.sha256).digest()
    x = int.from_bytes(digest[:8], "big")
    assert d.roll == x % 100 and d.message == "u-1:7" and d.total == 100
    assert d.index == rules.pick(weights, d.roll)


def test_a_value_in_the_biased_tail_is_rejected_not_folded() -> None:
    """No modulo bias: with W = 3, 2^64 mod 3 = 1, so the one top value 2^64 - 1 is rejected."""
    assert rules.uniform(2**64 - 2, 3) == (2**64 - 2) % 3
    assert rules.uniform(2**64 - 1, 3) is None
    assert rules.uniform(2**64 - 1, 2) == 1  # a power of two has no tail


def test_pick_follows_the_running_weights() -> None:
    assert [rules.pick([2, 1, 3], r) for r in range(6)] == [0, 0, 1, 2, 2, 2]


def test_commitment_is_the_sha256_of_the_seed_bytes() -> None:
    assert rules.commitment(FIXED_SEED) == hashlib.sha256(bytes.fromhex(FIXED_SEED)).hexdigest()


def test_prize_frequencies_match_the_weights_chi_square() -> None:
    """issue 13: "a statistical test (fixed seed, many draws) checks the prize frequencies against the weights".
    Deterministic (fixed seed): chi-square with 3 degrees of freedom below 16.27 (p = 0.001)."""
    weights = [50, 30, 15, 5]
    n = 20_000
    counts = Counter(rules.draw(FIXED_SEED, "player-x", nonce, weights).index for nonce in range(n))
    total = sum(weights)
    chi2 = sum((counts[i] - n * w / total) ** 2 / (n * w / total) for i, w in enumerate(weights))
    assert chi2 < 16.27, (chi2, counts)


# ---- definitions -------------------------------------------------------------------------------


def test_prizes_are_weighted_prizes_or_nothing() -> None:
    with pytest.raises(ValidationError):
        LootboxIn.model_validate({"name": "x", "prizes": [{"weight": 1, "rail": "winz"}]})
    with pytest.raises(ValidationError):
        LootboxIn.model_validate({"name": "x", "prizes": [{"weight": 1, "nothing": True, "amount": "1"}]})
    with pytest.raises(ValidationError):
        LootboxIn.model_validate({"name": "x", "prizes": [{"weight": 0, "nothing": True}]})
    with pytest.raises(ValidationError):
        LootboxIn.model_validate(
            {"name": "x", "prizes": [{"weight": 1, "nothing": True}], "cost": {"rail": "real", "amount": 1}}
        )


def test_define_list_disable_and_versions(moto_table: str) -> None:
    b = Boxes()
    out = b.define({"name": "Chest", "prizes": PRIZES, "cost": {"rail": "winz", "amount": "25"}}, key="d1")
    assert out.status == 201
    box = out.body["lootbox"]
    assert box["cost"] == {"rail": "winz", "amount": "25.00"} and box["total_weight"] == 100
    assert box["prizes"][2] == {
        "weight": 15,
        "nothing": False,
        "rail": "real",
        "amount": "2.50",
        "currency": "USD",
        "wagering_multiplier": None,
    }
    again = b.define({"name": "Chest", "prizes": PRIZES, "cost": {"rail": "winz", "amount": "25"}}, key="d1")
    assert again.status == 200 and again.deduped and again.body == out.body
    # a definition is never edited: a new version replaces it and disables it
    v2 = b.define({"name": "Chest v2", "prizes": PRIZES, "replaces": box["id"]}).body["lootbox"]
    assert (v2["version"], v2["replaces"]) == (2, box["id"])
    listed = definitions.listing(b.who, None).lootboxes
    assert [x.id for x in listed] == [v2["id"], box["id"]]
    assert listed[1].disabled and listed[1].superseded_by == v2["id"]
    with pytest.raises(Conflict) as exc:
        b.define({"name": "fork", "prizes": PRIZES, "replaces": box["id"]})
    assert exc.value.code == "superseded"
    off = definitions.disable(b.who, v2["id"]).lootbox
    assert off.disabled and definitions.disable(b.who, v2["id"]).lootbox.disabled_at == off.disabled_at
    with pytest.raises(Conflict) as exc:
        b.open(v2["id"])
    assert exc.value.code == "disabled"


def test_amounts_are_checked_against_their_rail(moto_table: str) -> None:
    b = Boxes()
    with pytest.raises(Unprocessable) as exc:
        b.define({"name": "x", "prizes": [{"weight": 1, "rail": "real", "amount": "0.001"}]})
    assert exc.value.code == "invalid_amount"


def test_the_first_definition_publishes_the_commitment(moto_table: str) -> None:
    b = Boxes()
    assert fairness.view(b.who, None).current is None
    b.box_id()
    view = fairness.view(b.who, None)
    assert view.current is not None and view.current.seed_number == 1 and view.revealed == []
    b.box_id()
    assert fairness.view(b.who, None).current == view.current  # one seed per brand


# ---- opening -----------------------------------------------------------------------------------


def test_open_a_granted_box_and_replay_the_same_reward(moto_table: str) -> None:
    """seed 003: "First call: 201 with new reward; Second call (same key): 200 with the SAME reward + deduped"."""
    b = Boxes()
    box_id = b.box_id()
    granted = b.grant(box_id, 2, key="g1")
    assert granted.status == 201 and granted.body["unopened"] == 2
    assert b.grant(box_id, 2, key="g1").body["unopened"] == 2  # a replay grants nothing more
    first = b.open(box_id, key="open-2025-05-19-uniq-abc")
    assert first.status == 201
    reward = first.body["reward"]
    assert reward["paid_with"] == "box" and reward["boxes_left"] == 1
    assert reward["fairness"]["nonce"] == 0 and reward["fairness"]["message"] == f"{b.user_id}:0"
    second = b.open(box_id, key="open-2025-05-19-uniq-abc")
    assert second.status == 200 and second.deduped and second.body == first.body
    with pytest.raises(IdempotencyConflict):
        b.open(b.box_id(), key="open-2025-05-19-uniq-abc")
    third = b.open(box_id, key="k3").body["reward"]
    assert third["fairness"]["nonce"] == 1 and third["boxes_left"] == 0
    assert_ledger_consistent(b)


def test_buying_with_winz_is_one_movement_and_insufficient_funds_moves_nothing(moto_table: str) -> None:
    b = Boxes()
    box_id = b.box_id(cost={"rail": "winz", "amount": "25"}, prizes=[{"weight": 1, "rail": "winz", "amount": "10"}])
    with pytest.raises(InsufficientFunds):
        b.open(box_id, key="poor")
    assert b.stored_wallet() is None and store.get(*repository.nonce_key(b.who.realm, b.user_id)) is None
    b.call("winz", {"action": "grant", "amount": "30"})
    out = b.open(box_id, key="buy").body
    assert out["reward"]["paid_with"] == "cost"
    assert out["transaction"]["type"] == "lootbox_prize" and out["transaction"]["amount"] == "10.00"
    assert [t["type"] for t in out["related_transactions"]] == ["lootbox_purchase"]
    assert b.wallet()["balances"]["winz"] == "15.00"  # 30 - 25 + 10
    assert_ledger_consistent(b)


def test_every_prize_rail_posts_balanced_entries(moto_table: str) -> None:
    b = Boxes()
    rails = {
        "winz": {"weight": 1, "rail": "winz", "amount": "10"},
        "xp": {"weight": 1, "rail": "xp", "amount": "5"},
        "real": {"weight": 1, "rail": "real", "amount": "2.50"},
        "bonus": {"weight": 1, "rail": "bonus", "amount": "4", "wagering_multiplier": 3},
    }
    for rail, prize in rails.items():
        box_id = b.box_id(prizes=[prize])
        out = b.open(box_id, key=f"free-{rail}").body
        assert out["reward"]["paid_with"] == "free" and out["reward"]["rail"] == rail
        assert out["transaction"]["rail"] == rail
    balances = b.wallet()["balances"]
    assert (balances["winz"], balances["xp"], balances["real"], balances["bonus"]) == ("10.00", "5.00", "2.50", "4.00")
    assert b.wallet()["bonuses"][0]["wagering_required"] == "12.00"
    assert_ledger_consistent(b)


def test_a_nothing_prize_writes_no_wallet_item(moto_table: str) -> None:
    b = Boxes()
    box_id = b.box_id(prizes=[{"weight": 1, "nothing": True}])
    b.grant(box_id, 1)
    out = b.open(box_id, key="n").body
    assert out["reward"]["nothing"] is True and out["transaction"] is None
    assert b.stored_wallet() is None
    assert store.get(*repository.inventory_key(b.who.realm, b.user_id, box_id))["count"] == 0
    # with no box left and no cost, a box without cost is free
    assert b.open(box_id, key="n2").body["reward"]["paid_with"] == "free"


def test_refusals(moto_table: str) -> None:
    b = Boxes()
    box_id = b.box_id()
    other = Boxes()
    with pytest.raises(NotFound):  # another tenant's definition
        b.open(other.box_id(), key="x")
    b.update_player(status="suspended")
    with pytest.raises(PlayerBlocked):
        b.open(box_id, key="blocked")
    with pytest.raises(PlayerBlocked):
        b.grant(box_id, 1)


def test_a_real_prize_in_a_plug_in_brand_is_a_payout_instruction(moto_table: str) -> None:
    """issue 13 §1: "When an engine awards real money in plug_in (... a lootbox cash prize), Pitboss records a
    payout instruction for the operator's wallet instead of posting it"."""
    from pitboss.engines import payouts

    b = Boxes(service_mode="plug_in")
    box_id = b.box_id(prizes=[{"weight": 1, "rail": "real", "amount": "1.50"}])
    b.grant(box_id, 1)
    out = b.open(box_id, key="cash").body
    assert out["transaction"] is None and out["reward"]["rail"] == "real" and out["reward"]["amount"] == "1.50"
    assert b.stored_wallet() is None  # no cash moved on Pitboss's ledger
    pending = payouts.list_pending(b.who, 10, None).payouts
    assert [(p.id, p.amount, p.source) for p in pending] == [(out["reward"]["payout_id"], "1.50", "lootbox")]
    assert b.open(box_id, key="cash").body == out  # the replay records nothing more
    assert len(payouts.list_pending(b.who, 10, None).payouts) == 1


def test_a_bonus_prize_with_nothing_to_wager_in_a_plug_in_brand_is_a_payout_instruction(moto_table: str) -> None:
    """A zero-multiplier bonus converts at once, to real money, which a plug_in brand's operator holds: it was a
    409 `service_mode` for the player opening the box (the conversion's real-rail posting refused at commit), so
    the box could never be opened. It is paid like a cash prize now, and a bonus with wagering stays a bonus."""
    from pitboss.engines import payouts

    b = Boxes(service_mode="plug_in")
    box_id = b.box_id(prizes=[{"weight": 1, "rail": "bonus", "amount": "2.00", "wagering_multiplier": 0}])
    b.grant(box_id, 1)
    opened = b.open(box_id, key="zero")
    assert opened.status == 201, opened.body
    out = opened.body
    assert out["transaction"] is None and out["reward"]["rail"] == "bonus" and out["reward"]["amount"] == "2.00"
    assert b.stored_wallet() is None  # nothing on Pitboss's ledger: no bonus left to wager, no real posting
    pending = payouts.list_pending(b.who, 10, None).payouts
    assert [(p.id, p.amount, p.source) for p in pending] == [(out["reward"]["payout_id"], "2.00", "lootbox")]
    assert b.open(box_id, key="zero").body == out

    wagered = b.box_id(prizes=[{"weight": 1, "rail": "bonus", "amount": "3.00", "wagering_multiplier": 2}])
    b.grant(wagered, 1)
    kept = b.open(wagered, key="two").body
    assert kept["transaction"] is not None and "payout_id" not in kept["reward"]
    assert len(payouts.list_pending(b.who, 10, None).payouts) == 1


# ---- fairness over the rotation ----------------------------------------------------------------


def test_draws_recompute_from_the_revealed_seed(moto_table: str) -> None:
    """issue 13: "when the seed rotates, the old seed is revealed so players and regulators can recompute
    every draw"; the commitment published before use is the revealed seed's SHA-256."""
    b = Boxes()
    box_id = b.box_id()
    published = fairness.view(b.who, None).current
    assert published is not None
    answers = [b.open(box_id, key=f"o{i}").body for i in range(12)]
    rotated = b.rotate(key="r1")
    assert rotated.status == 201
    assert b.rotate(key="r1").deduped
    view = fairness.view(b.who, None)
    assert view.current is not None and view.current.seed_number == 2
    revealed = view.revealed[0]
    assert revealed.seed_number == 1 and revealed.commitment == published.commitment
    assert hashlib.sha256(bytes.fromhex(revealed.seed)).hexdigest() == published.commitment
    weights = [p["weight"] for p in PRIZES]
    for answer in answers:
        proof = answer["reward"]["fairness"]
        assert proof["commitment"] == published.commitment
        again = rules.draw(revealed.seed, b.user_id, proof["nonce"], weights)
        assert (again.index, again.roll) == (answer["reward"]["prize"], proof["roll"])
    after = b.open(box_id, key="after").body["reward"]["fairness"]
    assert after["seed_number"] == 2 and after["nonce"] == 12
    assert_ledger_consistent(b)


def test_an_open_racing_a_rotation_draws_again_with_the_new_seed(
    moto_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The open's transaction checks the seed it drew with: a rotation committed in between cancels it, and
    the retry draws with the new seed, so no draw is committed under a seed already revealed."""
    from pitboss.lootbox import opening

    b = Boxes()
    box_id = b.box_id()
    real_draw = rules.draw
    seeds: list[str] = []

    def draw_then_rotate(seed: str, *args: object) -> rules.Draw:
        seeds.append(seed)
        if len(seeds) == 1:
            b.rotate(key="mid")
        return real_draw(seed, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(opening.rules, "draw", draw_then_rotate)
    out = b.open(box_id, key="race").body
    assert len(seeds) == 2 and seeds[0] != seeds[1]
    assert out["reward"]["fairness"]["seed_number"] == 2
    assert Decimal(out["lootbox"]["total_weight"]) == 100


def test_an_open_is_two_round_trips_and_its_replay_one(moto_table: str) -> None:
    """docs/performance.md: an open costs what a bet costs (one BatchGetItem, one TransactWriteItems)."""
    b = Boxes()
    box_id = b.box_id()
    b.grant(box_id, 1)
    store.round_trips.count = 0
    b.open(box_id, key="rt")
    assert store.round_trips.count == 2
    store.round_trips.count = 0
    assert b.open(box_id, key="rt").deduped
    assert store.round_trips.count == 1


def test_the_list_is_newest_first(moto_table: str) -> None:
    b = Boxes()
    first, second = b.box_id(), b.box_id()
    assert [x.id for x in definitions.listing(b.who, None).lootboxes] == [second, first]
