"""Brand settings changed with `pitboss brand-settings` take effect on the API within the authorizer's
cache window (apikeys.CACHE_SECONDS)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from tests.support import Api, eventually, unique


def test_min_age_setting_drives_the_age_gate(api: Api, local_stack: Any) -> None:
    t = local_stack.tenant()
    today = date.today()
    nineteen = (
        today.replace(year=today.year - 19)
        if not (today.month == 2 and today.day == 29)
        else date(today.year - 19, 2, 28)
    )
    name = unique("Young")
    created = api.post(
        "/v1/players",
        t.live_key,
        {"username": name, "email": f"{name}@example.com", "date_of_birth": nineteen.isoformat()},
    )
    assert created.status_code == 201, created.text
    assert created.json()["player"]["age_verified"] is True
    done = local_stack.cli(
        "brand-settings", "--tenant", t.tenant_id, "--brand-id", str(t.brand_id), "--set", "min_age=21", "--json"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["min_age"] == 21
    # The brand set reaches warm authorizers within their cache window (1 s on the test stack).
    dossier = eventually(
        lambda: api.get(f"/v1/players/{name}", t.live_key).json()["player"], lambda p: p["age_verified"] is False
    )
    assert dossier["age_verified"] is False
    deposit = api.post(f"/v1/players/{name}/deposits", t.live_key, {"amount": "10.00"})
    assert deposit.status_code == 403, deposit.text
    assert deposit.json()["error"]["code"] == "player_blocked"


def test_bad_settings_are_refused_and_change_nothing(local_stack: Any) -> None:
    t = local_stack.tenant()
    base = ["brand-settings", "--tenant", t.tenant_id, "--brand-id", str(t.brand_id)]
    for bad in ("timezone=Mars/Olympus", "min_age=-1", "self_exclusion_reinstatement=never"):
        done = local_stack.cli(*base, "--set", bad, "--json")
        assert done.returncode != 0, bad
    shown = json.loads(local_stack.cli(*base, "--json").stdout)
    assert (shown["timezone"], shown["min_age"], shown["self_exclusion_reinstatement"]) == ("UTC", 18, "on_request")
    other = local_stack.tenant()
    assert (
        local_stack.cli(
            "brand-settings", "--tenant", other.tenant_id, "--brand-id", str(t.brand_id), "--json"
        ).returncode
        != 0
    )
