"""Issue 10 #6 (gateway part): "Gateway bodies: unknown fields are dropped before anything is stored; today
{"city":"Valletta","operator":"compliance-officer-jane","comment":"KYC approved"} lands in the timeline
event's data."

Every gateway write (each POST/PUT route of the gateway function in template.yaml) is sent with fields the
route does not define, carrying a marker; afterwards the marker is nowhere in the table. A route added
without a step here fails the walk's last assertion."""

from __future__ import annotations

import json
from typing import Any

from pitboss import keys, store, tenancy
from pitboss_local import template
from tests.gateway_support import Reply, call
from tests.support import make_tenant, unique

MARK = "compliance-officer-jane"
EXTRA = {"operator": MARK, "comment_by": MARK, "x_injected": {"note": MARK}, "role": MARK}
PASSWORD = "Orion2049x"


class Walk:
    """Sends each write with EXTRA merged into its body, and remembers which route it was."""

    def __init__(self, brand_id: int) -> None:
        self.brand_id = brand_id
        self.walked: set[str] = set()
        self.token = ""

    def send(self, method: str, route: str, body: dict[str, Any], *, status: int, **kw: Any) -> Reply:
        self.walked.add(f"{method} {route}")
        path = route.replace("{version}", "v1").replace("{brand_id}", str(self.brand_id))
        reply = call(method, path, {**body, **EXTRA}, **kw)
        assert reply.status == status, (route, reply.text)
        return reply

    def session(self, method: str, route: str, body: dict[str, Any], *, status: int, **kw: Any) -> Reply:
        return self.send(method, route, body, status=status, token=self.token, **kw)


def _outbox_token(to: str, kind: str) -> str:
    from pitboss.gateway import outbox

    row = next(m for m in outbox.list_messages() if m["to"] == to and m["type"] == kind)
    return str(row["token"])


def _notice_revert(to: str) -> str:
    from pitboss.gateway import outbox

    row = next(m for m in outbox.list_messages() if m["to"] == to and m["type"] == "email_change_notice")
    return str(row["revert_token"])


def _profile(tenant_id: str, username: str, brand_id: int) -> dict[str, Any]:
    realm = keys.realm(tenant_id, "live")
    pointer = store.get(keys.username_pk(realm, brand_id, username), keys.UNIQUE)
    assert pointer is not None
    item = store.get(keys.player_pk(realm, pointer["user_id"]), keys.PROFILE)
    assert item is not None
    return item


def test_unknown_fields_never_reach_the_table(moto_table: str) -> None:
    t = make_tenant()
    tenancy.update_brand_settings(t.tenant_id, t.brand_id, {"required_documents": [], "mobile_verification": True})
    w = Walk(t.brand_id)
    a = "/gateway/admission/{version}"
    details = "/gateway/player-personal-details/player/details/{version}/{brand_id}"
    custom = "/gateway/player-personal-details/{version}/custom-fields/{brand_id}"
    email_update = "/gateway/player-personal-details/player/details/emailUpdate/{version}/{brand_id}"
    name = unique("gw")
    email = f"{name}@example.com"
    person = {"first_name": "Peter", "last_name": "Quill", "country": "US"}

    created = w.send("POST", f"{a}/register/{{brand_id}}", {"username": name, "email": email,
                     "password": PASSWORD, **person}, status=201)  # fmt: skip
    w.token = created.json()["token"]
    w.send("POST", f"{a}/verify/email/{{brand_id}}", {}, status=200,
           query={"hash": _outbox_token(email, "activation_email")})  # fmt: skip
    w.send("POST", f"{a}/login/{{brand_id}}", {"username": name, "password": PASSWORD}, status=200)
    # the issue's own body: operator and comment are not the player's to write into the audit trail
    w.session("PUT", details, {"city": "Valletta", "operator": MARK, "comment": f"KYC approved {MARK}"}, status=204)
    w.session("POST", details, {"city": "Mdina", "operator": MARK, "comment": f"KYC approved {MARK}"}, status=204)
    # a new phone waits for its SMS code with the rest of its request (issue 11 #8)
    held = w.session("PUT", details, {"phone": "356-99123456", "city": "Mdina", "comment": MARK}, status=403)
    twofa = held.json()["data"]["2fa_auth_token"]
    w.session("POST", "/gateway/player-personal-details/player/details/mobile/verify/{version}/{brand_id}",
              {"2fa_auth_token": twofa, "code": _outbox_token("356-99123456", "mobile_verification_sms")},
              status=200)  # fmt: skip
    for method in ("PUT", "POST"):
        fields = {"strCustomFields": [{"id": "fav", "name": "Fav", "value": "poker", "by": MARK}]}
        w.session(method, custom, fields, status=200)
    w.session("POST", email_update, {"email": f"a-{email}", "comment": "moving"}, status=204)
    w.session("PUT", email_update, {"email": f"b-{email}", "comment": "moving"}, status=204)
    player_id = int(created.json()["player_id"])
    sign = {"brand_id": t.brand_id, "player_id": player_id, "language": "en", "type": "tnc"}
    w.session("POST", "/gateway/player/multi/{version}/sign/tnc", sign, status=201)
    w.session(
        "POST", "/gateway/game/{version}/{brand_id}/start", {"provider": "acme", "game_id": "slots-1"}, status=200
    )
    w.session("POST", f"{a}/resend/activation/email/{{brand_id}}", {}, status=200)
    change = {"old_password": PASSWORD, "new_password": "Vega2050y"}
    w.session("POST", f"{a}/player/{{brand_id}}/change/password", change, status=202)
    w.send("POST", f"{a}/forgot/password/{{brand_id}}", {"mail": email}, status=201)
    reset = _outbox_token(email, "password_reset_email")
    r = w.send("POST", f"{a}/verify/password/{{brand_id}}", {"new_password": "Lyra2051z"}, status=202,
               query={"hash": reset})  # fmt: skip
    w.token = r.json()["token"]
    w.session("POST", f"{a}/logout/{{brand_id}}", {}, status=204)
    w.send("POST", f"{a}/revert/email/{{brand_id}}", {}, status=200, query={"hash": _notice_revert(email)})
    # self-service RG (issue 11 #4): a cool-off or a self-exclusion ends the session, so each has its own player
    rg = "/gateway/responsible-gaming/{version}/{brand_id}"
    for route, body in ((f"{rg}/cool-off", {"days": 2}), (f"{rg}/self-exclusion", {"months": 6})):
        other = unique("gw")
        joined = {"username": other, "email": f"{other}@example.com", "password": PASSWORD}
        w.token = w.send("POST", f"{a}/register/{{brand_id}}", joined, status=201).json()["token"]
        w.session("PUT", f"{rg}/limits", {"deposit_daily_limit": 50, "reason": MARK}, status=200)
        w.session("POST", route, {**body, "reason": MARK}, status=200)

    assert _profile(t.tenant_id, name, t.brand_id)["details"]["city"] == "Mdina"  # the details did land...
    stored = json.dumps(store.client().scan(TableName=store.table_name())["Items"])
    assert MARK not in stored  # ...and nothing the routes do not define did
    assert "KYC approved" not in stored
    # every gateway write was walked: a new route gets its step above
    writes = {r.route_key for r in template.routes() if r.function == "GatewayFunction" and r.method != "GET"}
    assert writes <= w.walked, sorted(writes - w.walked)
