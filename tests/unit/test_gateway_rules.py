"""Gateway rules in process (moto and DynamoDB Local): password rules, login lockout, session expiry
(idle, duration limit, operator status), the reality check, and no secrets in log lines."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pitboss import keys, store, tenancy
from pitboss.gateway import outbox, passwords, rules
from pitboss.identity.entity import Player
from tests.gateway_support import call, register
from tests.support import at, make_tenant, unique
from tests.wallet_support import Driver

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _brand(**settings: Any) -> int:
    t = make_tenant()
    if settings:
        tenancy.update_brand_settings(t.tenant_id, t.brand_id, settings)
    return t.brand_id


def _profile(brand_id: int, player_id: int) -> Player:
    brand = tenancy.get_brand(brand_id)
    assert brand is not None
    realm = keys.realm(brand.tenant_id, "live")
    pointer = store.get(keys.player_number_pk(realm, player_id), keys.UNIQUE)
    assert pointer is not None
    item = store.get(keys.player_pk(realm, pointer["user_id"]), keys.PROFILE)
    assert item is not None
    return Player.from_item(realm, item)


def _write(player: Player, **changes: Any) -> None:
    updated = player.model_copy(update={**changes, "version": player.version + 1})
    store.put(updated.to_item())


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("Orion2049x", []),
        ("ab1", ["password_short", "password_same_letters"]),
        ("abcdefgh12345678", ["password_long"]),
        ("starlord1", ["password_match_user_name"]),
        ("aaab1234", ["password_same_letters"]),
        ("abababab", ["password_same_letters", "password_mix_characters"]),
        ("abcdefghij", ["password_mix_characters"]),
    ],
)
def test_password_rules_give_the_seed_codes(password: str, codes: list[str]) -> None:
    assert rules.password_problems(password, username="Starlord1", email="sl@example.com") == codes


def test_passwords_are_argon2id_and_never_on_the_profile(moto_table: str) -> None:
    brand_id = _brand()
    created = register(brand_id, unique("gw"))
    player = _profile(brand_id, created["player_id"])
    assert "Orion2049x" not in str(player.to_item())
    creds = store.get(player.pk, "CREDENTIALS")
    assert creds is not None and creds["password_hash"].startswith("$argon2id$")
    assert passwords.verify(creds["password_hash"], "Orion2049x")
    # the session is stored by hash only
    assert store.get(keys.session_pk(created["token"]), "SESSION") is not None
    assert store.get(f"SESSION#{created['token']}", "SESSION") is None


def test_repeated_failures_lock_the_account_for_a_while(table: str) -> None:
    brand_id = _brand(login_max_failures=3, login_lockout_minutes=10)
    name = unique("gw")
    register(brand_id, name)
    at(T0)
    path = f"/gateway/admission/v1/login/{brand_id}"
    for _ in range(2):
        r = call("POST", path, {"username": name, "password": "Wrong2049x"})
        assert (r.status, r.json()) == (401, {"result": "INVALID_CREDENTIALS"})
    r = call("POST", path, {"username": name, "password": "Wrong2049x"})
    assert (r.status, r.json()) == (401, {"result": "ACCOUNT_LOCKED"})
    assert int(r.headers["Retry-After"]) > 0
    # even the right password is refused while locked
    r = call("POST", path, {"username": name, "password": "Orion2049x"})
    assert (r.status, r.json()) == (401, {"result": "ACCOUNT_LOCKED"})
    at(T0 + timedelta(minutes=10, seconds=1))
    r = call("POST", path, {"email": f"{name}@example.com", "password": "Orion2049x"})
    assert r.status == 200, r.text
    assert set(r.json()) == {"token", "player_id"}
    # unknown users get the same answer as a wrong password
    r = call("POST", path, {"username": unique("nobody"), "password": "Orion2049x"})
    assert (r.status, r.json()) == (401, {"result": "INVALID_CREDENTIALS"})


def test_sessions_end_at_the_idle_timeout_and_the_duration_limit(table: str) -> None:
    brand_id = _brand(session_idle_minutes=30)
    at(T0)
    created = register(brand_id, unique("gw"))
    details = f"/gateway/player-personal-details/player/details/v1/{brand_id}"
    at(T0 + timedelta(minutes=29))
    assert call("GET", details, token=created["token"]).status == 200  # touches the session
    at(T0 + timedelta(minutes=58))
    assert call("GET", details, token=created["token"]).status == 200  # 29 idle minutes: still alive
    at(T0 + timedelta(minutes=88, seconds=1))
    r = call("GET", details, token=created["token"])
    assert (r.status, r.json()) == (401, {"errMsg": "invalid input - invalid token"})

    # the player's own session_duration_limit (minutes, from the dossier) ends a busy session too
    at(T0)
    other = register(brand_id, unique("gw"))
    player = _profile(brand_id, other["player_id"])
    _write(player, limits={"session_duration_limit": 45})
    for minute in (10, 20, 30, 40):
        at(T0 + timedelta(minutes=minute))
        assert call("GET", details, token=other["token"]).status == 200
    at(T0 + timedelta(minutes=45))
    assert call("GET", details, token=other["token"]).status == 401


@pytest.mark.parametrize("change", [{"status": "closed"}, {"self_exclusion_permanent": True}, {"status": "suspended"}])
def test_an_operator_status_change_ends_sessions_and_blocks_login(moto_table: str, change: dict[str, Any]) -> None:
    brand_id = _brand()
    name = unique("gw")
    created = register(brand_id, name)
    details = f"/gateway/player-personal-details/player/details/v1/{brand_id}"
    assert call("GET", details, token=created["token"]).status == 200
    _write(_profile(brand_id, created["player_id"]), **change)
    r = call("GET", details, token=created["token"])
    assert (r.status, r.json()) == (401, {"errMsg": "invalid input - invalid token"})
    r = call("POST", f"/gateway/admission/v1/login/{brand_id}", {"username": name, "password": "Orion2049x"})
    expected = {"closed": "ACCOUNT_CLOSED", "suspended": "ACCOUNT_SUSPENDED"}.get(
        str(change.get("status")), "SELF_EXCLUDED"
    )
    assert (r.status, r.json()) == (401, {"result": expected})


def test_reality_check_303_once_the_interval_has_passed_then_resets(table: str) -> None:
    brand_id = _brand(required_documents=[], session_idle_minutes=120)
    at(T0)
    created = register(brand_id, unique("gw"))
    _write(_profile(brand_id, created["player_id"]), limits={"reality_check_interval": 15})
    status = f"/gateway/online-player/v1/player/{brand_id}/online/status"
    at(T0 + timedelta(minutes=14))
    assert call("GET", status, token=created["token"]).status == 200
    at(T0 + timedelta(minutes=75))
    r = call("GET", status, token=created["token"])
    assert r.status == 303
    assert r.json() == {
        "currency": "USD",
        "profit": 0,
        "total_bets": 0,
        "total_wins": 0,
        "total_lossed": 0,
        "restart_period": "15_min",
        "time_played": "1 hour 15 minutes",
        "min": "15",
        "h": "1",
    }
    # the check reset the clock
    assert call("GET", status, token=created["token"]).status == 200
    at(T0 + timedelta(minutes=90))
    # issue 11 #6: in-game status answers only for a session start game opened
    start = call(
        "POST", f"/gateway/game/v1/{brand_id}/start", {"provider": "p", "game_id": "g"}, token=created["token"]
    )
    assert start.status == 200, start.text
    ingame = f"/gateway/online-player/v1/player/{brand_id}/online/ingame/status/{start.json()['game_session_id']}"
    r = call("GET", ingame, token=created["token"])
    assert r.status == 303 and set(r.json()) == {"currency", "profit", "restart_period", "time_played", "min", "h"}


def test_online_status_reads_the_wallet_item(moto_table: str) -> None:
    brand_id = _brand(required_documents=[])
    created = register(brand_id, unique("gw"))
    player = _profile(brand_id, created["player_id"])
    status = f"/gateway/online-player/v1/player/{brand_id}/online/status"
    body = call("GET", status, token=created["token"]).json()
    assert (body["total_balance"], body["real_balance"], body["bonusBalance"], body["maxBalance"]) == (0, 0, 0, 0)
    from decimal import Decimal

    store.put(
        {
            "pk": player.pk,
            "sk": "WALLET",
            "user_id": player.user_id,
            "currency": "USD",
            "balances": {"real": Decimal("906.04"), "bonus": Decimal("30.00"), "winz": Decimal(0), "xp": Decimal(0)},
            "frozen": Decimal(0),
        }
    )
    body = call("GET", status, token=created["token"]).json()
    assert (body["total_balance"], body["real_balance"], body["bonusBalance"], body["maxBalance"]) == (
        936.04,
        906.04,
        30,
        93604,
    )


def test_online_status_shows_wagering_left_and_a_completion_in_this_session(moto_table: str) -> None:
    d = Driver(required_documents=[])
    username = unique("gw")
    created = register(d.tenant.brand_id, username)
    d.user_id = _profile(d.tenant.brand_id, created["player_id"]).user_id
    status = f"/gateway/online-player/v1/player/{d.tenant.brand_id}/online/status"

    def wagering(token: str) -> tuple[Any, ...]:
        body = call("GET", status, token=token).json()
        return body["bonusBalance"], body["wageringBalance"], body["wageringComplete"], body["maxWin"]

    # issue 11 #10: "wageringComplete must be "0" or "1" (today "1" or "")"
    d.deposit("10.00")
    d.call("bonus", {"amount": "20.00", "wagering_multiplier": 2})
    assert wagering(created["token"]) == (20, 40, "0", 0)
    d.bet("15.00", rnd="r1", round_closed=True)  # 10 real + 5 bonus; 15 of the 40 wagered
    assert wagering(created["token"]) == (15, 25, "0", 0)
    assert call("GET", status, token=created["token"]).json()["wageringCompleteInfoPath"] is None
    d.win("30.00", rnd="r1")
    d.bet("25.00", rnd="r2", round_closed=True)  # wagering complete: the 15 bonus left converts to real
    assert wagering(created["token"]) == (0, 0, "1", 15)
    # seed 002: "wageringCompleteInfoPath ... format will be:
    # '/gateway/bonus/{version}/wagering-complete/{brand_id}/{player_id}/{unique_ref_id}'"
    path = call("GET", status, token=created["token"]).json()["wageringCompleteInfoPath"]
    prefix = f"/gateway/bonus/v1/wagering-complete/{d.tenant.brand_id}/{created['player_id']}/"
    assert path.startswith(prefix) and len(path) > len(prefix)
    r = call("GET", path, token=created["token"])
    assert r.status == 200, r.text
    assert {k: r.json()[k] for k in ("bonus_amount", "wagering_required", "converted_amount", "currency")} == {
        "bonus_amount": 20, "wagering_required": 40, "converted_amount": 15, "currency": "USD"}  # fmt: skip
    assert r.json()["unique_ref_id"] == path.rsplit("/", 1)[1]
    # another player's id, or a reference that is no converted bonus of this player: 404
    for other in (path.replace(f"/{created['player_id']}/", "/999999/"), prefix + "bn_nope"):
        r = call("GET", other, token=created["token"])
        assert (r.status, r.json()) == (404, {"errMsg": "Bonus not found"}), other
    assert call("GET", path).status == 401
    login = call("POST", f"/gateway/admission/v1/login/{d.tenant.brand_id}",
                 {"username": username, "password": "Orion2049x"})  # fmt: skip
    assert login.status == 200, login.text
    assert wagering(login.json()["token"]) == (0, 0, "0", 0)  # completed before this session began
    assert call("GET", path, token=login.json()["token"]).status == 200  # the details stay readable


def test_online_status_says_when_details_a_deposit_needs_are_missing(moto_table: str) -> None:
    """Seed 002: "is_missing_player_details — indication if player has missing details, need to ask to fill
    details before deposit call" (issue 11 #10)."""
    t = make_tenant()
    tenancy.update_brand_settings(t.tenant_id, t.brand_id, {"required_documents": []})
    status = f"/gateway/online-player/v1/player/{t.brand_id}/online/status"
    details = f"/gateway/player-personal-details/player/details/v1/{t.brand_id}"
    created = register(t.brand_id, unique("gw"))  # names and country, no date of birth
    assert call("GET", status, token=created["token"]).json()["is_missing_player_details"] is True
    assert call("PUT", details, {"birthdate": "1990-04-01"}, token=created["token"]).status == 204
    assert call("GET", status, token=created["token"]).json()["is_missing_player_details"] is False


def test_online_status_leaves_out_a_bonus_past_its_expiry(moto_table: str) -> None:
    d = Driver(required_documents=[])
    at(T0)
    username = unique("gw")
    created = register(d.tenant.brand_id, username)
    d.user_id = _profile(d.tenant.brand_id, created["player_id"]).user_id
    d.deposit("10.00")
    expires = (T0 + timedelta(minutes=10)).isoformat()
    d.call("bonus", {"amount": "20.00", "wagering_multiplier": 2, "expires_at": expires})
    status = f"/gateway/online-player/v1/player/{d.tenant.brand_id}/online/status"
    body = call("GET", status, token=created["token"]).json()
    assert (body["total_balance"], body["bonusBalance"], body["wageringBalance"]) == (30, 20, 40)
    at(T0 + timedelta(minutes=11))  # expired; no movement has written its forfeit yet
    body = call("GET", status, token=created["token"]).json()
    assert (body["total_balance"], body["bonusBalance"], body["wageringBalance"]) == (10, 0, 0)
    # a session that starts now counts from the spendable balance too: no play, no change
    login = call("POST", f"/gateway/admission/v1/login/{d.tenant.brand_id}",
                 {"username": username, "password": "Orion2049x"})  # fmt: skip
    body = call("GET", status, token=login.json()["token"]).json()
    assert (body["balance_since_login"], body["rounds_since_login"]) == (0, 0)
    # a bet from before this session rolled back during it: no negative play in this session
    d.bet("4.00", ref="pre", rnd="pre-login")
    login = call("POST", f"/gateway/admission/v1/login/{d.tenant.brand_id}",
                 {"username": username, "password": "Orion2049x"})  # fmt: skip
    d.rollback("pre")
    body = call("GET", status, token=login.json()["token"]).json()
    assert (body["rounds_since_login"], body["balance_since_login"]) == (0, 4)


def test_registration_below_the_brands_minimum_age_is_refused(moto_table: str) -> None:
    brand_id = _brand()
    at(T0)  # 2026-11-23, brand time zone UTC, min_age 18
    body = {"username": unique("kid"), "email": f"{unique('kid')}@example.com", "password": "Orion2049x"}
    r = call("POST", f"/gateway/admission/v1/register/{brand_id}", {**body, "birthdate": "2008-11-24"})
    assert (r.status, r.json()) == (422, {"result": [{"field": "birthdate", "errorCode": "birthdate_underage"}]})
    r = call("POST", f"/gateway/admission/v1/register/{brand_id}", {**body, "birthdate": "2008-11-23"})
    assert r.status == 201, r.text  # 18 today


def test_links_are_single_use_and_expire(moto_table: str) -> None:
    brand_id = _brand()
    at(T0)
    name = unique("gw")
    register(brand_id, name)
    forgot = f"/gateway/admission/v1/forgot/password/{brand_id}"
    assert call("POST", forgot, {"mail": f"{name}@example.com"}).status == 201
    token = next(
        m["token"]
        for m in outbox.list_messages()
        if m["to"] == f"{name}@example.com" and m["type"] == "password_reset_email"
    )
    verify = f"/gateway/admission/v1/verify/password/{brand_id}"
    at(T0 + timedelta(hours=1, seconds=1))
    r = call("POST", verify, {"new_password": "Vega2050y"}, query={"hash": token})
    assert (r.status, r.json()) == (400, {"message_format": "general_failure"})
    at(T0 + timedelta(minutes=5))
    r = call("POST", verify, {"new_password": "Vega2050y"}, query={"hash": token})
    assert r.status == 202 and r.json()["message_format"] == "password_successfully_changed"
    r = call("POST", verify, {"new_password": "Vega2050z"}, query={"hash": token})
    assert (r.status, r.json()) == (400, {"message_format": "general_failure"})
    # links are stored hashed
    assert store.get(f"LINK#{token}", "LINK") is None


def test_no_password_token_or_email_in_log_lines(moto_table: str, caplog: pytest.LogCaptureFixture) -> None:
    from pitboss.observability import logger

    brand_id = _brand()
    name = unique("gw")
    previous = logger.log_level
    logger.setLevel(logging.DEBUG)
    try:
        created = register(brand_id, name, password="Secret2049q")
        call("POST", f"/gateway/admission/v1/login/{brand_id}", {"username": name, "password": "Wrong2049q"})
        call("POST", f"/gateway/admission/v1/login/{brand_id}", {"username": name, "password": "Secret2049q"})
        call("POST", f"/gateway/admission/v1/forgot/password/{brand_id}", {"mail": f"{name}@example.com"})
    finally:
        logger.setLevel(previous)
    logs = "\n".join(str(record.__dict__) for record in caplog.records)
    assert "player registered" in logs
    for secret in ("Secret2049q", "Wrong2049q", created["token"], f"{name}@example.com"):
        assert secret not in logs


def test_requirement_codes_follow_brand_settings_and_state(moto_table: str) -> None:
    brand_id = _brand(required_documents=[], require_email_verification=True)
    created = register(brand_id, unique("gw"))
    info = f"/gateway/online-player/v1/{brand_id}/player/info"
    r = call("GET", info, token=created["token"])
    assert (r.status, r.json()) == (401, {"result": "EMAIL_NOT_VERIFIED"})
    from pitboss.gateway import credentials

    player = _profile(brand_id, created["player_id"])
    brand = tenancy.get_brand(brand_id)
    assert brand is not None
    _write(player, email_verified=True)
    assert call("GET", info, token=created["token"]).status == 200
    credentials.set_temporary_password(brand, player.user_id, "Temp2049xy")
    # a temporary password ends every session; the next login must change it
    assert call("GET", info, token=created["token"]).status == 401
    r = call("POST", f"/gateway/admission/v1/login/{brand_id}", {"username": player.username, "password": "Temp2049xy"})
    token = r.json()["token"]
    r = call("GET", info, token=token)
    assert (r.status, r.json()) == (401, {"result": "PASSWORD_CHANGE_REQUIRED"})
    r = call(
        "POST",
        f"/gateway/admission/v1/player/{brand_id}/change/password",
        {"old_password": "Temp2049xy", "new_password": "Lyra2051z"},
        token=token,
    )
    assert r.status == 202
    assert call("GET", info, token=token).status == 200


def test_mobile_verification_holds_a_new_phone_with_the_seeds_403(moto_table: str) -> None:
    brand_id = _brand(mobile_verification=True)
    created = register(brand_id, unique("gw"))
    details = f"/gateway/player-personal-details/player/details/v1/{brand_id}"
    r = call("PUT", details, {"phone": "12-1231231", "city": "Haifa"}, token=created["token"])
    assert r.status == 403
    body = r.json()
    assert body["status"] == "mobile_verification_required"
    assert set(body["data"]) == {"mobile_number", "2fa_auth_token"}
    got = call("GET", details, token=created["token"]).json()
    # the whole update waits for the verification: only the pending number is stored, not the city
    assert got["pendingMobileNumber"] == "12-1231231" and got["phone"] is None and got["city"] is None


def test_email_fraud_list_skips_test_players(moto_table: str) -> None:
    brand_id = _brand(blocked_email_domains=["fraud.example"])
    path = f"/gateway/player-personal-details/player/details/emailUpdate/v1/{brand_id}"
    player = register(brand_id, unique("gw"))
    r = call("POST", path, {"email": "x@mail.fraud.example"}, token=player["token"])
    assert (r.status, r.json()) == (422, {"result": [{"field": "email", "errorCode": "email_fraud"}]})
    tester = register(brand_id, unique("qqtst_"))
    assert call("POST", path, {"email": "y@fraud.example"}, token=tester["token"]).status == 204


def test_an_operator_created_player_sets_a_first_password_through_the_reset_link(moto_table: str) -> None:
    from pitboss import idempotency
    from pitboss.players import upsert as players
    from pitboss.players.models import PlayerUpsert

    t = make_tenant()
    principal = tenancy.authenticate(f"Bearer {t.live_key}")
    name = unique("op")
    body = PlayerUpsert(username=name, email=f"{name}@example.com", brand_id=t.brand_id)
    idem = idempotency.begin(principal.realm, None, "POST", "/v1/players", body.model_dump(mode="json"))
    assert players.upsert_player(principal, body, idem).status == 201
    login = f"/gateway/admission/v1/login/{t.brand_id}"
    assert call("POST", login, {"username": name, "password": "Orion2049x"}).status == 401
    assert (
        call("POST", f"/gateway/admission/v1/forgot/password/{t.brand_id}", {"mail": f"{name}@example.com"}).status
        == 201
    )
    token = outbox.list_messages()[0]["token"]
    r = call(
        "POST",
        f"/gateway/admission/v1/verify/password/{t.brand_id}",
        {"new_password": "Orion2049x"},
        query={"hash": token},
    )
    assert r.status == 202, r.text
    assert call("POST", login, {"username": name, "password": "Orion2049x"}).status == 200


def test_an_authenticated_read_costs_two_round_trips_after_the_brand(moto_table: str) -> None:
    from pitboss.gateway import sessions

    brand_id = _brand()
    created = register(brand_id, unique("gw"))
    brand = tenancy.get_brand(brand_id)
    assert brand is not None
    before = store.round_trips.count
    # session GetItem + profile/credentials/wallet BatchGetItem
    sessions.authenticate(sessions.Front(brand), created["token"])
    assert store.round_trips.count - before == 2
