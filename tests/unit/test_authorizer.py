"""The authorizer: one GetItem per key (the key record carries its brand set) and a warm cache of at most
apikeys.CACHE_SECONDS (moto)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from pitboss import apikeys, keys, store, tenancy
from pitboss_local import template
from pitboss_local.runtime import LambdaContext, load_handler
from tests.conftest import load_event
from tests.support import make_tenant

_instances = iter(range(3000, 4000))


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _container() -> tuple[Any, _Clock]:
    """A fresh authorizer container (its own module, so its own cache) on a clock the test moves."""
    instance = next(_instances)
    handler = load_handler(template.functions()["AuthorizerFunction"], instance)
    clock = _Clock()
    sys.modules[f"pitboss_fn_AuthorizerFunction_{instance}"].cache.clock = clock
    return handler, clock


def _authorize(handler: Any, key: str) -> dict[str, Any]:
    event = load_event("authorizer__request")
    event["headers"] = {"authorization": f"Bearer {key}"}
    result: dict[str, Any] = handler(event, LambdaContext(function_name="AuthorizerFunction"))
    assert result["isAuthorized"] is True
    context: dict[str, Any] = result["context"]
    return context


def _round_trips(fn: Any) -> tuple[int, Any]:
    store.round_trips.count = 0
    out = fn()
    return store.round_trips.count, out


def test_one_round_trip_cold_none_warm_within_the_window(moto_table: str) -> None:
    t = make_tenant(("A", "USD"), ("B", "EUR"))
    handler, clock = _container()
    trips, cold = _round_trips(lambda: _authorize(handler, t.live_key))
    assert trips == 1
    who = tenancy.Principal.from_context(cold)
    assert who == tenancy.authenticate(f"Bearer {t.live_key}")
    assert sorted(who.brands) == sorted(b["brand_id"] for b in t.brands)
    clock.now += apikeys.CACHE_SECONDS - 0.01
    trips, warm = _round_trips(lambda: _authorize(handler, t.live_key))
    assert (trips, warm) == (0, cold)
    clock.now += 0.02
    assert _round_trips(lambda: _authorize(handler, t.live_key))[0] == 1
    assert _round_trips(lambda: _authorize(handler, t.test_key))[0] == 1  # cached per key


def test_a_revoked_key_is_refused_once_the_window_has_passed(moto_table: str) -> None:
    t = make_tenant()
    raw, record = tenancy.create_key(t.tenant_id, "live")
    handler, clock = _container()
    assert "principal" in _authorize(handler, raw)
    tenancy.revoke_key(t.tenant_id, record["key_id"])
    clock.now += 5
    assert "principal" in _authorize(handler, raw)  # the documented lag: at most CACHE_SECONDS
    clock.now += apikeys.CACHE_SECONDS - 5
    refused = _authorize(handler, raw)
    assert refused == {"auth_error": "invalid or revoked API key", "auth_code": "invalid_api_key"}
    assert "principal" not in _authorize(_container()[0], raw)  # a cold container refuses at once


def test_refusals_are_not_cached(moto_table: str) -> None:
    handler, _ = _container()
    for _ in range(2):
        trips, refused = _round_trips(lambda: _authorize(handler, "wsk_live_unknown"))
        assert (trips, refused["auth_code"]) == (1, "invalid_api_key")
    trips, refused = _round_trips(lambda: _authorize(handler, "not-a-key"))
    assert (trips, refused["auth_code"]) == (0, "invalid_api_key")


def test_a_brand_settings_change_reaches_the_next_request_after_the_window(moto_table: str) -> None:
    t = make_tenant()
    raw, _ = tenancy.create_key(t.tenant_id, "test", scopes=["players:read"])
    handler, clock = _container()

    def min_age(key: str) -> int:
        return tenancy.Principal.from_context(_authorize(handler, key)).brands[t.brand_id].settings.min_age

    assert (min_age(t.live_key), min_age(raw)) == (18, 18)
    tenancy.update_brand_settings(t.tenant_id, t.brand_id, {"min_age": 21, "timezone": "Europe/Malta"})
    assert min_age(t.live_key) == 18  # still within the window
    clock.now += apikeys.CACHE_SECONDS
    assert (min_age(t.live_key), min_age(raw)) == (21, 21)
    brand = tenancy.authenticate(f"Bearer {raw}").brands[t.brand_id]
    assert (brand.settings.min_age, brand.settings.timezone) == (21, "Europe/Malta")


def test_every_live_key_record_carries_the_current_brand_set(moto_table: str) -> None:
    t = make_tenant(("A", "USD"), ("B", "EUR"))
    raw, revoked = tenancy.create_key(t.tenant_id, "live", brand_ids=[t.brands[1]["brand_id"]])
    tenancy.revoke_key(t.tenant_id, revoked["key_id"])
    tenancy.update_brand_settings(t.tenant_id, t.brands[1]["brand_id"], {"login_max_failures": 3})
    tenancy.update_brand_settings(t.tenant_id, t.brands[0]["brand_id"], {"min_age": 19})
    current = apikeys.brand_set([b.model_dump(mode="json") for b in tenancy.tenant_brands(t.tenant_id)])
    for key in (t.live_key, t.test_key):
        item = store.get(keys.api_key_pk(key), "KEY") or {}
        assert (item["brands"], item["brands_rev"]) == (current, 2)
    stale = store.get(keys.api_key_pk(raw), "KEY") or {}
    assert stale["brands_rev"] == 0 and stale["revoked"] is True  # a revoked key is left alone


def test_an_older_brand_set_never_replaces_a_newer_one(moto_table: str) -> None:
    t = make_tenant()
    tenancy.update_brand_settings(t.tenant_id, t.brand_id, {"min_age": 21})
    digest = keys.api_key_pk(t.live_key)
    newer = store.get(digest, "KEY") or {}
    # A slow writer that read revision 0 arrives late: its write is skipped.
    store.put({**newer, "brands_rev": 5})
    tenancy._write_brand_sets(t.tenant_id)
    assert (store.get(digest, "KEY") or {})["brands_rev"] == 5


def test_a_key_created_while_a_brand_changes_gets_the_new_brands(
    moto_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """create_key reads the brands, then a brand change lands before its write: the write's revision
    check fails, and the retry writes the changed brands."""
    t = make_tenant()
    read = tenancy.tenant_brands
    raced: list[bool] = []

    def brands_then_a_change(tenant_id: str) -> list[tenancy.Brand]:
        found = read(tenant_id)
        if not raced:
            raced.append(True)
            tenancy.update_brand_settings(t.tenant_id, t.brand_id, {"min_age": 25})
        return found

    monkeypatch.setattr(tenancy, "tenant_brands", brands_then_a_change)
    raw, _ = tenancy.create_key(t.tenant_id, "live")
    monkeypatch.undo()
    assert tenancy.authenticate(f"Bearer {raw}").brands[t.brand_id].settings.min_age == 25


def test_a_key_written_before_brand_sets_still_authenticates(moto_table: str) -> None:
    t = make_tenant()
    expected = tenancy.authenticate(f"Bearer {t.live_key}")
    store.update(keys.api_key_pk(t.live_key), "KEY", "REMOVE brands, brands_rev")
    trips, who = _round_trips(lambda: tenancy.authenticate(f"Bearer {t.live_key}"))
    assert (trips, who) == (2, expected)  # the brand Query of old, for old records only
