"""Issue 10 #4, "Player account takeover through a stolen session": "With only a session token, emailUpdate to
an attacker's address, then forgot/password, takes the account." Each part of the fix, walked through the
gateway handler on moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pitboss import clock, tenancy
from pitboss.gateway import outbox
from tests.gateway_support import Reply, call, register
from tests.support import make_tenant, unique

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PASSWORD = "Orion2049x"
INVALID_TOKEN = {"errMsg": "invalid input - invalid token"}
GENERAL_FAILURE = {"message_format": "general_failure"}
A = "/gateway/admission/v1"


def _brand(**settings: Any) -> int:
    t = make_tenant()
    tenancy.update_brand_settings(t.tenant_id, t.brand_id, {"required_documents": [], **settings})
    return t.brand_id


def _mail(to: str, kind: str) -> dict[str, Any]:
    return next(m for m in outbox.list_messages() if m["to"] == to and m["type"] == kind)


def _login(brand: int, password: str, **who: str) -> Reply:
    return call("POST", f"{A}/login/{brand}", {**who, "password": password})


def _details(brand: int, token: str) -> Reply:
    return call("GET", f"/gateway/player-personal-details/player/details/v1/{brand}", token=token)


def _change_email(brand: int, token: str, email: str, **extra: Any) -> Reply:
    path = f"/gateway/player-personal-details/player/details/emailUpdate/v1/{brand}"
    return call("POST", path, {"email": email, **extra}, token=token)


def _forgot(brand: int, mail: str) -> str:
    r = call("POST", f"{A}/forgot/password/{brand}", {"mail": mail})
    assert (r.status, r.json()) == (201, {"message_format": "forgot_email_sent"})
    return str(_mail(mail, "password_reset_email")["token"])


def _reset(brand: int, token: str, password: str) -> Reply:
    return call("POST", f"{A}/verify/password/{brand}", {"new_password": password}, query={"hash": token})


def test_completing_an_email_change_ends_every_other_session_and_bumps_the_epoch(moto_table: str) -> None:
    """ "Completing an email change ends every other session of the player and bumps the credential epoch." """
    brand = _brand()
    name = unique("gw")
    changer = register(brand, name)["token"]
    other = _login(brand, PASSWORD, username=name).json()["token"]
    pending_reset = _forgot(brand, f"{name}@example.com")  # sent before the change: bound to the old epoch
    new = f"new-{name}@example.org"
    assert _change_email(brand, changer, new).status == 204
    assert _details(brand, other).status == 200  # nothing ends before the change completes
    r = call("POST", f"{A}/verify/email/{brand}", query={"hash": _mail(new, "email_change_verification")["token"]})
    assert (r.status, r.json()) == (200, {"message_format": "email_verified"})
    assert _details(brand, changer).json()["eMail"] == {"eMailAdress": new, "isVerified": True}  # it carries on
    assert (_details(brand, other).status, _details(brand, other).json()) == (401, INVALID_TOKEN)
    assert (_reset(brand, pending_reset, "Vega2050y").json()) == GENERAL_FAILURE
    assert _login(brand, PASSWORD, email=new).status == 200


def test_the_old_address_can_revert_a_change_and_force_a_new_password(moto_table: str) -> None:
    """ "The old address's notice carries a revert link (valid 7 days) that restores the old email, ends every
    session and requires a new password (the next login answers 401 PASSWORD_CHANGE_REQUIRED)." """
    brand = _brand()
    clock.set_clock(lambda: T0)
    name = unique("gw")
    old, attacker = f"{name}@example.com", f"evil-{name}@example.org"
    stolen = register(brand, name)["token"]
    # the takeover as the issue describes it: a stolen session moves the email, then resets the password
    assert _change_email(brand, stolen, attacker).status == 204
    notice = _mail(old, "email_change_notice")
    assert notice["revert_token"] and notice["revert_token"] in notice["revert_link"]
    assert "/gateway/admission/v1/revert/email/" in notice["revert_link"]
    call("POST", f"{A}/verify/email/{brand}", query={"hash": _mail(attacker, "email_change_verification")["token"]})
    r = _reset(brand, _forgot(brand, attacker), "Evil2049x")
    assert r.status == 202
    attacker_session = r.json()["token"]
    assert _login(brand, "Evil2049x", username=name).status == 200

    # six days later the owner follows the revert link from the old address
    clock.set_clock(lambda: T0 + timedelta(days=6))
    r = call("POST", f"{A}/revert/email/{brand}", {}, query={"hash": notice["revert_token"]})
    assert (r.status, r.json()) == (200, {"message_format": "email_change_reverted"})
    assert (_details(brand, attacker_session).status, _details(brand, attacker_session).json()) == (401, INVALID_TOKEN)
    r = _login(brand, "Evil2049x", username=name)
    assert (r.status, r.json()) == (401, {"result": "PASSWORD_CHANGE_REQUIRED"})
    assert _login(brand, "Wrong2049x", username=name).json() == {"result": "INVALID_CREDENTIALS"}
    assert _login(brand, "Evil2049x", email=attacker).json() == {"result": "INVALID_CREDENTIALS"}  # address gone
    r = call("POST", f"{A}/revert/email/{brand}", {}, query={"hash": notice["revert_token"]})
    assert (r.status, r.json()) == (400, GENERAL_FAILURE)  # single use

    # the reset link goes to the restored address, and only a new password lets the owner in
    r = _reset(brand, _forgot(brand, old), "Lyra2051z")
    assert r.status == 202, r.text
    assert _details(brand, r.json()["token"]).json()["eMail"]["eMailAdress"] == old
    assert _login(brand, "Lyra2051z", email=old).status == 200
    assert _login(brand, "Evil2049x", username=name).json() == {"result": "INVALID_CREDENTIALS"}


def test_a_revert_link_lasts_seven_days_and_undoes_a_pending_change(moto_table: str) -> None:
    brand = _brand()
    clock.set_clock(lambda: T0)
    name = unique("gw")
    token = register(brand, name)["token"]
    assert _change_email(brand, token, f"one-{name}@example.org").status == 204
    late = _mail(f"{name}@example.com", "email_change_notice")["revert_token"]
    clock.set_clock(lambda: T0 + timedelta(days=7, seconds=1))
    r = call("POST", f"{A}/revert/email/{brand}", {}, query={"hash": late})
    assert (r.status, r.json()) == (400, GENERAL_FAILURE)

    # a change still pending is dropped by its revert: its verification link no longer applies
    token = _login(brand, PASSWORD, username=name).json()["token"]
    assert _change_email(brand, token, f"two-{name}@example.org").status == 204
    revert = _mail(f"{name}@example.com", "email_change_notice")["revert_token"]
    assert call("POST", f"{A}/revert/email/{brand}", {}, query={"hash": revert}).status == 200
    verify = _mail(f"two-{name}@example.org", "email_change_verification")["token"]
    assert call("POST", f"{A}/verify/email/{brand}", query={"hash": verify}).json() == GENERAL_FAILURE
    assert _login(brand, PASSWORD, username=name).json() == {"result": "PASSWORD_CHANGE_REQUIRED"}


def test_a_brand_can_require_the_current_password_for_an_email_change(moto_table: str) -> None:
    """ "A brand setting email_change_requires_password (default false, so seed 002's body stays valid): when
    true, the body must carry the current password (422 [{"field":"password","errorCode":"wrong_password"}])." """
    wrong = {"result": [{"field": "password", "errorCode": "wrong_password"}]}
    open_brand = _brand()
    token = register(open_brand, unique("gw"))["token"]
    assert _change_email(open_brand, token, f"{unique('x')}@example.org", comment="test").status == 204  # the seed's

    brand = _brand(email_change_requires_password=True, login_max_failures=3)
    name = unique("gw")
    token = register(brand, name)["token"]
    for extra in ({}, {"password": ""}):
        r = _change_email(brand, token, f"{unique('x')}@example.org", **extra)
        assert (r.status, r.json()) == (422, wrong), extra
    # a wrong password counts toward the lockout like a login's: the third locks, then even the right one waits
    for password in ("Wrong2049x", PASSWORD):
        r = _change_email(brand, token, f"{unique('x')}@example.org", password=password)
        assert (r.status, r.json()) == (401, {"result": "ACCOUNT_LOCKED"})
    other = make_tenant()
    tenancy.update_brand_settings(other.tenant_id, other.brand_id, {"email_change_requires_password": True})
    token = register(other.brand_id, name)["token"]
    assert _change_email(other.brand_id, token, f"{unique('x')}@example.org", password=PASSWORD).status == 204


def test_reset_links_are_bound_to_the_epoch_and_the_latest_request(moto_table: str) -> None:
    """ "Reset links are bound to the credential epoch: a completed reset or password change kills every
    outstanding link, and a new forgot-password request supersedes the older links (today link B still
    works after link A reset the password)." """
    brand = _brand()
    name = unique("gw")
    mail = f"{name}@example.com"
    session = register(brand, name)["token"]
    link_a = _forgot(brand, mail)
    link_b = _forgot(brand, mail)
    assert _reset(brand, link_a, "Vega2050y").json() == GENERAL_FAILURE  # superseded by B
    assert _reset(brand, link_b, "Vega2050y").status == 202
    assert _reset(brand, link_b, "Lyra2051z").json() == GENERAL_FAILURE  # used
    # a password change kills the link sent before it
    session = _login(brand, "Vega2050y", username=name).json()["token"]
    link_c = _forgot(brand, mail)
    change = {"old_password": "Vega2050y", "new_password": "Lyra2051z"}
    assert call("POST", f"{A}/player/{brand}/change/password", change, token=session).status == 202
    assert _reset(brand, link_c, "Cetus2052w").json() == GENERAL_FAILURE
    assert _login(brand, "Lyra2051z", username=name).status == 200
