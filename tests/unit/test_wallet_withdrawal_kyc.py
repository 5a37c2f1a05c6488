"""Issue 10 #6: "Withdrawals: a brand setting `withdrawal_requires_kyc` (default true): a withdrawal for a player
whose `kyc_status` is not `approved` answers 403 `kyc_required`. Withdrawals stay open to self-excluded and closed
players (their funds must be returned to them)." Over the wallet's Lambda handler."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pitboss.tenancy import BrandSettings
from pitboss_local.runtime import LambdaContext
from tests.unit.test_wallet_edge import WALLET_ROUTES, _event, _handler
from tests.wallet_support import Driver, assert_ledger_consistent

WITHDRAW = next(r for r in WALLET_ROUTES if r.path.endswith("/withdrawals"))


def _withdraw(d: Driver, amount: str = "5.00") -> dict[str, Any]:
    handler, _ = _handler()
    response = handler(_event(WITHDRAW, d.who.to_context(), d.user_id, {"amount": amount}), LambdaContext("w"))
    return {"status": response["statusCode"], **json.loads(response["body"])}


def test_the_setting_defaults_to_true() -> None:
    assert BrandSettings().withdrawal_requires_kyc is True


@pytest.mark.parametrize("kyc_status", ["none", "pending", "rejected"])
def test_a_withdrawal_without_approved_kyc_is_403_kyc_required(moto_table: str, kyc_status: str) -> None:
    d = Driver(withdrawal_requires_kyc=True)
    d.deposit("10.00")
    d.update_player(kyc_status=kyc_status)
    out = _withdraw(d)
    assert (out["status"], out["error"]["code"]) == (403, "kyc_required"), out
    assert d.wallet()["balances"]["real"] == "10.00" and d.wallet()["frozen"] == "0.00"
    d.update_player(kyc_status="approved")
    assert _withdraw(d)["status"] == 201
    assert d.wallet()["frozen"] == "5.00"
    assert_ledger_consistent(d)


def test_a_brand_may_turn_it_off(moto_table: str) -> None:
    d = Driver(withdrawal_requires_kyc=False)
    d.deposit("10.00")
    assert _withdraw(d)["status"] == 201


@pytest.mark.parametrize("status", ["self_excluded", "closed"])
def test_self_excluded_and_closed_players_can_still_withdraw(moto_table: str, status: str) -> None:
    d = Driver(withdrawal_requires_kyc=True)
    d.deposit("10.00")
    d.update_player(kyc_status="approved", status=status)
    out = _withdraw(d)
    assert out["status"] == 201, out
    assert out["withdrawal"]["status"] == "pending"
