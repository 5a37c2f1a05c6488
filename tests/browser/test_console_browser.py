"""The console in a real browser (issue 12, "Tests in a real browser"): log in, search a player, open it,
change status with a reason and see it on the timeline with the operator as actor, set a deposit limit,
complete a pending withdrawal, create and revoke an API key, and a viewer who sees no write control and
gets 403 when it posts one anyway. One login per role; a screenshot of each page (test-output/console/)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.browser.conftest import SHOTS
from tests.console_support import create_operator
from tests.support import Api, LocalStackProcess, eventually, unique


@dataclass
class Journey:
    page: Any  # playwright Page, signed in as the demo owner
    base: str
    api: Api
    key: str
    player: dict[str, Any]
    withdrawal_id: str
    owner: dict[str, str]


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def journey(browser: Any, local_stack: LocalStackProcess) -> Iterator[Journey]:
    """The demo tenant's owner, signed in once, and a player with money and a pending withdrawal."""
    demo = local_stack.demo
    api, key = Api(local_stack.url), demo["live_key"]
    name = unique("Browser")
    brand_id = demo["brands"][0]["brand_id"]
    player = api.post("/v1/players", key, {"brand_id": brand_id, "username": name, "email": f"{name}@example.com"})
    assert player.status_code == 201, player.text
    uid = player.json()["player"]["user_id"]
    assert (
        api.post(f"/v1/players/{uid}/deposits", key, {"amount": "500.00", "psp_ref": unique("psp")}).status_code == 201
    )
    wd = api.post(f"/v1/players/{uid}/withdrawals", key, {"amount": "120.00"})
    assert wd.status_code == 201, wd.text
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the console's "are you sure?" confirmations
    yield Journey(
        page, local_stack.url, api, key, player.json()["player"], wd.json()["withdrawal"]["id"], demo["operator"]
    )
    context.close()


def test_sign_in(journey: Journey) -> None:
    page = journey.page
    page.goto(journey.base + "/console")
    assert page.url.endswith("/console/login")  # no session: the login page
    shot(page, "01-login")
    page.get_by_label("Email").fill(journey.owner["email"])
    page.get_by_label("Password").fill(journey.owner["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/players")
    assert page.get_by_role("heading", name="Players").is_visible()


def test_search_and_open_a_player(journey: Journey) -> None:
    """Issue 12: "Players (/console/players?q=...): one search box matching username (partial,
    case-insensitive)", live as one types (htmx), then the player page."""
    page, name = journey.page, journey.player["username"]
    page.goto(journey.base + "/console/players")
    shot(page, "02-players")
    page.get_by_label("Search").fill(name[3:10].lower())
    link = page.locator("#results").get_by_role("link", name=name)
    link.wait_for()
    shot(page, "03-search")
    link.click()
    page.wait_for_url(f"**/console/players/{journey.player['player_id']}")
    assert page.get_by_role("heading", name=re.compile(name)).is_visible()
    for panel in ("Dossier", "Status", "Responsible gaming", "Wallet", "Transactions", "Timeline", "Gateway sessions"):
        assert page.get_by_role("heading", name=re.compile(f"^{panel}")).is_visible(), panel
    shot(page, "04-player")


def test_change_status_with_a_reason_shows_on_the_timeline_with_the_operator(journey: Journey) -> None:
    """Issue 12: "change status with a reason and see it on the timeline with the operator as actor"."""
    page = journey.page
    page.goto(f"{journey.base}/console/players/{journey.player['player_id']}")
    status = page.locator("#status")
    status.get_by_label("New status").select_option("suspended")
    status.get_by_label(re.compile("^Reason")).fill("source of funds check")
    page.get_by_role("button", name="Change status").click()
    page.wait_for_url("**done=status*")
    assert "Status changed" in page.locator(".flash.ok").inner_text()
    latest = page.locator("#timeline tbody tr").first
    assert "status changed" in latest.inner_text() and "source of funds check" in latest.inner_text()
    actor = latest.locator("td.actor").inner_text()
    assert actor.startswith("operator:op_") and journey.owner["email"] in actor
    assert "source of funds check" in page.locator("#status ul.notes").inner_text()  # the compliance note
    shot(page, "05-status-changed")


def test_set_a_deposit_limit(journey: Journey) -> None:
    page = journey.page
    page.goto(f"{journey.base}/console/players/{journey.player['player_id']}")
    page.locator("#limit").select_option("deposit_daily_limit")
    page.locator("#limit_value").fill("100")
    page.get_by_role("button", name="Save limit").click()
    page.wait_for_url("**done=rg*")
    row = page.locator("#rg tbody tr", has_text="Deposit daily limit")
    assert "100.00 USD" in row.inner_text()
    shot(page, "06-deposit-limit")


def test_complete_a_pending_withdrawal(journey: Journey) -> None:
    page = journey.page
    page.goto(journey.base + "/console/withdrawals")
    row = page.locator(f"#wd-{journey.withdrawal_id}")
    assert "120.00 USD" in row.inner_text()
    shot(page, "07-withdrawals")
    row.get_by_role("button", name="Complete").click()
    page.wait_for_url("**done=completed*")
    assert page.locator(f"#wd-{journey.withdrawal_id}").count() == 0
    wallet = journey.api.get(f"/v1/players/{journey.player['user_id']}/wallet", journey.key).json()["wallet"]
    assert wallet["frozen"] == "0.00" and wallet["balances"]["real"] == "380.00"
    shot(page, "08-withdrawal-completed")


def test_create_and_revoke_an_api_key(journey: Journey) -> None:
    page, name = journey.page, unique("console-key-")
    page.goto(journey.base + "/console/keys")
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Create key").click()
    secret = page.locator("#new-key").inner_text().strip()
    assert secret.startswith("wsk_live_")
    shot(page, "09-key-created")
    assert journey.api.get(f"/v1/players/{journey.player['user_id']}", secret).status_code == 200
    page.goto(journey.base + "/console/keys")
    assert secret not in page.content()  # shown once only
    page.locator("tr", has_text=name).get_by_role("button", name="Revoke").click()
    page.wait_for_url("**done=revoked*")
    assert "revoked" in page.locator("tr", has_text=name).inner_text()
    # A warm authorizer may keep a verified key for its cache window (README: at most 10 s; 1 s in tests).
    after = eventually(
        lambda: journey.api.get(f"/v1/players/{journey.player['user_id']}", secret).status_code,
        until=lambda status: status == 401,
    )
    assert after == 401
    shot(page, "10-key-revoked")


def test_the_other_pages(journey: Journey) -> None:
    """Operators, brand settings, audit, the account page, and the live/test switch (test visibly marked)."""
    page = journey.page
    for path, name in [
        ("/console/operators", "11-operators"),
        ("/console/settings", "12-brand-settings"),
        ("/console/account", "14-account"),
    ]:
        page.goto(journey.base + path)
        shot(page, name)
    page.goto(journey.base + "/console/audit")
    audit = page.locator("table.data").inner_text()
    assert "status changed" in audit and "api key revoked" in audit and journey.owner["email"] in audit
    shot(page, "13-audit")
    page.goto(journey.base + "/console/players")
    page.get_by_role("button", name="Test", exact=True).click()
    assert page.locator(".test-banner").is_visible()
    shot(page, "15-test-mode")
    page.get_by_role("button", name="Live", exact=True).click()
    assert page.locator(".test-banner").count() == 0


def test_a_viewer_sees_no_write_control_and_gets_403_posting_one(
    journey: Journey, browser: Any, local_stack: LocalStackProcess
) -> None:
    viewer = create_operator(local_stack, local_stack.demo["tenant_id"], "viewer")
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        page.goto(journey.base + "/console/login")
        page.get_by_label("Email").fill(viewer["email"])
        page.get_by_label("Password").fill(viewer["password"])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/console/players")
        page.goto(f"{journey.base}/console/players/{journey.player['player_id']}")
        forms = page.locator("main form[method=post]")
        assert forms.count() == 0, [forms.nth(i).get_attribute("action") for i in range(forms.count())]
        assert page.locator("main button").count() == 0
        assert page.get_by_role("link", name="API keys").count() == 0
        shot(page, "16-viewer-player")
        token = page.locator("header input[name=csrf]").first.get_attribute("value")
        answer = page.request.post(
            f"{journey.base}/console/players/{journey.player['player_id']}/status",
            form={"csrf": token, "status": "closed", "reason": "a viewer trying"},
            max_redirects=0,
        )
        assert answer.status == 403
        dossier = journey.api.get(f"/v1/players/{journey.player['user_id']}", journey.key).json()["player"]
        assert dossier["status"] == "suspended"
    finally:
        context.close()
