"""Issue 10 #7: "list its surviving mutants, each explained or killed". Pure table tests of the money and RG rules
that kill mutmut's survivors (docs/testing.md, "Mutation testing"); each names the mutants it kills, and each was
run under them (MUTANT_UNDER_TEST in mutmut's own mutants/ copy) to see it fail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from pitboss import clock
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
    # Kills x_refuse_activation__mutmut_3 and _6 (gates.effective without `at`, i.e. at the real clock).
    excluded = _player(status="self_excluded", self_exclusion_until=clock.iso(FAR))
    player_rules.refuse_activation(excluded, BrandSettings(), FAR + timedelta(seconds=1))  # over by then
    with pytest.raises(Conflict) as refused:
        player_rules.refuse_activation(excluded, BrandSettings(), FAR - timedelta(seconds=1))
    assert refused.value.code == "self_exclusion_in_force"


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
