"""The upsert's profile fields against seed 000 and issue 11: external_ref (unique per brand, looked up),
date_of_birth (required to approve KYC), nickname (seed 001's display name), and RG limits that any client
reads back exactly."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from pitboss import idempotency, keys, store, tenancy
from pitboss.errors import Conflict, Unprocessable
from pitboss.players import queries, upsert
from pitboss.players.models import PlayerUpsert, RgUpdate
from tests.dossier_support import T0, at, dossier_of, events, principal, write
from tests.support import make_tenant, unique


def _upsert(who: tenancy.Principal, **body: Any) -> idempotency.Outcome:
    body.setdefault("username", unique("Pro"))
    body.setdefault("email", f"{body['username']}@example.com")
    return upsert.upsert_player(
        who, PlayerUpsert.model_validate(body), idempotency.begin(who, None, "POST", "/v1/players", body)
    )


def _who(*brands: tuple[str, str]) -> tenancy.Principal:
    at(T0)
    return principal(make_tenant(*brands).live_key)


def _refs(who: tenancy.Principal, ref: str, brand_id: int | None = None) -> list[str]:
    found = queries.find_by_external_ref(who, ref, brand_id).model_dump(mode="json")["players"]
    return [p["username"] for p in found]


# ---- date of birth for KYC (issue 11 #3) ---------------------------------------------------------


def test_approving_kyc_without_a_date_of_birth_is_422(moto_table: str) -> None:
    """Seed 000: "date_of_birth — Required for KYC + RG age-gating"."""
    who = _who()
    p = _upsert(who).body["player"]
    with pytest.raises(Unprocessable) as refused:
        write(who, "kyc", p["user_id"], {"kyc_status": "approved", "kyc_level": 2, "reason": "passport"})
    assert refused.value.code == "date_of_birth_required"
    assert dossier_of(who, p["user_id"])["kyc_status"] == "none"
    assert [e["type"] for e in events(who, p["user_id"])] == ["player_created"]
    # other KYC decisions need no date of birth; an approval does once the upsert carries it
    assert write(who, "kyc", p["user_id"], {"kyc_status": "pending", "reason": "documents in"}).status == 200
    _upsert(who, username=p["username"], email=p["email"], date_of_birth="1990-01-01")
    approved = write(who, "kyc", p["user_id"], {"kyc_status": "approved", "reason": "passport"})
    assert approved.body["player"]["kyc_status"] == "approved"


# ---- RG limit precision ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["99999999999999.99", "999999999999999.99", "1234567890123.456", 999999999999999.99])
def test_a_limit_a_double_cannot_hold_is_422(value: Any) -> None:
    """A limit is answered as a JSON number; one a double can't hold (more than 15 significant digits) is
    refused instead of being answered as another number (99999999999999.99 was accepted and answered as
    99999999999999.98; 999999999999999.99 as 1000000000000000.0)."""
    with pytest.raises(ValidationError) as refused:
        RgUpdate.model_validate({"deposit_daily_limit": value})
    assert "15 significant digits" in str(refused.value) or "less than or equal" in str(refused.value)


@pytest.mark.parametrize("value", ["9999999999999.99", "999999999999999", "0.01", "123456789012.34"])
def test_every_accepted_limit_is_answered_digit_for_digit(moto_table: str, value: str) -> None:
    who = _who()
    p = _upsert(who).body["player"]
    answer = write(who, "rg", p["user_id"], {"deposit_daily_limit": value}).response_body()
    text = json.dumps(answer)
    assert f'"deposit_daily_limit": {value}' in text
    assert Decimal(str(json.loads(text)["player"]["rg"]["deposit_daily_limit"])) == Decimal(value)
