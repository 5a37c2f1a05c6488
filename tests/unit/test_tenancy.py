"""API keys, scopes, modes and brands (moto)."""

from __future__ import annotations

import pytest

from pitboss import keys, store, tenancy
from pitboss.errors import Forbidden, NotFound, Unauthorized, Unprocessable
from tests.support import make_tenant


def test_only_a_hash_of_the_key_is_stored(moto_table: str) -> None:
    t = make_tenant()
    assert store.get(keys.api_key_pk(t.live_key), "KEY") is not None
    listing = tenancy.list_keys(t.tenant_id)
    assert {k["mode"] for k in listing} == {"live", "test"}
    dumped = repr(listing) + repr(list(store.query_all(keys.tenant_pk(t.tenant_id))))
    assert t.live_key not in dumped and t.test_key not in dumped


def test_authenticate_live_and_test(moto_table: str) -> None:
    t = make_tenant(("A", "USD"), ("B", "EUR"))
    live = tenancy.authenticate(f"Bearer {t.live_key}")
    test = tenancy.authenticate(f"bearer {t.test_key}")
    assert (live.mode, test.mode) == ("live", "test")
    assert live.realm != test.realm
    assert sorted(live.brands) == sorted(b["brand_id"] for b in t.brands)


@pytest.mark.parametrize("header", [None, "", "Bearer", "Basic abc", "Bearer wsk_live_unknown", "Bearer sk_live_x"])
def test_bad_keys_are_401(moto_table: str, header: str | None) -> None:
    with pytest.raises(Unauthorized):
        tenancy.authenticate(header)


def test_revoked_key_is_401(moto_table: str) -> None:
    t = make_tenant()
    raw, record = tenancy.create_key(t.tenant_id, "live", scopes=["players:read"])
    assert tenancy.authenticate(f"Bearer {raw}").scopes == ["players:read"]
    tenancy.revoke_key(t.tenant_id, record["key_id"])
    with pytest.raises(Unauthorized):
        tenancy.authenticate(f"Bearer {raw}")


def test_scopes(moto_table: str) -> None:
    t = make_tenant()
    raw, _ = tenancy.create_key(t.tenant_id, "test", scopes=["players:read"])
    who = tenancy.authenticate(f"Bearer {raw}")
    who.require("players:read")
    with pytest.raises(Forbidden):
        who.require("players:write")
    with pytest.raises(Unprocessable):
        tenancy.create_key(t.tenant_id, "test", scopes=["everything"])


def test_brand_resolution(moto_table: str) -> None:
    one = make_tenant()
    two = make_tenant(("A", "USD"), ("B", "EUR"))
    single = tenancy.authenticate(f"Bearer {one.live_key}")
    assert single.brand(None).brand_id == one.brand_id
    multi = tenancy.authenticate(f"Bearer {two.live_key}")
    with pytest.raises(Unprocessable) as err:
        multi.brand(None)
    assert err.value.code == "brand_id_required"
    assert multi.brand(two.brands[1]["brand_id"]).currency == "EUR"
    with pytest.raises(NotFound):
        multi.brand(one.brand_id)  # another tenant's brand: not found, never forbidden
    raw, _ = tenancy.create_key(two.tenant_id, "live", brand_ids=[two.brands[1]["brand_id"]])
    restricted = tenancy.authenticate(f"Bearer {raw}")
    assert restricted.brand(None).brand_id == two.brands[1]["brand_id"]
    with pytest.raises(NotFound):
        restricted.brand(two.brands[0]["brand_id"])


def test_principal_round_trips_through_the_authorizer_context(moto_table: str) -> None:
    t = make_tenant()
    who = tenancy.authenticate(f"Bearer {t.test_key}")
    assert tenancy.Principal.from_context(who.to_context()) == who
    with pytest.raises(Unauthorized):
        tenancy.Principal.from_context({"auth_error": "invalid or revoked API key", "auth_code": "invalid_api_key"})
