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
from tests.dossier_support import T0, dossier_of, events, principal, write
from tests.support import at, make_tenant, unique


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


# ---- external_ref (issue 11 #1) ------------------------------------------------------------------


def test_external_ref_finds_the_player_it_was_stored_on(moto_table: str) -> None:
    """Seed 000: "external_ref — Your internal PAM id. Stored on the player metadata for cross-lookup"."""
    who = _who()
    ref = unique("pam-uuid-")
    player = _upsert(who, external_ref=ref).body["player"]
    found = queries.find_by_external_ref(who, ref, None).model_dump(mode="json")["players"]
    assert [p["user_id"] for p in found] == [player["user_id"]]
    assert found[0] == dossier_of(who, player["user_id"])
    assert _refs(who, unique("nobody-")) == []
    assert _refs(who, ref.upper()) == []  # an operator's id is matched exactly


def test_an_external_ref_held_by_another_player_of_the_brand_is_409(moto_table: str) -> None:
    """Issue 11 #1: "an upsert whose external_ref already belongs to another player of the brand answers 409
    external_ref_taken" — on creation and on update, and nothing is written."""
    who = _who()
    ref = unique("pam-")
    holder = _upsert(who, external_ref=ref).body["player"]
    with pytest.raises(Conflict) as created:
        _upsert(who, external_ref=ref)
    assert created.value.code == "external_ref_taken"
    other = _upsert(who).body["player"]
    with pytest.raises(Conflict) as updated:
        _upsert(who, username=other["username"], email=other["email"], external_ref=ref)
    assert updated.value.code == "external_ref_taken"
    assert dossier_of(who, other["user_id"])["external_ref"] is None
    assert _refs(who, ref) == [holder["username"]]
    # the holder re-sending its own ref is no conflict
    assert _upsert(who, username=holder["username"], email=holder["email"], external_ref=ref).status == 200


def test_a_changed_or_cleared_ref_frees_the_old_one(moto_table: str) -> None:
    who = _who()
    old, new = unique("old-"), unique("new-")
    p = _upsert(who, external_ref=old).body["player"]
    same = {"username": p["username"], "email": p["email"]}
    _upsert(who, **same, external_ref=new)
    assert (_refs(who, old), _refs(who, new)) == ([], [p["username"]])
    assert _upsert(who, external_ref=old).status == 201  # the old ref is free for another player
    _upsert(who, **same, external_ref=None)
    assert _refs(who, new) == [] and dossier_of(who, p["user_id"])["external_ref"] is None
    assert _upsert(who, external_ref=new).status == 201


def test_the_same_ref_in_two_brands_is_two_players_and_the_lookup_stays_in_the_key_s_brands(moto_table: str) -> None:
    t = make_tenant(("One", "USD"), ("Two", "EUR"))
    at(T0)
    full = principal(t.live_key)
    one, two = (int(b["brand_id"]) for b in t.brands)
    ref = unique("shared-")
    a = _upsert(full, external_ref=ref, brand_id=one).body["player"]
    b = _upsert(full, external_ref=ref, brand_id=two).body["player"]
    assert sorted(_refs(full, ref)) == sorted([a["username"], b["username"]])
    assert _refs(full, ref, two) == [b["username"]]
    only_one = tenancy.authenticate(f"Bearer {tenancy.create_key(t.tenant_id, 'live', brand_ids=[one])[0]}")
    assert _refs(only_one, ref) == [a["username"]]
    stranger = principal(make_tenant().live_key)
    assert _refs(stranger, ref) == []


def test_a_player_stored_before_ref_pointers_gets_one_when_its_ref_is_sent_again(moto_table: str) -> None:
    who = _who()
    ref = unique("legacy-")
    p = _upsert(who, external_ref=ref).body["player"]
    store.transact([store.Delete(keys.external_ref_pk(who.realm, p["brand_id"], ref), keys.UNIQUE)])
    assert _refs(who, ref) == []
    _upsert(who, username=p["username"], email=p["email"], external_ref=ref)
    assert _refs(who, ref) == [p["username"]]


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


# ---- nickname (issue 11 #7) ----------------------------------------------------------------------


def test_nickname_is_accepted_on_the_upsert_and_shown(moto_table: str) -> None:
    """Issue 11 #7: "nickname is always null: accept it on the upsert"; seed 001's player detail shows it."""
    who = _who()
    p = _upsert(who, nickname="Star Lord").body["player"]
    assert p["nickname"] == "Star Lord" and dossier_of(who, p["user_id"])["nickname"] == "Star Lord"
    same = {"username": p["username"], "email": p["email"]}
    renamed = _upsert(who, **same, nickname="  Peter ").body["player"]
    assert renamed["nickname"] == "Peter"
    event = events(who, p["user_id"])[-1]
    assert event["type"] == "profile_updated" and event["data"] == {
        "changed": ["nickname"],
        "fields": {"nickname": "Peter"},
    }
    assert _upsert(who, **same).body["player"]["nickname"] == "Peter"  # not sent: kept
    assert _upsert(who, **same, nickname=None).body["player"]["nickname"] is None
    for bad in ("", "x" * 65):
        with pytest.raises(ValidationError):
            PlayerUpsert.model_validate({**same, "nickname": bad})


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
