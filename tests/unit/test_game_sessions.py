"""Issue 11 #6, game sessions, on moto. Seed 001: "Players are created by the platform when they first
authenticate through a game provider — you do not create players directly via this API." Seed 002:
"game_session_id — Unique session ID provided by start game request"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pitboss import idempotency, tenancy
from pitboss.errors import NotFound, PlayerBlocked, Unprocessable
from pitboss.games import authenticate, repository, rules, sessions
from pitboss.games.entity import GameSession
from pitboss.games.models import GameSessionIn
from tests.dossier_support import T0, events, principal, write
from tests.gateway_support import call, register
from tests.support import at, make_tenant, unique
from tests.unit.test_gateway_rules import _profile, _write


def _auth(who: tenancy.Principal, idem_key: str | None = None, **body: Any) -> idempotency.Outcome:
    body.setdefault("provider", "acme")
    body.setdefault("game_id", "slots-1")
    parsed = GameSessionIn.model_validate(body)
    brand = who.brand(parsed.brand_id).brand_id
    idem = idempotency.begin(who, idem_key, "POST", f"/v1/game-sessions:{brand}", body)
    return authenticate.authenticate(who, parsed, idem)


# ---- rules (pure) --------------------------------------------------------------------------------


def test_session_ids_round_trip_and_nothing_else_is_one() -> None:
    ulid = "01JD3X5Q8M7N2P4R6T8V0W2Y4Z"
    sid = rules.session_id(ulid)
    assert sid == "gs_01jd3x5q8m7n2p4r6t8v0w2y4z"
    assert rules.ulid_of(sid) == ulid and rules.ulid_of(sid.upper()) == ulid
    for other in (
        "gs-1",
        "gs-42",
        "",
        "gs_",
        "gs_01jd3x5q8m7n2p4r6t8v0w2y4",
        "gs_01jd3x5q8m7n2p4r6t8v0w2y4u",
        "x" * 40,
    ):
        assert rules.ulid_of(other) is None, other


def _session(**change: Any) -> GameSession:
    base: dict[str, Any] = {
        "realm": "T#t#live",
        "game_session_id": "gs_01jd3x5q8m7n2p4r6t8v0w2y4z",
        "user_id": "u1",
        "brand_id": 7,
        "provider": "acme",
        "game_id": "g",
        "currency": "USD",
        "opened_at": T0,
        "expires_at": rules.expires_at(T0),
    }
    return GameSession(**{**base, **change})


@pytest.mark.parametrize(
    ("session", "user_id", "brand_id", "now", "readable"),
    [
        (_session(), "u1", 7, T0, True),
        (_session(), "u1", 7, T0 + timedelta(hours=23, minutes=59), True),
        (_session(), "u1", 7, T0 + timedelta(hours=24), False),  # expired
        (_session(), "u2", 7, T0, False),  # another player's
        (_session(), "u1", 8, T0, False),  # another brand's
        (None, "u1", 7, T0, False),  # unknown
    ],
)
def test_who_may_read_a_session(
    session: GameSession | None, user_id: str, brand_id: int, now: datetime, readable: bool
) -> None:
    assert rules.belongs_to(session, user_id, brand_id, now) is readable


# ---- the authenticate call ------------------------------------------------------------------------


def test_an_unknown_username_is_created_by_the_provider_then_found(moto_table: str) -> None:
    at(T0)
    who = principal(make_tenant().live_key)
    name = unique("Gs")
    first = _auth(who, username=name, provider="acme")
    assert first.status == 201 and first.body["created"] is True
    player = first.body["player"]
    assert player["username"] == name and player["email"] == f"{name.casefold()}@players.invalid"
    created = events(who, player["user_id"])
    assert [(e["type"], e["actor"], e["data"]["source"]) for e in created] == [
        ("player_created", "provider:acme", "game_provider")
    ]
    again = _auth(who, username=name.upper(), provider="other")  # usernames are case-insensitive
    assert again.status == 200 and again.body["created"] is False
    assert again.body["player"]["user_id"] == player["user_id"]
    assert again.body["game_session_id"] != first.body["game_session_id"]
    for outcome in (first, again):
        stored = repository.find(who.realm, outcome.body["game_session_id"])
        assert stored is not None and stored.user_id == player["user_id"]
        assert stored.expires_at == T0 + timedelta(hours=24)


def test_the_email_given_is_the_new_players(moto_table: str) -> None:
    who = principal(make_tenant().live_key)
    name = unique("Gs")
    out = _auth(who, username=name, email=f"{name}@example.com")
    assert out.body["player"]["email"] == f"{name}@example.com"


def test_currency_is_the_brands_default_or_one_it_offers(moto_table: str) -> None:
    t = make_tenant()
    tenancy.update_brand_settings(t.tenant_id, t.brand_id, {"currencies": ["EUR", "BTC"]})
    who = principal(t.live_key)
    assert _auth(who, username=unique("Gs")).body["currency"] == "EUR"
    assert _auth(who, username=unique("Gs"), currency="BTC").body["currency"] == "BTC"
    name = unique("Gs")
    with pytest.raises(Unprocessable) as refused:
        _auth(who, username=name, currency="USD")
    assert refused.value.code == "currency_mismatch"
    assert _auth(who, username=name).status == 201  # the refusal created nothing


def test_a_blocked_player_gets_the_bets_403_and_no_session(moto_table: str) -> None:
    who = principal(make_tenant().live_key)
    name = unique("Gs")
    user_id = _auth(who, username=name).body["player"]["user_id"]
    write(who, "status", user_id, {"status": "fraud_hold", "reason": "chargebacks"})
    with pytest.raises(PlayerBlocked) as refused:
        _auth(who, username=name)
    assert refused.value.code == "player_blocked"
    assert refused.value.details["reasons"] == ["status:fraud_hold"]


def test_an_age_gated_brand_creates_no_player_without_a_session(moto_table: str) -> None:
    t = make_tenant()
    tenancy.update_brand_settings(t.tenant_id, t.brand_id, {"require_date_of_birth": True})
    who = principal(t.live_key)
    name = unique("Gs")
    with pytest.raises(PlayerBlocked):
        _auth(who, username=name)
    tenancy.update_brand_settings(t.tenant_id, t.brand_id, {"require_date_of_birth": False})
    assert _auth(principal(t.live_key), username=name).status == 201  # nothing was written by the refusal


def test_a_replay_answers_the_original_and_opens_nothing_new(moto_table: str) -> None:
    who = principal(make_tenant().live_key)
    name = unique("Gs")
    first = _auth(who, "auth-1", username=name)
    again = _auth(who, "auth-1", username=name)
    assert again.deduped and again.body["game_session_id"] == first.body["game_session_id"]


def test_another_brand_is_404(moto_table: str) -> None:
    t = make_tenant(("A", "USD"), ("B", "USD"))
    raw, _ = tenancy.create_key(t.tenant_id, "live", scopes=["*"], brand_ids=[t.brand_id])
    who = principal(raw)
    with pytest.raises(NotFound):
        _auth(who, username=unique("Gs"), brand_id=int(t.brands[1]["brand_id"]))


# ---- the gateway: start game, in-game status --------------------------------------------------------


def _gateway_brand(**settings: Any) -> int:
    t = make_tenant()
    tenancy.update_brand_settings(t.tenant_id, t.brand_id, {"required_documents": [], **settings})
    return t.brand_id


def _start(brand_id: int, token: str) -> str:
    r = call("POST", f"/gateway/game/v1/{brand_id}/start", {"provider": "acme", "game_id": "slots-1"}, token=token)
    assert r.status == 200, r.text
    body = r.json()
    assert set(body) == {"game_session_id", "provider", "game_id", "currency"}
    assert (body["provider"], body["game_id"], body["currency"]) == ("acme", "slots-1", "USD")
    assert rules.ulid_of(body["game_session_id"]) is not None  # the /v1 id format
    return str(body["game_session_id"])


def _ingame(brand_id: int, sid: str, token: str) -> Any:
    return call("GET", f"/gateway/online-player/v1/player/{brand_id}/online/ingame/status/{sid}", token=token)


def test_in_game_status_answers_only_the_players_own_live_session(moto_table: str) -> None:
    at(T0)
    brand_id = _gateway_brand()
    name = unique("gw")
    me, other = register(brand_id, name), register(brand_id, unique("gw"))
    mine = _start(brand_id, me["token"])
    assert _ingame(brand_id, mine, me["token"]).status == 200
    not_found = {"errMsg": "game session not found"}
    for sid in ("gs-1", rules.session_id("01JD3X5Q8M7N2P4R6T8V0W2Y4Z"), _start(brand_id, other["token"])):
        r = _ingame(brand_id, sid, me["token"])
        assert (r.status, r.json()) == (404, not_found), sid

    def login() -> str:  # the gateway's own session ends too (idle, 24 h): each check logs in anew
        r = call("POST", f"/gateway/admission/v1/login/{brand_id}", {"username": name, "password": "Orion2049x"})
        assert r.status == 200, r.text
        return str(r.json()["token"])

    at(T0 + timedelta(hours=23, minutes=59))
    assert _ingame(brand_id, mine, login()).status == 200
    at(T0 + timedelta(hours=24))
    r = _ingame(brand_id, mine, login())
    assert (r.status, r.json()) == (404, not_found)  # expired (the item's ttl may not have removed it yet)


def test_a_session_is_keyed_in_its_realm(moto_table: str) -> None:
    """Another tenant's or the other mode's realm can only miss: the realm is part of the key."""
    brand_id = _gateway_brand()
    me = register(brand_id, unique("gw"))
    live = _start(brand_id, me["token"])
    brand = tenancy.get_brand(brand_id)
    assert brand is not None
    assert repository.find(f"T#{brand.tenant_id}#live", live) is not None
    assert repository.find(f"T#{brand.tenant_id}#test", live) is None
    assert repository.find("T#someone-else#live", live) is None


def test_start_refuses_a_player_blocked_from_play(moto_table: str) -> None:
    brand_id = _gateway_brand()
    me = register(brand_id, unique("gw"))
    _write(_profile(brand_id, me["player_id"]), status="aml_hold")
    r = call("POST", f"/gateway/game/v1/{brand_id}/start", {"provider": "acme", "game_id": "g"}, token=me["token"])
    assert r.status == 403 and "errMsg" in r.json()


def test_a_stored_session_maps_back(moto_table: str) -> None:
    opened = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    s = sessions.new("T#t#live", "u1", 3, provider="acme", game_id="g", currency="USD", now=opened)
    repository.save(s)
    assert repository.find("T#t#live", s.game_session_id) == s
    assert repository.to_item(s)["ttl"] == int((opened + timedelta(hours=24)).timestamp())
    assert repository.to_item(s)["pk"].startswith("T#t#live#GS#")
