"""Player upsert and resolution, on moto and on DynamoDB Local."""

from __future__ import annotations

import pytest

from pitboss import idempotency, keys, store, tenancy
from pitboss.errors import Conflict, IdempotencyConflict, NotFound, Unprocessable
from pitboss.players import queries
from pitboss.players import upsert as upserts
from pitboss.players.models import PlayerUpsert
from tests.support import make_tenant, unique


def upsert(who: tenancy.Principal, body: dict, idem_key: str | None = None) -> idempotency.Outcome:
    model = PlayerUpsert.model_validate({**body, **({"idempotency_key": idem_key} if idem_key else {})})
    idem = idempotency.begin(who.realm, idem_key, "POST", "/v1/players", body)
    return upserts.upsert_player(who, model, idem)


def test_create_then_update_is_201_then_200(table: str) -> None:
    t = make_tenant()
    who = tenancy.authenticate(f"Bearer {t.live_key}")
    name = unique("Star")
    first = upsert(who, {"username": name, "email": f"{name}@example.com", "country_code": "us"})
    assert first.status == 201
    player = first.body["player"]
    assert player["username"] == name and player["status"] == "active" and player["kyc_status"] == "none"
    assert player["country_code"] == "US"
    second = upsert(who, {"username": name.upper(), "email": f"{name}@example.com", "external_ref": "pam-1"})
    assert second.status == 200
    assert second.body["player"]["user_id"] == player["user_id"]
    assert second.body["player"]["external_ref"] == "pam-1"
    events = list(store.query_all(keys.player_pk(who.realm, player["user_id"]), sk_prefix="EVT#"))
    assert [e["type"] for e in events] == ["player_created", "profile_updated"]


def test_replay_is_deduped_and_reuse_is_409(table: str) -> None:
    t = make_tenant()
    who = tenancy.authenticate(f"Bearer {t.live_key}")
    name = unique("idem")
    body = {"username": name, "email": f"{name}@example.com"}
    first = upsert(who, body, "k-1")
    again = upsert(who, body, "k-1")
    assert (first.status, again.status, again.deduped) == (201, 200, True)
    assert again.response_body() == {**first.response_body(), "deduped": True}
    assert again.response_body()["idempotency_key"] == "k-1"  # issue 10 #6: the key it was recorded under
    with pytest.raises(IdempotencyConflict):
        upsert(who, {**body, "external_ref": "other"}, "k-1")
    events = list(store.query_all(keys.player_pk(who.realm, first.body["player"]["user_id"]), sk_prefix="EVT#"))
    assert len(events) == 1


def test_email_is_unique_within_the_brand(table: str) -> None:
    t = make_tenant()
    who = tenancy.authenticate(f"Bearer {t.live_key}")
    email = f"{unique('e')}@example.com"
    upsert(who, {"username": unique("a"), "email": email})
    with pytest.raises(Conflict) as err:
        upsert(who, {"username": unique("b"), "email": email.upper()})
    assert err.value.code == "email_taken"


def test_lookup_by_uuid_and_username_and_isolation(table: str) -> None:
    t = make_tenant()
    other = make_tenant()
    live = tenancy.authenticate(f"Bearer {t.live_key}")
    test = tenancy.authenticate(f"Bearer {t.test_key}")
    stranger = tenancy.authenticate(f"Bearer {other.live_key}")
    name = unique("Look")
    created = upsert(live, {"username": name, "email": f"{name}@example.com"}).body["player"]
    assert queries.get_dossier(live, created["user_id"], None).player.username == name
    assert queries.get_dossier(live, name.lower(), None).player.user_id == created["user_id"]
    for who, key in [(test, created["user_id"]), (test, name), (stranger, created["user_id"]), (stranger, name)]:
        with pytest.raises(NotFound):
            queries.get_dossier(who, key, None)


def test_multi_brand_key_needs_brand_for_username(table: str) -> None:
    t = make_tenant(("A", "USD"), ("B", "EUR"))
    who = tenancy.authenticate(f"Bearer {t.live_key}")
    name = unique("mb")
    with pytest.raises(Unprocessable):
        upsert(who, {"username": name, "email": f"{name}@example.com"})
    b = t.brands[1]["brand_id"]
    created = upsert(who, {"username": name, "email": f"{name}@example.com", "brand_id": b}).body["player"]
    assert created["brand_id"] == b
    with pytest.raises(Unprocessable):
        queries.get_dossier(who, name, None)
    assert queries.get_dossier(who, name, b).player.user_id == created["user_id"]
    # the same username in the other brand is another player
    other = upsert(who, {"username": name, "email": f"{name}@example.com", "brand_id": t.brands[0]["brand_id"]})
    assert other.status == 201 and other.body["player"]["user_id"] != created["user_id"]


def test_round_trips_of_a_dossier_read(table: str) -> None:
    t = make_tenant()
    who = tenancy.authenticate(f"Bearer {t.live_key}")
    name = unique("rt")
    created = upsert(who, {"username": name, "email": f"{name}@example.com"}).body["player"]
    store.round_trips.count = 0
    queries.get_dossier(who, created["user_id"], None)
    assert store.round_trips.count == 1
