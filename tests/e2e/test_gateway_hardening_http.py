"""Issue 10 #4 and #5 over HTTP against `pitboss dev`: the takeover's way back (the revert link and the
forced reset), and the flood guards' answers (429 with Retry-After, the lockout alike for unknown names)."""

from __future__ import annotations

import json
from typing import Any

from tests.support import Api, unique

PASSWORD = "Orion2049x"
A = "/gateway/admission/v1"


def _outbox(local_stack: Any, to: str, kind: str) -> dict[str, Any]:
    done = local_stack.cli("outbox", "--to", to, "--type", kind, "--json")
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, Any]] = json.loads(done.stdout)
    assert rows, f"no {kind} for {to}"
    return rows[0]


def _settings(local_stack: Any, tenant: Any, **values: Any) -> None:
    pairs = [f"{k}={json.dumps(v)}" for k, v in values.items()]
    args = [a for pair in pairs for a in ("--set", pair)]
    done = local_stack.cli("brand-settings", "--tenant", tenant.tenant_id, "--brand-id", str(tenant.brand_id), *args)
    assert done.returncode == 0, done.stderr


def test_the_old_address_takes_the_account_back(api: Api, local_stack: Any) -> None:
    """Issue 10 #4: "The old address's notice carries a revert link (valid 7 days) that restores the old email,
    ends every session and requires a new password (the next login answers 401 PASSWORD_CHANGE_REQUIRED)." """
    t = local_stack.tenant()
    brand = t.brand_id
    name = unique("gw")
    old, evil = f"{name}@example.com", f"evil-{name}@example.org"
    r = api.post(f"{A}/register/{brand}", json={"username": name, "email": old, "password": PASSWORD})
    assert r.status_code == 201, r.text
    stolen = {"x-auth-token": r.json()["token"]}
    r = api.post(f"/gateway/player-personal-details/player/details/emailUpdate/v1/{brand}", json={"email": evil},
                 headers=stolen)  # fmt: skip
    assert r.status_code == 204, r.text
    notice = _outbox(local_stack, old, "email_change_notice")
    assert notice["revert_link"].endswith(f"/gateway/admission/v1/revert/email/{brand}?hash={notice['revert_token']}")
    verify = _outbox(local_stack, evil, "email_change_verification")["token"]
    assert api.post(f"{A}/verify/email/{brand}?hash={verify}").status_code == 200

    r = api.post(f"{A}/revert/email/{brand}?hash={notice['revert_token']}")
    assert (r.status_code, r.json()) == (200, {"message_format": "email_change_reverted"})
    r = api.get(f"/gateway/player-personal-details/player/details/v1/{brand}", headers=stolen)
    assert (r.status_code, r.json()) == (401, {"errMsg": "invalid input - invalid token"})
    r = api.post(f"{A}/login/{brand}", json={"username": name, "password": PASSWORD})
    assert (r.status_code, r.json()) == (401, {"result": "PASSWORD_CHANGE_REQUIRED"})
    assert api.post(f"{A}/forgot/password/{brand}", json={"mail": old}).status_code == 201
    reset = _outbox(local_stack, old, "password_reset_email")["token"]
    r = api.post(f"{A}/verify/password/{brand}?hash={reset}", json={"new_password": "Vega2050y"})
    assert r.status_code == 202, r.text
    assert api.post(f"{A}/login/{brand}", json={"email": old, "password": "Vega2050y"}).status_code == 200
    # the timeline tells the operator what happened
    r = api.get(f"/v1/players/{name}/timeline?brand_id={brand}&limit=50", t.live_key)
    assert r.status_code == 200, r.text
    assert {"email_changed", "email_change_reverted", "password_reset"} <= {e["type"] for e in r.json()["events"]}


def test_floods_answer_429_and_unknown_names_lock_alike(api: Api, local_stack: Any) -> None:
    """Issue 10 #5: "answering 429 with Retry-After in the gateway's body style ({"result": "TOO_MANY_REQUESTS"})"
    and "The locked answer and timing are the same for unknown usernames"."""
    t = local_stack.tenant()
    _settings(
        local_stack,
        t,
        login_max_failures=2,
        rate_limits={"login": {"per_ip": 1000, "per_account": 4, "window_seconds": 3600}},
    )
    brand = t.brand_id
    name = unique("gw")
    r = api.post(f"{A}/register/{brand}", json={"username": name, "email": f"{name}@example.com", "password": PASSWORD})
    assert r.status_code == 201, r.text

    def answers(who: str) -> list[tuple[int, Any, bool]]:
        seen = []
        for password in ("Wrong2049x", "Wrong2049y", PASSWORD, PASSWORD, PASSWORD):
            r = api.post(f"{A}/login/{brand}", json={"username": who, "password": password},
                         headers={"Origin": "https://casino.example"})  # fmt: skip
            seen.append((r.status_code, r.json(), "retry-after" in {h.lower() for h in r.headers}))
        return seen

    known, unknown = answers(name), answers(unique("nobody"))
    assert known == unknown
    assert known == [
        (401, {"result": "INVALID_CREDENTIALS"}, False),
        (401, {"result": "ACCOUNT_LOCKED"}, True),
        (401, {"result": "ACCOUNT_LOCKED"}, True),
        (401, {"result": "ACCOUNT_LOCKED"}, True),
        (429, {"result": "TOO_MANY_REQUESTS"}, True),
    ]
