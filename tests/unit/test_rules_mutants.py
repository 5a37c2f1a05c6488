"""Issue 10 #7: "list its surviving mutants, each explained or killed". Pure table tests of the money and RG rules
that kill mutmut's survivors (docs/testing.md, "Mutation testing"); each names the mutants it kills, and each was
run under them (MUTANT_UNDER_TEST in mutmut's own mutants/ copy) to see it fail.

The mutant numbers below are those of the run that found them (docs/testing.md, first and second runs); mutmut
renumbers a function's mutants when the selection covers more of its lines. Today's names, every mutant
accounted for, are in test_players_rules_mutants.py and test_wallet_rules_mutants.py (the fourth run)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal, localcontext

import pytest

from pitboss import clock, money
from pitboss.errors import Conflict, NotFound
from pitboss.identity.entity import Player
from pitboss.players import rules as player_rules
from pitboss.tenancy import BrandSettings
from pitboss.wallet import rules as wallet_rules
from pitboss.wallet.entity import Bonus, Purse

# Far from the real clock on purpose: a rule that reads the clock instead of its `at` decides differently.
FAR = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)


def _player(**fields: object) -> Player:
    return Player.model_validate(
        {
            "realm": "T#ten_x#live",
            "user_id": "u1",
            "player_id": 1,
            "brand_id": 1,
            "username": "abc",
            "email": "a@example.com",
            "created_at": clock.iso(FAR),
            "updated_at": clock.iso(FAR),
            **fields,
        }
    )


def _bonus(bonus_id: str, status: str) -> Bonus:
    d = Decimal("10")
    return Bonus(bonus_id, d, d, d, Decimal(0), status, granted_at=clock.iso(FAR))


# ---- players.rules.refuse_activation: decides at `at`, not at the real clock ------------------------------


def test_refuse_activation_decides_at_the_time_it_is_given() -> None:
    # Kills x_refuse_activation__mutmut_3 and _6 (gates.effective without `at`, i.e. at the real clock), and
    # _7.._12, _17, _20, _21: the refusal's code, message and `self_exclusion_until` are the contract's body.
    until = clock.iso(FAR)
    excluded = _player(status="self_excluded", self_exclusion_until=until)
    player_rules.refuse_activation(excluded, BrandSettings(), FAR + timedelta(seconds=1))  # over by then
    with pytest.raises(Conflict) as refused:
        player_rules.refuse_activation(excluded, BrandSettings(), FAR - timedelta(seconds=1))
    assert refused.value.code == "self_exclusion_in_force"
    assert refused.value.details == {"self_exclusion_until": until}
    assert until in refused.value.message


DAY = timedelta(hours=24)


@pytest.mark.parametrize(
    ("in_force", "new", "delay", "outcome"),
    [
        (None, Decimal(5), DAY, "now"),  # a first limit
        (Decimal(10), Decimal(5), DAY, "now"),  # stricter
        (Decimal(5), Decimal(5), DAY, "unchanged"),
        (Decimal(5), Decimal(10), DAY, "pending"),  # looser waits for the brand's delay
        (Decimal(5), None, DAY, "pending"),  # so does a removal
        (Decimal(5), Decimal(10), timedelta(0), "now"),  # a brand with no delay
        (Decimal(5), None, timedelta(0), "now"),
    ],
)
def test_limit_outcome(in_force: Decimal | None, new: Decimal | None, delay: timedelta, outcome: str) -> None:
    # Kills x_limit_outcome__mutmut_3, _4, _8, _10, _11, _12 (a zero delay applies a looser limit at once).
    assert player_rules.limit_outcome(in_force, new, delay) == outcome


# ---- wallet.rules.rollback_target ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "error", "code"),
    [
        ({"kind": "tombstone", "user_id": "u1"}, NotFound, "ref_not_found"),  # this player's own tombstone
        ({"kind": "tombstone"}, NotFound, "ref_not_found"),
        ({"kind": "bet", "user_id": "u2"}, NotFound, "ref_not_found"),
        ({"kind": "win", "user_id": "u1"}, Conflict, "not_a_bet"),
    ],
)
def test_only_this_players_bets_can_be_rolled_back(ref: dict[str, str], error: type[Exception], code: str) -> None:
    # Kills x_rollback_target__mutmut_1..7: a tombstone recorded for this very player is 404 ref_not_found,
    # never 409 not_a_bet (the `or` and the "kind"/"tombstone" literals).
    with pytest.raises(error) as refused:
        wallet_rules.rollback_target(ref, "u1")
    assert getattr(refused.value, "code", None) == code
    wallet_rules.rollback_target({"kind": "bet", "user_id": "u1"}, "u1")


# ---- wallet.rules.wagering_can_be_undone -----------------------------------------------------------------


def test_a_rollback_is_refused_only_for_wagering_of_a_bonus_that_may_have_converted() -> None:
    # Kills x_wagering_can_be_undone__mutmut_2..5 (the forfeited set) and _9 (`not in forfeited`).
    purse = Purse("USD", bonuses=[_bonus("active", "active"), _bonus("gone", "forfeited"), _bonus("conv", "converted")])
    wallet_rules.wagering_can_be_undone(purse, {"active": Decimal(1), "gone": Decimal(1)})  # both allowed
    for ended in ("conv", "no_longer_on_the_wallet"):
        with pytest.raises(Conflict) as refused:
            wallet_rules.wagering_can_be_undone(purse, {"active": Decimal(1), ended: Decimal(1)})
        assert refused.value.code == "bonus_converted"


# ---- wallet.rules: xp, spend order, wagering ---------------------------------------------------------------


def test_xp_accrues_only_on_the_default_currency() -> None:
    # Kills x_xp_per_unit__mutmut_1.._6.
    assert wallet_rules.xp_per_unit("1.5", "USD", "USD") == Decimal("1.5")
    assert wallet_rules.xp_per_unit("1.5", "EUR", "USD") == Decimal(0)


@pytest.mark.parametrize(
    ("order", "amount", "split"),
    [
        ("real_first", "3", (Decimal(3), Decimal(0))),
        ("real_first", "6", (Decimal(5), Decimal(1))),
        ("bonus_first", "3", (Decimal(0), Decimal(3))),
        ("bonus_first", "6", (Decimal(2), Decimal(4))),
    ],
)
def test_stake_split_follows_the_brands_spend_order(order: str, amount: str, split: tuple[Decimal, Decimal]) -> None:
    # Kills x_stake_split__mutmut_1 (the spend order inverted).
    purse = Purse("USD", real=Decimal(5), bonus=Decimal(4))
    assert wallet_rules.stake_split(purse, Decimal(amount), order) == split


def test_wagering_required_rounds_up_to_the_minor_unit() -> None:
    # Kills x_wagering_required__mutmut_2 and _5 (the context's own rounding instead of ROUND_UP).
    assert wallet_rules.wagering_required(Decimal("0.01"), Decimal("1.3"), 2) == Decimal("0.02")
    assert wallet_rules.wagering_required(Decimal("10.00"), Decimal("2.5"), 2) == Decimal("25.00")


def test_wagering_required_rounds_in_its_own_context_inside_a_movement() -> None:
    # Kills x_wagering_required__mutmut_3 and _6: bonus grants decide under money.LEDGER_CTX, which traps any
    # rounding; quantizing in the current context instead would refuse every bonus whose requirement rounds.
    with localcontext(money.LEDGER_CTX):
        assert wallet_rules.wagering_required(Decimal("0.01"), Decimal("1.3"), 2) == Decimal("0.02")


def test_a_note_records_its_actor_and_the_profile_keeps_the_latest() -> None:
    # Kills x_with_note__mutmut_12, _14.._17 (the actor, the notes update, the slice of the latest NOTES_KEPT).
    player = _player()
    for i in range(player_rules.NOTES_KEPT + 1):
        player = player_rules.with_note(player, f"note {i}", "operator:op1", FAR)
    assert len(player.notes) == player_rules.NOTES_KEPT
    assert (player.notes[0].text, player.notes[-1].text) == ("note 1", f"note {player_rules.NOTES_KEPT}")
    assert player.notes[-1].actor == "operator:op1" and player.notes[-1].kind == "compliance"
