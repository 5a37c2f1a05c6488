"""Issue 11 #12: "wsk_test_… — sandbox. Same surface": publishable brand keys wpk_live_…/wpk_test_… (safe in a
browser, created by the CLI, only able to select a brand and mode): "a gateway request carrying x-pitboss-key:
wpk_test_… runs in the brand's test realm; without the header it is live, as the seed shows"."""

from __future__ import annotations

import pytest

from pitboss import keys, store
from pitboss.errors import InvalidPublishableKey
from pitboss.gateway import publishable
from tests.gateway_support import call
from tests.support import make_tenant, unique

PASSWORD = "Orion2049x"
BAD_KEY = {"errMsg": "invalid input - invalid publishable key"}


def _register(brand: int, name: str, key: str | None = None) -> dict[str, str]:
    body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD, "first_name": "P",
            "last_name": "Q", "country": "US"}  # fmt: skip
    r = call("POST", f"/gateway/admission/v1/register/{brand}", body, headers={"x-pitboss-key": key} if key else None)
    assert r.status == 201, r.text
    return dict(r.json())


def _pointer(tenant_id: str, mode: str, brand: int, name: str) -> object:
    return store.get(keys.username_pk(keys.realm(tenant_id, mode), brand, name), keys.UNIQUE)


def test_a_test_key_runs_the_gateway_in_the_brands_test_realm(moto_table: str) -> None:
    t = make_tenant()
    test_key, record = publishable.create(t.tenant_id, t.brand_id, "test")
    assert test_key.startswith("wpk_test_") and record["mode"] == "test" and "key" not in record
    assert store.get(f"WPK#{keys.sha256(test_key)}", "WPK") is not None  # only its digest names the item
    live_key, _ = publishable.create(t.tenant_id, t.brand_id, "live")
    assert live_key.startswith("wpk_live_")

    sandbox, real = unique("gw"), unique("gw")
    tested = _register(t.brand_id, sandbox, test_key)
    _register(t.brand_id, real)  # no header: live, as the seed shows
    assert _pointer(t.tenant_id, "test", t.brand_id, sandbox) is not None
    assert _pointer(t.tenant_id, "live", t.brand_id, sandbox) is None
    assert _pointer(t.tenant_id, "live", t.brand_id, real) is not None
    # the same name is free in the other realm; a login finds the player of its own realm only
    login = f"/gateway/admission/v1/login/{t.brand_id}"
    assert call("POST", login, {"username": sandbox, "password": PASSWORD}).json() == {
        "result": "INVALID_CREDENTIALS"}  # fmt: skip
    r = call("POST", login, {"username": sandbox, "password": PASSWORD}, headers={"x-pitboss-key": test_key})
    assert r.status == 200, r.text
    r = call("POST", login, {"username": real, "password": PASSWORD}, headers={"x-pitboss-key": live_key})
    assert r.status == 200, r.text
    # a test session is no live session
    details = f"/gateway/player-personal-details/player/details/v1/{t.brand_id}"
    assert call("GET", details, token=tested["token"]).status == 401
    assert call("GET", details, token=tested["token"], headers={"x-pitboss-key": test_key}).status == 200


@pytest.mark.parametrize("bad", ["wpk_test_nope", "wsk_test_abc", "x" * 200])
def test_anything_but_a_key_of_this_brand_is_refused(moto_table: str, bad: str) -> None:
    t, other = make_tenant(), make_tenant()
    others, _ = publishable.create(other.tenant_id, other.brand_id, "test")
    for key in (bad, others):
        r = call("POST", f"/gateway/admission/v1/login/{t.brand_id}", {"username": "x", "password": "y"},
                 headers={"x-pitboss-key": key})  # fmt: skip
        assert (r.status, r.json()) == (401, BAD_KEY), key
    with pytest.raises(Exception, match="brand not found"):
        publishable.create(t.tenant_id, other.brand_id, "test")  # only the tenant's own brands
    assert InvalidPublishableKey().status == 401
