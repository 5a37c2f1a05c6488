"""Issue 10 #7: "list its surviving mutants, each explained or killed". Moto unit tests that kill survivors of
`pitboss.wallet.movement` checked by hand (MUTANT_UNDER_TEST in mutmut's own mutants/ copy, see docs/testing.md,
"Mutation testing"); each names the mutants it kills, verified: run under each and seen to fail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import getcontext
from typing import Any

import pytest

from pitboss import clock, idempotency, keys, money, retry, store
from pitboss.errors import Conflict, PlayerBlocked
from pitboss.idempotency import Outcome
from pitboss.identity.entity import Player
from pitboss.wallet import movement
from tests.wallet_support import Driver, assert_ledger_consistent


def test_a_movement_may_fill_the_transaction_to_its_last_item_and_not_one_more(
    moto_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Kills movement.x_commit 45 (`+ 1` -> `- 1`), 46 (`+ 2`), 47 (`>=`): the 100-item cap counts the idempotency
    # record the commit does not hold, and a transaction of exactly the cap is allowed. The cap is lowered to the
    # size of a deposit's transaction (counted as `idempotency.execute` hands it to the store) and one under it.
    sizes: list[int] = []
    real = store.transact

    def transact(ops: list[Any]) -> None:
        sizes.append(len(ops))
        real(ops)

    monkeypatch.setattr(store, "transact", transact)
    d = Driver()
    d.deposit("10.00")
    d.deposit("1.00")
    size = sizes[-1]
    monkeypatch.setattr(movement, "MAX_TRANSACT_ITEMS", size - 1)
    with pytest.raises(Conflict) as exc:
        d.deposit("2.00")
    assert exc.value.code == "movement_too_large"
    monkeypatch.setattr(movement, "MAX_TRANSACT_ITEMS", size)
    assert d.deposit("2.00").status == 201
    assert sizes[-1] == size
    assert d.wallet()["balances"]["real"] == "13.00"
    assert_ledger_consistent(d)


def test_a_plug_in_brand_still_moves_points_and_entries_name_their_actor(moto_table: str) -> None:
    # Kills movement.x_run 1 (`real=True` by default: every movement refused for a plug_in brand, not only the real
    # rail's) and x_run 62 (the movement's actor dropped: its entries name no actor).
    d = Driver(service_mode="plug_in")
    out = d.call("bonus", {"amount": "5.00", "wagering_multiplier": "1"})
    assert out.status == 201
    [entry] = d.entries()
    assert entry["actor"] == str(d.who.actor)


def test_a_movement_decides_under_the_ledger_context(moto_table: str) -> None:
    # Kills movement.x_run 79 (`localcontext(None)`: the flow decides under the ambient context, where a rounding
    # is silent instead of an error).
    d = Driver()
    seen: list[Any] = []

    def act(ctx: movement.Ctx) -> Outcome:
        seen.append(getcontext().copy())
        return Outcome(status=200, body={})

    idem = idempotency.begin(d.who.realm, None, "POST", f"probe:{d.user_id}", {})
    assert movement.run(d.who, d.user_id, idem, [], act, pick=movement.home_currency).status == 200
    [context] = seen
    assert (context.prec, context.rounding) == (money.LEDGER_CTX.prec, money.LEDGER_CTX.rounding)
    assert {t for t, on in context.traps.items() if on} == {t for t, on in money.LEDGER_CTX.traps.items() if on}


def test_a_movement_outlasts_more_lost_races_than_an_ordinary_write(
    moto_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Kills movement.x_run 88 (`attempts` dropped: idempotency's default, 6, instead of movement.ATTEMPTS, 10): a
    # deposit whose gated commit loses 7 races (the profile saved again after each read) still lands on the 8th.
    d = Driver()
    monkeypatch.setattr(retry, "pause", lambda _attempt: None)
    real = store.batch_get
    reads: list[int] = []
    lost = idempotency.MAX_ATTEMPTS + 1

    def batch_get(wanted: Any, **kw: Any) -> dict[tuple[str, str], dict[str, Any]]:
        found = real(wanted, **kw)
        if len(reads) < lost:  # another save of the profile (nothing changed but its version) since this read
            item = store.get(d.pk, keys.PROFILE)
            assert item is not None
            player = Player.from_item(d.who.realm, item)
            store.put(player.model_copy(update={"version": player.version + 1}).to_item())
        reads.append(len(found))
        return found

    monkeypatch.setattr(store, "batch_get", batch_get)
    assert lost < movement.ATTEMPTS
    assert d.deposit("1.00").status == 201
    assert len(reads) == lost + 1
    assert d.wallet()["balances"]["real"] == "1.00"


def test_a_movement_answers_the_wallet_detailed_in_its_own_currency(moto_table: str) -> None:
    # Kills movement.x_commit 11 (`currency=None`: the answer's wallet detailed in the home currency instead).
    d = Driver("EUR", currencies=["EUR", "USD"])
    d.deposit("10.00")
    out = d.deposit("3.00", currency="USD")
    assert (out.body["wallet"]["currency"], out.body["wallet"]["balances"]["real"]) == ("USD", "3.00")


def test_an_oversized_movement_says_what_to_do(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Kills movement.x_commit 48 (the message `None`), 52 (`XX...XX`), 53 (upper case): the 409's message tells the
    # caller how to make the movement fit, and its body carries it.
    d = Driver()
    d.deposit("1.00")
    monkeypatch.setattr(movement, "MAX_TRANSACT_ITEMS", 3)
    with pytest.raises(Conflict) as exc:
        d.deposit("1.00")
    assert exc.value.body() == {
        "error": {
            "code": "movement_too_large",
            "message": "this movement would write too many items at once; end some bonuses or rounds first",
        }
    }


def test_a_profile_saved_before_versions_still_takes_a_gated_movement(moto_table: str) -> None:
    # Kills movement.x_run 75 (`stored_version is None and False`: `int(None)` for a profile with no version
    # attribute). Such a profile's gated commit checks that the attribute is still absent.
    d = Driver()
    item = store.get(d.pk, keys.PROFILE)
    assert item is not None
    store.put({k: v for k, v in item.items() if k != "version"})
    out = d.deposit("4.00")
    assert (out.status, out.body["wallet"]["balances"]["real"]) == (201, "4.00")
    stored = store.get(d.pk, keys.PROFILE)
    assert stored is not None and "version" not in stored


def test_a_movement_decides_its_gates_at_the_instant_its_entries_carry(moto_table: str) -> None:
    # Kills movement.x_run 57 (`gates.effective(player, settings, None)`) and 60 (`now` dropped): both decide the
    # gates at a second read of the clock instead of at the movement's `now`, the instant its entries carry. A clock
    # one second later at every read tells them apart: a cool-off that ends between those two reads still refuses.
    base = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)
    reads: list[datetime] = []

    def ticking() -> datetime:
        reads.append(base + timedelta(seconds=len(reads)))
        return reads[-1]

    clock.set_clock(ticking)
    d = Driver()
    before = len(reads)
    d.deposit("1.00")
    [entry] = d.entries()
    offset = reads.index(datetime.fromisoformat(entry["created_at"])) - before  # the movement's `now`, in reads
    d.update_player(cooloff_until=clock.iso(base + timedelta(seconds=len(reads) + offset, milliseconds=500)))
    with pytest.raises(PlayerBlocked):
        d.deposit("2.00")
    assert d.wallet()["balances"]["real"] == "1.00"
