"""The console over HTTP against `pitboss dev` (issue 12): cookies and headers, CSRF refusal, cross-tenant
isolation, lockout, the CLI's operators, and every console route refusing a caller without a session."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from pitboss_local import template
from tests.console_support import ConsoleClient, create_operator, csrf_of, signed_in
from tests.support import Api, LocalStackProcess, Tenant, unique

PUBLIC = {"GET /console/login", "POST /console/login", "GET /console/static/{asset}"}


def _player(api: Api, key: str, **extra: Any) -> dict[str, Any]:
    name = unique("Con")
    r = api.post("/v1/players", key, {"username": name, "email": f"{name}@example.com", **extra})
    assert r.status_code == 201, r.text
    player: dict[str, Any] = r.json()["player"]
    return player


@pytest.fixture(scope="module")
def tenant(local_stack: LocalStackProcess) -> Tenant:
    t: Tenant = local_stack.tenant()
    return t


@pytest.mark.parametrize(
    "route",
    [r for r in template.routes() if r.function == "ConsoleFunction" and r.route_key not in PUBLIC],
    ids=lambda r: r.route_key,
)
def test_every_page_and_form_needs_a_session(local_stack: LocalStackProcess, route: template.Route) -> None:
    """Issue 12: "Login at /console/login"; nothing else answers without a console session."""
    path = re.sub(r"\{[^}]+\}", "1", route.path)
    r = ConsoleClient(local_stack.url).http.request(
        route.method, local_stack.url + path, data={"csrf": "x"}, allow_redirects=False, timeout=30
    )
    assert r.status_code == 303 and r.headers["location"] == "/console/login", (r.status_code, r.text[:200])


def test_sign_in_sets_a_strict_http_only_cookie_and_every_page_a_strict_csp(local_stack: LocalStackProcess) -> None:
    """Issue 12: "Session cookie HttpOnly, SameSite=Strict, Secure when not on loopback; ... a strict
    Content-Security-Policy (no inline script)"."""
    creds = local_stack.demo["operator"]
    client = ConsoleClient(local_stack.url)
    login = client.get("/console/login")
    csp = login.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "default-src 'none'" in csp
    assert login.headers["x-frame-options"] == "DENY" and login.headers["x-content-type-options"] == "nosniff"
    done = client.post("/console/login", {**creds, "csrf": csrf_of(login.text)})
    assert done.status_code == 303 and done.headers["location"] == "/console/players"
    cookie = done.headers["set-cookie"]
    assert cookie.startswith("pitboss_console=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Path=/console" in cookie and "Secure" not in cookie  # served on loopback (plain HTTP)
    page = client.get("/console/players")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert page.headers["cache-control"] == "no-store"
    # nothing from elsewhere, no inline script: every script is the console's own file
    scripts = re.findall(r"<script([^>]*)>", page.text)
    assert scripts and all('src="/console/static/' in s for s in scripts)
    assert "http://" not in page.text.split("<body", 1)[0] and "https://" not in page.text.split("<body", 1)[0]
    htmx = client.get("/console/static/htmx.min.js")
    assert htmx.status_code == 200 and "javascript" in htmx.headers["content-type"] and "htmx" in htmx.text


def test_the_cookie_is_secure_off_loopback(local_stack: LocalStackProcess) -> None:
    client = ConsoleClient(local_stack.url)
    page = client.get("/console/login", headers={"Host": "console.casino.example"})
    assert "Secure" in page.headers["set-cookie"]


def test_forms_without_the_csrf_token_are_refused(local_stack: LocalStackProcess, api: Api, tenant: Tenant) -> None:
    """Issue 12: "CSRF token on every form"; HTTP-level test of CSRF refusal."""
    player = _player(api, tenant.live_key)
    client, _ = signed_in(local_stack, tenant.tenant_id, "owner")
    path = f"/console/players/{player['player_id']}/status"
    body = {"status": "suspended", "reason": "no token"}
    assert client.post(path, body, csrf=False).status_code == 403
    refused = client.post(path, {**body, "csrf": "0" * 64})
    assert refused.status_code == 403 and "security token" in refused.text
    assert api.get(f"/v1/players/{player['user_id']}", tenant.live_key).json()["player"]["status"] == "active"
    # the login form has its own token (there is no session yet)
    fresh = ConsoleClient(local_stack.url)
    fresh.get("/console/login")
    assert fresh.post("/console/login", {"email": "a@example.com", "password": "x"}, csrf=False).status_code == 403
    # with the token, the same form works
    assert client.post(path, body).status_code == 303
    assert api.get(f"/v1/players/{player['user_id']}", tenant.live_key).json()["player"]["status"] == "suspended"


def test_an_operator_sees_only_its_own_tenant(local_stack: LocalStackProcess, api: Api) -> None:
    """Issue 12: "an operator of tenant A asking for a player of tenant B gets 404"."""
    tenant_a, tenant_b = local_stack.tenant(), local_stack.tenant()
    theirs = _player(api, tenant_b.live_key, external_ref=unique("ref"))
    client, _ = signed_in(local_stack, tenant_a.tenant_id, "owner")
    assert client.get(f"/console/players/{theirs['player_id']}").status_code == 404
    assert client.post(f"/console/players/{theirs['player_id']}/notes", {"text": "hello"}).status_code == 404
    for q in (theirs["username"], theirs["user_id"], theirs["email"], theirs["external_ref"]):
        found = client.get(f"/console/players?q={q}")
        assert found.status_code == 200 and "No players match" in _results(found.text), q
    # and tenant B's own operator finds it by each (the username partly, in any case)
    viewer_b, _ = signed_in(local_stack, tenant_b.tenant_id, "viewer")
    for q in (
        theirs["username"][2:8].lower(),
        str(theirs["player_id"]),
        theirs["user_id"],
        theirs["email"],
        theirs["external_ref"],
    ):
        assert f">{theirs['username']}</a>" in _results(viewer_b.get(f"/console/players?q={q}").text), q


def _results(html: str) -> str:
    return html.split('<section id="results"', 1)[1].split("</section>", 1)[0]


def test_lockout_after_failed_sign_ins(local_stack: LocalStackProcess, tenant: Tenant) -> None:
    """Issue 12: "lockout after failures"."""
    operator = create_operator(local_stack, tenant.tenant_id, "support")
    client = ConsoleClient(local_stack.url)
    for _ in range(5):
        assert client.sign_in(operator["email"], "wrong password, surely").status_code == 401
    locked = client.sign_in(operator["email"], operator["password"])
    assert locked.status_code == 429 and "locked" in locked.text
    unknown = client.sign_in(f"{unique('nobody')}@example.com", "wrong password, surely")
    assert unknown.status_code == 401 and "Wrong email or password" in unknown.text


def test_a_viewer_gets_403_for_every_write(local_stack: LocalStackProcess, api: Api, tenant: Tenant) -> None:
    """Issue 12: "a viewer cannot see any write control and gets 403 when it posts one anyway"."""
    player = _player(api, tenant.live_key)
    viewer, _ = signed_in(local_stack, tenant.tenant_id, "viewer")
    page = viewer.get(f"/console/players/{player['player_id']}")
    assert page.status_code == 200
    actions = set(re.findall(r'<form method="post" action="([^"]+)"', page.text))
    assert actions == {"/console/mode", "/console/logout"}
    n = player["player_id"]
    for path, body in [
        (f"/console/players/{n}/status", {"status": "closed", "reason": "x"}),
        (f"/console/players/{n}/rg", {"limit": "deposit_daily_limit", "value": "1"}),
        (f"/console/players/{n}/notes", {"text": "x"}),
        (f"/console/players/{n}/temporary-password", {}),
        ("/console/keys", {"mode": "live", "scopes": "*"}),
        ("/console/operators", {"email": "x@example.com", "role": "owner"}),
    ]:
        assert viewer.post(path, body).status_code == 403, path
    assert viewer.get("/console/keys").status_code == 403
    assert api.get(f"/v1/players/{player['user_id']}", tenant.live_key).json()["player"]["status"] == "active"


def test_cli_creates_lists_and_disables_operators(local_stack: LocalStackProcess, tenant: Tenant) -> None:
    """Issue 12: `pitboss create-operator --tenant T --email E --role R --json` prints operator_id, email, role,
    password (a generated password that works at once); list-operators; disable-operator."""
    created = create_operator(local_stack, tenant.tenant_id, "finance")
    assert set(created) == {"operator_id", "email", "role", "password"} and created["role"] == "finance"
    client = ConsoleClient(local_stack.url)
    assert client.sign_in(created["email"], created["password"]).headers["location"] == "/console/players"
    listed = local_stack.cli("list-operators", "--tenant", tenant.tenant_id, "--json")
    assert created["operator_id"] in {o["operator_id"] for o in json.loads(listed.stdout)}
    assert "password" not in listed.stdout
    done = local_stack.cli("disable-operator", "--tenant", tenant.tenant_id, "--operator", created["email"], "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["status"] == "disabled"
    assert client.get("/console/players").status_code == 303  # the session ended at once
    assert ConsoleClient(local_stack.url).sign_in(created["email"], created["password"]).status_code == 401


def test_make_dev_writes_the_demo_owner(local_stack: LocalStackProcess) -> None:
    """Issue 12: "make dev adds a demo owner to demo-credentials.json as "operator": {"email", "password"}"."""
    operator = local_stack.demo["operator"]
    assert set(operator) == {"email", "password"}
    assert ConsoleClient(local_stack.url).sign_in(operator["email"], operator["password"]).status_code == 303


def test_support_actions_on_a_gateway_player(local_stack: LocalStackProcess, api: Api, tenant: Tenant) -> None:
    """Issue 12's player support from the console, over HTTP: end the player's gateway sessions, issue a temporary
    password (shown once; the next login must change it), send a reset link, resend the activation email."""
    name, password = unique("sup"), "Orion2049x"
    brand = tenant.brand_id
    registered = api.post(
        f"/gateway/admission/v1/register/{brand}",
        json={"username": name, "email": f"{name}@example.com", "password": password},
    )
    assert registered.status_code == 201, registered.text
    token, n = registered.json()["token"], registered.json()["player_id"]
    details = f"/gateway/player-personal-details/player/details/v1/{brand}"
    assert api.call("GET", details, headers={"x-auth-token": token}).status_code == 200
    client, _ = signed_in(local_stack, tenant.tenant_id, "owner")
    assert "Gateway sessions" in client.get(f"/console/players/{n}").text

    ended = client.post(f"/console/players/{n}/sessions/end", {})
    assert (ended.status_code, ended.headers["location"]) == (303, f"/console/players/{n}?done=sessions#sessions")
    gone = api.call("GET", details, headers={"x-auth-token": token})
    assert (gone.status_code, gone.json()) == (401, {"errMsg": "invalid input - invalid token"})

    shown = client.post(f"/console/players/{n}/temporary-password", {})
    assert shown.status_code == 200
    temporary = re.search(r'<code class="secret">([^<]+)</code>', shown.text)
    assert temporary, shown.text[:500]
    login = api.post(f"/gateway/admission/v1/login/{brand}", json={"username": name, "password": temporary.group(1)})
    assert login.status_code == 200, login.text  # its session answers PASSWORD_CHANGE_REQUIRED (unit tests)
    old = api.post(f"/gateway/admission/v1/login/{brand}", json={"username": name, "password": password})
    assert old.status_code == 401, old.text

    def queued(kind: str) -> int:
        listed = local_stack.cli("outbox", "--to", f"{name}@example.com", "--type", kind, "--json")
        assert listed.returncode == 0, listed.stderr
        return len(json.loads(listed.stdout))

    for path, done, kind in [
        ("password-reset", "reset", "password_reset_email"),
        ("activation", "activation", "activation_email"),  # registration queued the first one
    ]:
        before = queued(kind)
        sent = client.post(f"/console/players/{n}/{path}", {})
        assert (sent.status_code, sent.headers["location"]) == (303, f"/console/players/{n}?done={done}#access")
        assert queued(kind) == before + 1, kind
