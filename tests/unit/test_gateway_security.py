"""Gateway security rules (review findings): no registration replay, an atomic lockout that parallel guesses
can't get past, change-password counted toward it, date of birth and country not rewritable by the player,
the outbox per realm without tokens when deployed, forgot-password doing the same work for unknown
addresses, IDN addresses normalised in every lookup, and TransactionConflict never a 500."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from pitboss import bus, clock, keys, store, tenancy
from pitboss.errors import ConcurrentUpdate, PitbossError
from pitboss.gateway import admission, lockout, outbox, passwords, repository, sessions
from pitboss.gateway.entity import LockState
from pitboss.gateway.models import LoginIn
from pitboss.http.gateway import refusal
from pitboss.identity.entity import Player
from pitboss.settings import reset_settings
from tests.gateway_support import call, register
from tests.support import at, make_tenant, unique

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LOCKED = {"result": "ACCOUNT_LOCKED"}
INVALID = {"result": "INVALID_CREDENTIALS"}


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
    store.put(player.model_copy(update={**changes, "version": player.version + 1}).to_item())


def _login(brand_id: int, name: str, password: str) -> Any:
    return call("POST", f"/gateway/admission/v1/login/{brand_id}", {"username": name, "password": password})


# ---- 1. registration is no password oracle -----------------------------------------------------


def test_a_repeated_registration_is_refused_whatever_the_password(moto_table: str) -> None:
    brand_id = _brand(login_max_failures=3, login_lockout_minutes=10)
    at(T0)
    name = unique("gw")
    register(brand_id, name)
    for _ in range(3):
        _login(brand_id, name, "Wrong2049x")
    assert (_login(brand_id, name, "Orion2049x").json()) == LOCKED
    body = {"username": name, "email": f"{name}@example.com", "first_name": "P", "last_name": "Q", "country": "US"}
    taken = {
        "result": [
            {"field": "username", "errorCode": "username_already_exists"},
            {"field": "email", "errorCode": "email_already_exists"},
        ]
    }
    for password in ("Orion2049x", "Guess2049x"):  # the right password and a guess answer alike
        r = call("POST", f"/gateway/admission/v1/register/{brand_id}", {**body, "password": password})
        assert (r.status, r.json()) == (422, taken)
    # and the lock still stands
    r = _login(brand_id, name, "Orion2049x")
    assert (r.status, r.json()) == (401, LOCKED)


# ---- 2. the lockout holds against parallel guesses ---------------------------------------------


@pytest.mark.integration  # concurrency on moto is not DynamoDB's: this one runs on DynamoDB Local
def test_parallel_wrong_guesses_never_get_more_checks_than_the_limit(
    ddb_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    brand_id = _brand(login_max_failures=3, login_lockout_minutes=10)
    name = unique("gw")
    register(brand_id, name)
    brand = tenancy.get_brand(brand_id)
    assert brand is not None
    real_verify = passwords.verify
    checked: list[str] = []
    guard = threading.Lock()

    def counting(stored_hash: str | None, password: str) -> bool:
        if stored_hash is not None:
            with guard:
                checked.append(password)
        return real_verify(stored_hash, password)

    monkeypatch.setattr(passwords, "verify", counting)

    def guess(i: int) -> tuple[int, str]:
        try:
            # one client (the lockout counts per account and client address), the same as _login's below
            front = sessions.Front(brand, ip="127.0.0.1")
            admission.login(front, LoginIn(username=name, password=f"Wrong{i:04d}x"))
        except PitbossError as exc:
            status, body, _headers = refusal(exc)
            return status, json.dumps(body)
        return 200, "logged in"

    with ThreadPoolExecutor(8) as pool:
        answers = Counter(pool.map(guess, range(32)))
    assert len(checked) <= 3, checked  # at most login_max_failures password checks, however many in parallel
    assert set(answers) <= {(401, json.dumps(INVALID)), (401, json.dumps(LOCKED))}, answers
    assert answers[(401, json.dumps(INVALID))] <= 2
    r = _login(brand_id, name, "Orion2049x")
    assert (r.status, r.json()) == (401, LOCKED)


def test_a_lost_reservation_at_the_limit_locks_for_a_while_rather_than_for_ever(moto_table: str) -> None:
    """A check that reserved the last slot and never finished (a crashed Lambda) leaves failures at the
    limit without a lock: the next attempt sets the lock, which then runs out as usual."""
    brand_id = _brand(login_max_failures=3, login_lockout_minutes=10)
    at(T0)
    name = unique("gw")
    created = register(brand_id, name)
    player = _profile(brand_id, created["player_id"])
    brand = tenancy.get_brand(brand_id)
    assert brand is not None
    # the count lives per (account, client address) since issue 10 #5; the test client is 127.0.0.1
    pair = lockout.Guard.of(sessions.Front(brand, ip="127.0.0.1"), player.user_id).pair
    store.update(*pair, "SET failures = :n", values={":n": 3})
    r = _login(brand_id, name, "Orion2049x")
    assert (r.status, r.json()) == (401, LOCKED) and int(r.headers["Retry-After"]) > 0
    at(T0 + timedelta(minutes=10, seconds=1))
    assert _login(brand_id, name, "Orion2049x").status == 200
    assert store.get(*pair) is None  # the right password ends the count and the lock


# ---- 5. date of birth and country: the player's until KYC is approved (issue 11 #11) ------------


def test_birthdate_and_country_are_the_players_until_kyc_is_approved(moto_table: str) -> None:
    """Issue 11 #11: "birthdate — Player new birthdate", "country — Player new country": "Allow changes while
    kyc_status is not approved; after approval answer 400 with the seed's body"."""
    brand_id = _brand()
    details = f"/gateway/player-personal-details/player/details/v1/{brand_id}"
    adult = register(brand_id, unique("gw"), birthdate="2000-01-01")  # country US
    assert call("PUT", details, {"birthdate": "1990-01-01", "city": "Haifa"}, token=adult["token"]).status == 204
    assert call("PUT", details, {"country": "IL"}, token=adult["token"]).status == 204
    got = call("GET", details, token=adult["token"]).json()
    assert (got["birthdate"], got["country"], got["city"]) == ("1990-01-01 00:00:00", "IL", "Haifa")
    # a player without them sets them (registration step two), and KYC under way leaves them the player's
    fresh = register(brand_id, unique("gw"), country="")
    _write(_profile(brand_id, fresh["player_id"]), kyc_status="pending")
    assert call("PUT", details, {"birthdate": "1990-01-01", "country": "IL"}, token=fresh["token"]).status == 204
    assert call("PUT", details, {"birthdate": "1991-01-01"}, token=fresh["token"]).status == 204

    # once KYC is approved they are what the documents showed: the seed's 400, and nothing of that request lands
    _write(_profile(brand_id, adult["player_id"]), kyc_status="approved")
    for body in ({"birthdate": "1980-01-01"}, {"country": "MT"}, {"birthdate": "1980-01-01", "city": "Mdina"}):
        r = call("PUT", details, body, token=adult["token"])
        assert (r.status, r.json()) == (400, {"errMsg": "invalid input"}), body
    got = call("GET", details, token=adult["token"]).json()
    assert (got["birthdate"], got["country"], got["city"]) == ("1990-01-01 00:00:00", "IL", "Haifa")
    # sending the stored values again changes nothing and is fine
    assert call("PUT", details, {"birthdate": "1990-01-01", "country": "IL"}, token=adult["token"]).status == 204


# ---- 10. change password counts wrong old passwords --------------------------------------------


def test_wrong_old_passwords_count_toward_the_lockout(moto_table: str) -> None:
    brand_id = _brand(required_documents=[], login_max_failures=3, login_lockout_minutes=10)
    at(T0)
    name = unique("gw")
    created = register(brand_id, name)
    change = f"/gateway/admission/v1/player/{brand_id}/change/password"
    token = created["token"]
    wrong = {"message_format": "wrong_old_password"}
    # no "retry" success: a wrong old password is wrong, even when the new one is the current password
    r = call("POST", change, {"old_password": "Wrong2049x", "new_password": "Orion2049x"}, token=token)
    assert (r.status, r.json()) == (422, wrong)
    # a right old password (with a new one the rules refuse) starts the count again
    r = call("POST", change, {"old_password": "Orion2049x", "new_password": "short1"}, token=token)
    assert r.status == 422 and "result" in r.json()
    for _ in range(2):
        r = call("POST", change, {"old_password": "Wrong2049x", "new_password": "Lyra2051z"}, token=token)
        assert (r.status, r.json()) == (422, wrong)
    r = call("POST", change, {"old_password": "Wrong2049x", "new_password": "Lyra2051z"}, token=token)
    assert (r.status, r.json()) == (401, LOCKED) and int(r.headers["Retry-After"]) > 0
    # locked: the right old password is refused too, here and at login
    r = call("POST", change, {"old_password": "Orion2049x", "new_password": "Lyra2051z"}, token=token)
    assert (r.status, r.json()) == (401, LOCKED)
    assert _login(brand_id, name, "Orion2049x").json() == LOCKED
    at(T0 + timedelta(minutes=10, seconds=1))
    r = call("POST", change, {"old_password": "Orion2049x", "new_password": "Lyra2051z"}, token=token)
    assert (r.status, r.json()) == (202, {"message_format": "password_replaced"})
    assert _login(brand_id, name, "Lyra2051z").status == 200


# ---- 8. the outbox: per realm, no token stored when deployed -----------------------------------


@pytest.fixture
def deployed(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """A deployed stage (not `local`), with the EventBridge detail of every published message captured."""
    published: list[dict[str, Any]] = []

    def capture(detail_type: str, detail: dict[str, Any]) -> bool:
        published.append(detail)
        return True

    monkeypatch.setattr(bus, "publish", capture)
    monkeypatch.setenv("STAGE", "prod")
    reset_settings()
    yield published
    monkeypatch.delenv("STAGE")
    reset_settings()


def test_deployed_outbox_rows_hold_no_token_and_stay_in_their_realm(deployed: list[dict[str, Any]]) -> None:
    t = make_tenant()
    name = unique("gw")
    register(t.brand_id, name)
    r = call("POST", f"/gateway/admission/v1/forgot/password/{t.brand_id}", {"mail": f"{name}@example.com"})
    assert r.status == 201
    tokens = [d["token"] for d in deployed]
    assert len(tokens) == 2 and all(tokens)  # activation and reset: the token travels in the event only
    assert all(d["token"] in d["link"] and d["to"] == f"{name}@example.com" for d in deployed)
    raw = json.dumps(store.client().scan(TableName=store.table_name())["Items"])
    for token in tokens:
        assert token not in raw
    realm = keys.realm(t.tenant_id, "live")
    rows = outbox.list_messages(realm=realm)
    assert {row["type"] for row in rows} == {"activation_email", "password_reset_email"}
    assert all(row["token"] is None and row["link"] is None and row["to"] == "g***@example.com" for row in rows)
    assert outbox.list_messages() == []  # no developer mailbox outside the local stage
    other = make_tenant()
    assert outbox.list_messages(realm=keys.realm(other.tenant_id, "live")) == []


def test_locally_the_developer_mailbox_keeps_full_rows(moto_table: str) -> None:
    t = make_tenant()
    name = unique("gw")
    register(t.brand_id, name)
    row = next(m for m in outbox.list_messages() if m["to"] == f"{name}@example.com")
    assert row["type"] == "activation_email" and row["token"] and row["token"] in row["link"]
    realm_rows = outbox.list_messages(realm=keys.realm(t.tenant_id, "live"))
    assert [r["to"] for r in realm_rows] == ["g***@example.com"] and realm_rows[0]["token"] is None


# ---- 9. forgot-password: the same work whether or not the address exists -----------------------


def test_forgot_password_does_the_same_work_for_an_unknown_address(
    moto_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    published: list[str] = []

    def capture(detail_type: str, detail: dict[str, Any]) -> bool:
        published.append(detail_type)
        return True

    monkeypatch.setattr(bus, "publish", capture)
    brand_id = _brand()
    name = unique("gw")
    register(brand_id, name)
    forgot = f"/gateway/admission/v1/forgot/password/{brand_id}"

    def cost(mail: str) -> tuple[int, list[str]]:
        before, sent = store.round_trips.count, len(published)
        r = call("POST", forgot, {"mail": mail})
        assert (r.status, r.json()) == (201, {"message_format": "forgot_email_sent"})
        return store.round_trips.count - before, published[sent:]

    known_trips, known_sent = cost(f"{name}@example.com")
    nobody = f"{unique('nobody')}@example.com"
    unknown_trips, unknown_sent = cost(nobody)
    assert known_trips == unknown_trips
    assert known_sent == ["Player Password Reset Email"]
    assert unknown_sent == ["Player Password Reset Unknown Address"]
    queued = next(m for m in outbox.list_messages() if m["to"] == nobody)
    assert queued["type"] == "password_reset_unknown" and queued["token"] is None and queued["player_id"] is None


# ---- 12. IDN addresses normalised in every lookup ----------------------------------------------


def test_idn_addresses_are_normalised_in_every_lookup(moto_table: str) -> None:
    brand_id = _brand()
    name = unique("gw")
    register(brand_id, name, email=f"{name}@xn--bcher-kva.example")  # stored as ...@bücher.example
    r = call("POST", f"/gateway/admission/v1/login/{brand_id}", {"email": f"{name}@xn--bcher-kva.example",
                                                                  "password": "Orion2049x"})  # fmt: skip
    assert r.status == 200, r.text
    r = call("POST", f"/gateway/admission/v1/forgot/password/{brand_id}", {"mail": f"{name}@XN--BCHER-KVA.example"})
    assert r.status == 201
    assert next(m for m in outbox.list_messages() if m["to"] == f"{name}@bücher.example")["type"] == (
        "password_reset_email"
    )
    # the blocked-domain list matches either spelling of a domain
    fraud = _brand(blocked_email_domains=["xn--bcher-kva.example"])
    body = {"username": unique("gw"), "email": "x@bücher.example", "password": "Orion2049x"}
    r = call("POST", f"/gateway/admission/v1/register/{fraud}", body)
    assert (r.status, r.json()) == (422, {"result": [{"field": "email", "errorCode": "email_fraud"}]})


# ---- 7. TransactionConflict is retried, never a 500 --------------------------------------------


def _conflict(stubber: Stubber, operation: str) -> None:
    stubber.add_client_error(operation, service_error_code="TransactionConflictException", http_status_code=400)


def _cancelled_by_conflict(stubber: Stubber) -> None:
    stubber.add_client_error(
        "transact_write_items",
        service_error_code="TransactionCanceledException",
        http_status_code=400,
        modeled_fields={"CancellationReasons": [{"Code": "None"}, {"Code": "TransactionConflict"}]},
    )


def _brand_and_player() -> tuple[Any, Player, dict[str, Any], str]:
    brand_id = _brand()
    created = register(brand_id, unique("gw"))
    brand = tenancy.get_brand(brand_id)
    assert brand is not None
    player = _profile(brand_id, created["player_id"])
    creds = store.get(player.pk, repository.CREDENTIALS_SK)
    assert creds is not None
    return brand, player, creds, created["token"]


def test_a_conflicting_login_transaction_is_retried(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    brand, player, creds, _ = _brand_and_player()
    client = boto3.client("dynamodb", region_name="us-east-1")
    with Stubber(client) as stubber:
        monkeypatch.setattr(store, "client", lambda: client)
        _cancelled_by_conflict(stubber)
        stubber.add_response("transact_write_items", {})
        opened = admission._open_session(sessions.Front(brand), player, creds, None)
        assert set(opened) == {"token", "player_id"}
        for _ in range(repository.CONFLICT_RETRIES):
            _cancelled_by_conflict(stubber)
        with pytest.raises(ConcurrentUpdate) as raised:
            admission._open_session(sessions.Front(brand), player, creds, None)
        assert isinstance(raised.value, PitbossError) and raised.value.status == 409  # never a 500
        stubber.assert_no_pending_responses()


def test_a_conflicting_attempt_reservation_is_retried(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    brand, player, _creds, _token = _brand_and_player()
    client = boto3.client("dynamodb", region_name="us-east-1")
    with Stubber(client) as stubber:
        monkeypatch.setattr(store, "client", lambda: client)
        # an UpdateItem on the (account, address) count while it is inside someone's transaction
        _conflict(stubber, "update_item")
        stubber.add_response("update_item", {"Attributes": {"failures": {"N": "1"}}})
        guard = lockout.Guard.of(sessions.Front(brand), player.user_id)
        nothing_locked = LockState(pair_until=None, account_until=None)
        attempt = lockout.reserve(guard, nothing_locked)
        assert attempt.refused_until is None and attempt.locks_until is None
        for _ in range(repository.CONFLICT_RETRIES):
            _conflict(stubber, "update_item")
        with pytest.raises(ConcurrentUpdate):  # 409, never a 500
            lockout.reserve(guard, nothing_locked)
        stubber.assert_no_pending_responses()


def test_a_conflicting_session_touch_or_logout_never_fails_the_request(
    moto_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    brand, _player, _creds, token = _brand_and_player()
    session = store.get(keys.session_pk(token), repository.SESSION_SK)
    assert session is not None
    client = boto3.client("dynamodb", region_name="us-east-1")
    with Stubber(client) as stubber:
        monkeypatch.setattr(store, "client", lambda: client)
        # the idle-timeout bookkeeping: skipped, the request carries on with the session it read
        _conflict(stubber, "update_item")
        assert sessions._touch(session, brand, clock.now()) == session
        # logout: retried
        _conflict(stubber, "transact_write_items")
        stubber.add_response("transact_write_items", {})
        admission.logout(sessions.Front(brand), token)
        stubber.assert_no_pending_responses()
