"""Issue 10 #5, "Floods and enumeration on the unauthenticated gateway": "Today: 39 reset emails queued for one
address in 17 s, each login costs an argon2 hash (64 MiB, ~120 ms) with no per-client limit, and anyone can
lock any known username for 15 minutes with 5 requests, forever." Each fix through the gateway handler on
moto, with the client address as API Gateway's sourceIp."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pitboss import store, tenancy
from pitboss.gateway import outbox, passwords
from pitboss_local import template
from tests.gateway_support import Reply, call, register
from tests.support import at, make_tenant, unique

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PASSWORD = "Orion2049x"
A = "/gateway/admission/v1"
TOO_MANY = {"result": "TOO_MANY_REQUESTS"}
LOCKED = {"result": "ACCOUNT_LOCKED"}
INVALID = {"result": "INVALID_CREDENTIALS"}


def _brand(**settings: Any) -> int:
    t = make_tenant()
    tenancy.update_brand_settings(t.tenant_id, t.brand_id, {"required_documents": [], **settings})
    return t.brand_id


def _limits(action: str, per_ip: int, per_account: int, window: int = 60) -> dict[str, Any]:
    return {"rate_limits": {action: {"per_ip": per_ip, "per_account": per_account, "window_seconds": window}}}


def _login(brand: int, name: str, password: str, ip: str = "198.51.100.7") -> Reply:
    return call("POST", f"{A}/login/{brand}", {"username": name, "password": password}, ip=ip)


def _answer(r: Reply) -> tuple[int, Any, bool]:
    return r.status, r.json(), "Retry-After" in r.headers


# ---- rate limits -------------------------------------------------------------------------------


def test_login_is_rate_limited_per_client_address_and_per_name(moto_table: str) -> None:
    """ "Per-client-IP and per-account rate limits on ... login ..., answering 429 with Retry-After in the
    gateway's body style ({"result": "TOO_MANY_REQUESTS"}). Limits are brand settings." """
    brand = _brand(**_limits("login", per_ip=5, per_account=3), login_max_failures=50)
    at(T0 + timedelta(seconds=10))
    name, other = unique("gw"), unique("gw")
    register(brand, name)
    for _ in range(3):
        assert _login(brand, name, "Wrong2049x", ip="198.51.100.7").json() == INVALID
    r = _login(brand, name, PASSWORD, ip="198.51.100.7")
    assert (r.status, r.json()) == (429, TOO_MANY)
    assert 1 <= int(r.headers["Retry-After"]) <= 50  # until the 60-second window ends
    # the same name from elsewhere: still its own limit (per account)
    assert _login(brand, name, PASSWORD, ip="203.0.113.9").status == 429
    # other names from the first address: the address has room for two more (a refused request counts for
    # nothing), then none
    assert _login(brand, other, PASSWORD, ip="198.51.100.7").json() == INVALID
    assert _login(brand, unique("gw"), PASSWORD, ip="198.51.100.7").json() == INVALID
    assert _login(brand, unique("gw"), PASSWORD, ip="198.51.100.7").status == 429
    # an IPv6 client is counted by its /64
    for suffix in ("1", "2", "3", "4", "5"):
        assert _login(brand, unique("gw"), PASSWORD, ip=f"2001:db8:1:2::{suffix}").status == 401
    assert _login(brand, unique("gw"), PASSWORD, ip="2001:db8:1:2:ffff::9").status == 429
    # the next window starts afresh
    at(T0 + timedelta(seconds=61))
    assert _login(brand, name, PASSWORD, ip="198.51.100.7").status == 200


@pytest.mark.parametrize("action", ["registration", "forgot_password", "resend_activation", "verify_link"])
def test_every_open_door_is_rate_limited(moto_table: str, action: str) -> None:
    """ "... on register, login, forgot-password, resend-activation and verify links" """
    brand = _brand(**_limits(action, per_ip=2, per_account=0))
    at(T0)
    token = register(brand, unique("gw"), ip="192.0.2.1")["token"]

    def once() -> Reply:
        if action == "registration":
            name = unique("gw")
            body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
            return call("POST", f"{A}/register/{brand}", body, ip="198.51.100.7")
        if action == "forgot_password":
            return call("POST", f"{A}/forgot/password/{brand}", {"mail": f"{unique()}@example.com"}, ip="198.51.100.7")
        if action == "resend_activation":
            return call("POST", f"{A}/resend/activation/email/{brand}", token=token, ip="198.51.100.7")
        return call("POST", f"{A}/verify/email/{brand}", query={"hash": unique("nope")}, ip="198.51.100.7")

    assert [once().status < 429 for _ in range(2)] == [True, True]
    r = once()
    assert (r.status, r.json()) == (429, TOO_MANY) and int(r.headers["Retry-After"]) >= 1


def test_limits_are_brand_settings_with_sane_defaults(moto_table: str) -> None:
    brand = tenancy.BrandSettings()
    assert brand.rate_limits.login.per_ip > 0 and brand.rate_limits.login.per_account > 0
    assert brand.messages_per_address_per_hour == 3 and brand.login_lock_ips >= 2
    t = make_tenant()
    changed = tenancy.update_brand_settings(t.tenant_id, t.brand_id, _limits("login", 7, 4))
    assert (changed.settings.rate_limits.login.per_ip, changed.settings.rate_limits.registration.per_ip) == (7, 50)


def test_counters_are_sharded_and_expire(moto_table: str) -> None:
    """ "held in DynamoDB with TTL (sharded so no item is hot)" """
    brand = _brand(**_limits("login", per_ip=100, per_account=100))
    at(T0)
    name = unique("gw")
    for _ in range(40):
        _login(brand, name, "Wrong2049x")
    items = store.client().scan(TableName=store.table_name())["Items"]
    counters = [i for i in items if "#RL#" in i["pk"]["S"]]
    per_subject = Counter(i["pk"]["S"].rsplit("#S", 1)[0] for i in counters)
    assert len(per_subject) == 2  # the address and the name
    assert all(n > 1 for n in per_subject.values())  # each spread over several items
    assert all(int(i["ttl"]["N"]) <= int((T0 + timedelta(minutes=11)).timestamp()) for i in counters)
    assert sum(int(i["n"]["N"]) for i in counters) == 80
    assert name not in str(counters) and "198.51.100.7" not in str(counters)  # digests only


# ---- messages ----------------------------------------------------------------------------------


def test_at_most_three_reset_or_activation_messages_per_address_an_hour(moto_table: str) -> None:
    """ "At most 3 reset or activation messages per address per hour are queued; the HTTP answer stays the same
    whether or not a message was queued or the address exists (no enumeration)." """
    brand = _brand()
    at(T0)
    name = unique("gw")
    known, nobody = f"{name}@example.com", f"{unique('nobody')}@example.com"
    created = register(brand, name)  # its activation email counts
    answers = []
    for mail in (known, nobody):
        for _ in range(5):
            r = call("POST", f"{A}/forgot/password/{brand}", {"mail": mail})
            answers.append((r.status, r.json(), sorted(r.headers)))
    assert len(set(map(str, answers))) == 1 and answers[0][:2] == (201, {"message_format": "forgot_email_sent"})
    sent = Counter((m["to"], m["type"]) for m in outbox.list_messages(limit=500))
    assert sent[(known, "password_reset_email")] == 2  # + the registration's activation: 3 this hour
    assert sent[(nobody, "password_reset_unknown")] == 3
    for _ in range(3):
        r = call("POST", f"{A}/resend/activation/email/{brand}", token=created["token"])
        assert (r.status, r.json()) == (200, {"msg": "Activation Email was sent."})
    sent = Counter((m["to"], m["type"]) for m in outbox.list_messages(limit=500))
    assert sent[(known, "activation_email")] == 1
    # the next hour has room again
    at(T0 + timedelta(hours=1))
    call("POST", f"{A}/forgot/password/{brand}", {"mail": known})
    sent = Counter((m["to"], m["type"]) for m in outbox.list_messages(limit=500))
    assert sent[(known, "password_reset_email")] == 3


# ---- the lockout -------------------------------------------------------------------------------


def test_a_stranger_cannot_lock_an_account_from_one_address(moto_table: str) -> None:
    """ "failures count per (account, client IP); an account-wide lock needs failures from several IPs." """
    brand = _brand(login_max_failures=3, login_lockout_minutes=10, login_lock_ips=3)
    at(T0)
    name = unique("gw")
    register(brand, name)
    attacker, owner = "198.51.100.7", "203.0.113.50"
    answers = [_login(brand, name, "Wrong2049x", ip=attacker).json() for _ in range(3)]
    assert answers == [INVALID, INVALID, LOCKED]
    assert _login(brand, name, PASSWORD, ip=attacker).json() == LOCKED  # that address is locked out...
    assert _login(brand, name, PASSWORD, ip=owner).status == 200  # ...the owner is not
    # a third address locked out of it locks the account itself, for everyone
    for ip in ("192.0.2.10", "192.0.2.11"):
        assert [_login(brand, name, "Wrong2049x", ip=ip).json() for _ in range(3)][-1] == LOCKED
    r = _login(brand, name, PASSWORD, ip=owner)
    assert (r.status, r.json()) == (401, LOCKED) and int(r.headers["Retry-After"]) > 0
    at(T0 + timedelta(minutes=10, seconds=1))
    assert _login(brand, name, PASSWORD, ip=owner).status == 200


def test_the_locked_answer_and_its_cost_are_the_same_for_unknown_usernames(
    moto_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "The locked answer and timing are the same for unknown usernames (today a locked real account answers
    ACCOUNT_LOCKED in 14 ms, an unknown one INVALID_CREDENTIALS)." The timing is shown as the same work:
    one argon2 verification and the same DynamoDB round trips for every attempt, on either path."""
    brand = _brand(login_max_failures=3, login_lockout_minutes=10)
    at(T0)
    known = unique("gw")
    register(brand, known)
    verifications: list[str | None] = []
    real_verify = passwords.verify

    def counting(stored_hash: str | None, password: str) -> bool:
        verifications.append(stored_hash)
        return real_verify(stored_hash, password)

    monkeypatch.setattr(passwords, "verify", counting)

    def attempts(name: str) -> list[tuple[Any, ...]]:
        seen = []
        for password in ("Wrong2049x", "Wrong2049y", "Wrong2049z", PASSWORD, "Wrong2049x"):
            before, trips = len(verifications), store.round_trips.count
            r = _login(brand, name, password)
            seen.append((*_answer(r), len(verifications) - before, store.round_trips.count - trips))
        return seen

    for_known, for_unknown = attempts(known), attempts(unique("nobody"))
    assert [a[:2] for a in for_known] == [(401, INVALID), (401, INVALID), (401, LOCKED), (401, LOCKED), (401, LOCKED)]
    assert for_unknown == for_known  # same answers, headers, verifications and round trips
    assert all(a[3] == 1 for a in for_known)  # one argon2 verification each, locked or not


def test_parallel_failures_from_one_address_still_never_pass_the_limit(moto_table: str) -> None:
    """The per-address count keeps the reservation: the check that takes the last slot locks at once."""
    brand = _brand(login_max_failures=2, login_lockout_minutes=10)
    at(T0)
    name = unique("gw")
    register(brand, name)
    results = [_login(brand, name, "Wrong2049x").json() for _ in range(4)]
    assert results == [INVALID, LOCKED, LOCKED, LOCKED]


# ---- the template ------------------------------------------------------------------------------


def test_the_gateway_function_has_reserved_concurrency_from_a_parameter() -> None:
    """ "The template sets reserved concurrency on the gateway function so a login flood cannot starve the
    wallet or the authorizer" """
    loaded = template.load()
    props = loaded["Resources"]["GatewayFunction"]["Properties"]
    assert props["ReservedConcurrentExecutions"] == {"Ref": "GatewayReservedConcurrency"}
    parameter = loaded["Parameters"]["GatewayReservedConcurrency"]
    assert parameter["Type"] == "Number" and 1 <= int(parameter["Default"]) <= 500
