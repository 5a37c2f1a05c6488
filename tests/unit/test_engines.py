"""Issue 13 §1-§3 in process (moto): service modes, VIP levels from xp, payout instructions, reported play and
cashback (paid once per player and period, a rerun and a crash between reads and writes included)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from pitboss import idempotency, keys, store, tenancy
from pitboss.brands import views
from pitboss.brands.models import MessageFormatsIn, VipLevelsIn
from pitboss.engines import activity, cashback, payouts
from pitboss.engines import rules as engines
from pitboss.engines.models import AckIn, ActivityIn
from pitboss.errors import Conflict, NotFound
from pitboss.players import lifecycle, queries
from pitboss.players.models import StatusChange
from pitboss.wallet import rules as wallet_rules
from pitboss.wallet.entity import Wallet
from tests.support import at, unique
from tests.wallet_support import Driver, assert_ledger_consistent

LADDER = {
    "levels": [
        {"name": "Bronze", "xp_threshold": "0", "cashback_percent": "5"},
        {"name": "Silver", "xp_threshold": "100", "cashback_percent": "10"},
        {"name": "Gold", "xp_threshold": "1000", "cashback_percent": "12.5"},
    ]
}


def refresh(d: Driver) -> None:
    """The principal as the authorizer would see it after a brand change."""
    d.who = tenancy.authenticate(f"Bearer {d.tenant.live_key}")


def set_ladder(d: Driver, body: dict[str, Any] = LADDER) -> None:
    views.set_vip_levels(d.who, d.tenant.brand_id, VipLevelsIn.model_validate(body))
    refresh(d)


def events(d: Driver, kind: str) -> list[dict[str, Any]]:
    return [e for e in store.query_all(d.pk, sk_prefix="EVT#", consistent=True) if e["type"] == kind]


def report(d: Driver, stake: str, win: str = "0", ref: str | None = None) -> idempotency.Outcome:
    ref = ref or unique("a")
    body = {"stake": stake, "win": win, "provider": "op", "round_id": f"round-of-{ref}", "ref": ref}
    idem = idempotency.begin(d.who.realm, None, "POST", f"activity:{d.user_id}", body)
    return activity.report(d.who, d.user_id, ActivityIn.model_validate(body), idem)


# ---- §1 service modes ------------------------------------------------------------------------------


def test_service_mode_defaults_to_white_label_and_brands_show_it(moto_table: str) -> None:
    """§1: "`service_mode` per brand (`white_label` default, `plug_in`) ... `GET /v1/brands`"."""
    d = Driver(currency="EUR")
    listed = views.list_brands(d.who).model_dump()["brands"]
    assert listed == [
        {
            "brand_id": d.tenant.brand_id,
            "name": "Brand",
            "currency": "EUR",
            "currencies": ["EUR"],
            "service_mode": "white_label",
        }
    ]


@pytest.mark.parametrize("op", ["deposit", "withdraw", "bet", "win", "rollback"])
def test_plug_in_refuses_real_rail_movements_and_moves_nothing(moto_table: str, op: str) -> None:
    """§1: "real-rail movements (deposits, withdrawals, bets, wins, rollbacks on `real`) answer **409**
    {"error": {"code": "service_mode", ...}} and move nothing"."""
    d = Driver(service_mode="plug_in")
    body = {
        "deposit": {"amount": "10"},
        "withdraw": {"amount": "10"},
        "bet": {"amount": "1", "ref_id": "b1", "round_id": "r1"},
        "win": {"amount": "1", "ref_id": "w1", "round_id": "r1"},
        "rollback": {"ref_id": "b1"},
    }[op]
    with pytest.raises(Conflict) as refused:
        d.call(op, body)
    assert refused.value.code == "service_mode"
    assert d.stored_wallet() is None
    assert d.entries() == []


def test_plug_in_keeps_points_rails(moto_table: str) -> None:
    """§1: "Bonus, winz and xp rails ... work" in plug_in."""
    d = Driver(service_mode="plug_in")
    assert d.call("winz", {"action": "grant", "amount": "5"}).status == 201
    assert d.call("bonus", {"amount": "5", "wagering_multiplier": 1}).status == 201


def test_plug_in_refuses_a_bonus_with_nothing_to_wager_and_says_why(moto_table: str) -> None:
    """A zero multiplier converts the bonus to real money at once, which the operator holds: 409 `service_mode`
    with a message that says so (it was the generic real-rail refusal), and nothing moves."""
    d = Driver(service_mode="plug_in")
    with pytest.raises(Conflict) as refused:
        d.call("bonus", {"amount": "5", "wagering_multiplier": 0})
    assert refused.value.code == "service_mode"
    assert refused.value.message == (
        "a bonus with nothing to wager is real money at once, which this plug_in brand's operator holds: "
        "credit it in your own wallet, or grant it with a wagering_multiplier above 0"
    )
    assert refused.value.details == {"service_mode": "plug_in", "field": "wagering_multiplier"}
    assert d.stored_wallet() is None and d.entries() == []
    d.update_player(status="suspended")  # the brand's mode answers first, as for the real-rail movements
    with pytest.raises(Conflict) as again:
        d.call("bonus", {"amount": "5", "wagering_multiplier": 0})
    assert again.value.code == "service_mode"


def test_mode_change_is_refused_once_the_brand_has_real_entries(moto_table: str) -> None:
    """§1: "Changing a brand's mode is allowed only while it has no real-rail entries (409 otherwise)"."""
    d = Driver()
    tid, bid = d.tenant.tenant_id, d.tenant.brand_id
    tenancy.update_brand_settings(tid, bid, {"service_mode": "plug_in"})
    tenancy.update_brand_settings(tid, bid, {"service_mode": "white_label"})
    refresh(d)
    d.deposit("10")
    d.deposit("5")  # the marker is written once per player: the second deposit writes no marker again
    markers = list(store.query_all(keys.tenant_pk(tid), sk_prefix=keys.real_rail_prefix(bid), consistent=True))
    assert [m["user_id"] for m in markers] == [d.user_id]
    with pytest.raises(Conflict) as refused:
        tenancy.update_brand_settings(tid, bid, {"service_mode": "plug_in"})
    assert refused.value.code == "service_mode"
    tenancy.update_brand_settings(tid, bid, {"min_age": 21})  # other settings still change


def test_message_formats_are_stored_per_language(moto_table: str) -> None:
    d = Driver()
    out = views.set_message_formats(
        d.who,
        d.tenant.brand_id,
        "pt-br",
        MessageFormatsIn(formats={"password_successfully_changed": "A sua palavra-passe foi alterada."}),
    )
    assert out.formats == {"password_successfully_changed": "A sua palavra-passe foi alterada."}
    stored = tenancy.get_brand(d.tenant.brand_id)
    assert stored is not None and stored.settings.message_formats == {
        "pt-br": {"password_successfully_changed": "A sua palavra-passe foi alterada."}
    }
    with pytest.raises(NotFound):
        views.set_message_formats(d.who, 999_999, "en", MessageFormatsIn(formats={"email_verified": "b"}))
    with pytest.raises(ValueError):  # a key the gateway never answers
        MessageFormatsIn(formats={"password_reset": "not a message format key"})


# ---- §2 VIP levels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "levels",
    [
        [{"name": "A", "xp_threshold": "10"}],  # first not at 0
        [{"name": "A", "xp_threshold": "0"}, {"name": "B", "xp_threshold": "0"}],  # not strictly increasing
        [{"name": "A", "xp_threshold": "0", "cashback_percent": "100.01"}],
        [{"name": "A", "xp_threshold": "0", "cashback_percent": "1.234"}],  # two decimals
        [{"name": "A", "xp_threshold": "0", "wagering_multiplier": "5"}],  # multiplier without bonus rail
        [],
    ],
)
def test_a_bad_ladder_is_refused(levels: list[dict[str, Any]]) -> None:
    """§2: "Validated: thresholds strictly increasing, first at 0" (percent 0-100, two decimals)."""
    with pytest.raises(ValueError):
        VipLevelsIn.model_validate({"levels": levels})


def test_level_follows_lifetime_xp_in_the_same_transaction(moto_table: str) -> None:
    """§2: "The player's level is derived from lifetime xp on every xp posting, in the same transaction; a
    change writes a `vip.level_changed` timeline event. The dossier shows `vip: {level, name, xp,
    next_threshold}`"."""
    d = Driver(xp_per_unit="1", xp_daily_cap="100000")
    set_ladder(d)
    d.deposit("500")
    d.bet("60", rnd="r1")
    assert events(d, "vip.level_changed") == []
    d.bet("60", rnd="r2")  # lifetime xp 120: Silver
    changed = events(d, "vip.level_changed")
    assert [(e["data"]["from_level"], e["data"]["level"], e["data"]["name"]) for e in changed] == [(1, 2, "Silver")]
    stored = d.stored_wallet()
    assert stored is not None and stored["engagement"]["vip_level"] == 2
    dossier = queries.get_dossier(d.who, d.user_id, None).model_dump(mode="json")["player"]
    assert dossier["vip"] == {"level": 2, "name": "Silver", "xp": "120.00", "next_threshold": "1000.00"}
    assert_ledger_consistent(d)


def test_a_ladder_set_later_shows_at_once_and_the_event_follows_the_next_posting(moto_table: str) -> None:
    """§2: "Players whose lifetime xp already passes a threshold move up when the ladder is set" (derived at
    read time; the stored level and its event catch up lazily with the next xp posting)."""
    d = Driver(xp_per_unit="1", xp_daily_cap="100000")
    d.deposit("500")
    d.bet("150", rnd="r1")
    before = queries.get_dossier(d.who, d.user_id, None).model_dump(mode="json")["player"]["vip"]
    assert before == {"level": 1, "name": "", "xp": "150.00", "next_threshold": None}
    set_ladder(d)
    now = queries.get_dossier(d.who, d.user_id, None).model_dump(mode="json")["player"]["vip"]
    assert now["level"] == 2 and now["name"] == "Silver"
    d.bet("1", rnd="r2")
    assert [e["data"]["level"] for e in events(d, "vip.level_changed")] == [2]


def test_level_of_is_pure() -> None:
    levels = engines.ladder(tenancy.BrandSettings(vip_levels=VipLevelsIn.model_validate(LADDER).stored()))
    assert engines.level_for(Decimal("99.99"), levels).name == "Bronze"
    assert engines.level_for(Decimal("100"), levels).name == "Silver"
    assert engines.next_threshold(Decimal("1000"), levels) is None


# ---- §1 reported activity and payout instructions ----------------------------------------------------


def test_reported_play_accrues_xp_once_per_ref_and_only_in_plug_in(moto_table: str) -> None:
    """§1: "`POST /v1/players/{key}/activity` reports a settled real-money round (stake, win, provider, round id;
    idempotent on a ref) so xp, levels ... work without Pitboss holding cash"."""
    d = Driver(service_mode="plug_in", xp_per_unit="2", xp_daily_cap="1000")
    set_ladder(d)
    first = report(d, "60", ref="round-1")
    assert first.status == 201
    again = report(d, "60", ref="round-1")
    assert again.status == 200 and again.deduped and again.body == first.body
    with pytest.raises(Conflict):
        report(d, "61", ref="round-1")  # the same ref with another report
    stored = d.stored_wallet()
    assert stored is not None
    assert stored["balances"]["xp"] == Decimal("120")
    assert stored["engagement"]["vip_level"] == 2
    assert stored["balances"]["real"] == 0
    white = Driver()
    with pytest.raises(Conflict) as refused:
        report(white, "10")
    assert refused.value.code == "service_mode"


def test_reported_stake_completes_wagering_into_a_payout_instruction(moto_table: str) -> None:
    """§1: wagering on bonuses progresses with reported play; the converted bonus is real money, which in
    plug_in becomes a payout instruction, listed pending and acknowledged once (each on the timeline)."""
    d = Driver(service_mode="plug_in")
    d.call("bonus", {"amount": "10", "wagering_multiplier": 2})
    report(d, "15")
    assert payouts.list_pending(d.who, 50, None).payouts == []
    report(d, "5")
    pending = payouts.list_pending(d.who, 50, None).payouts
    assert [(p.amount, p.source, p.status, p.user_id) for p in pending] == [
        ("10.00", "bonus_conversion", "pending", d.user_id)
    ]
    stored = d.stored_wallet()
    assert stored is not None and stored["balances"]["bonus"] == 0 and stored["balances"]["real"] == 0
    acked = payouts.acknowledge(d.who, pending[0].id, AckIn(memo="credited"))
    assert acked.payout.status == "acked" and not acked.deduped
    again = payouts.acknowledge(d.who, pending[0].id, AckIn())
    assert again.deduped and again.payout.status == "acked"
    assert payouts.list_pending(d.who, 50, None).payouts == []
    assert len(events(d, "payout.recorded")) == 1 and len(events(d, "payout.acked")) == 1
    other = Driver()
    with pytest.raises(NotFound):
        payouts.acknowledge(other.who, pending[0].id, AckIn())  # another tenant's instruction: 404
    assert_ledger_consistent(d)


# ---- §3 cashback -----------------------------------------------------------------------------------


def cashback_driver(**settings: Any) -> Driver:
    at("2026-03-10T12:00:00Z")
    d = Driver(xp_per_unit="1", xp_daily_cap="100000", cashback_period="daily", **settings)
    set_ladder(d)
    return d


def play_a_losing_day(d: Driver) -> None:
    d.deposit("500")
    d.bet("100", rnd="r1", round_closed=True)  # xp 100: Silver, 10%
    d.bet("50", rnd="r2")
    d.win("20", rnd="r2", round_closed=True)
    open_ref = unique("b")
    d.bet("30", ref=open_ref, rnd="r3")
    d.rollback(open_ref)  # never settled: not a loss


def test_cashback_pays_a_closed_period_once(moto_table: str) -> None:
    """§3: "pays each closed period once per player: idempotent on (player, period) so a rerun ... pays
    nobody twice"; net real losses = stakes - wins - rollbacks, rounded down."""
    d = cashback_driver()
    play_a_losing_day(d)
    assert cashback.run(datetime(2026, 3, 10, 23, 59, tzinfo=UTC)).paid == 0  # the period is still open
    at("2026-03-11T01:00:00Z")
    first = cashback.run()
    assert (first.paid, first.failed) == (1, 0)
    stored = d.stored_wallet()
    assert stored is not None
    assert stored["balances"]["real"] == Decimal("500") - 150 + 20 + Decimal("13.00")  # 10% of 130
    second = cashback.run()
    assert (second.paid, second.already) == (0, 0)  # settled items left the list: nothing read
    paid = events(d, "cashback.paid")
    assert len(paid) == 1 and paid[0]["data"]["amount"] == "13.00" and paid[0]["data"]["period"] == "D2026-03-10"
    assert_ledger_consistent(d)


def test_a_crash_between_reads_and_writes_pays_once_on_the_rerun(moto_table: str, monkeypatch: Any) -> None:
    """§3 Done when: "a cashback run pays each player once per period (proved by running it twice and by a
    crash-injection test between its reads and writes)"."""
    d = cashback_driver()
    play_a_losing_day(d)
    at("2026-03-11T01:00:00Z")
    real_transact = store.transact

    def crash(_ops: list[store.Op]) -> None:
        raise RuntimeError("crashed after reading, before writing")

    monkeypatch.setattr(store, "transact", crash)
    with pytest.raises(RuntimeError):
        cashback.run()
    monkeypatch.setattr(store, "transact", real_transact)
    assert cashback.run().paid == 1
    assert cashback.run().paid == 0
    assert len(events(d, "cashback.paid")) == 1
    assert [e["type"] for e in d.entries()].count("cashback") == 1


def test_two_runs_racing_pay_once(moto_table: str) -> None:
    """The settlement's condition: a second run that read the item before the first committed pays nothing."""
    d = cashback_driver()
    play_a_losing_day(d)
    at("2026-03-11T01:00:00Z")
    listed = list(store.query(keys.CASHBACK_DUE, index=keys.LISTS_INDEX, pk_name="list_pk", sk_name="list_sk").items)
    key = (listed[0]["pk"], listed[0]["sk"])
    principal = cashback._Principals().get(d.who.realm)
    one, two = cashback.Report(), cashback.Report()
    cashback.settle(principal, key, one)
    cashback.settle(principal, key, two)
    assert (one.paid, two.paid) == (1, 0)
    assert [e["type"] for e in d.entries()].count("cashback") == 1


def test_blocked_players_are_skipped_with_a_reason(moto_table: str) -> None:
    """§3: "Players who are self-excluded, closed or blocked at payout time get nothing (recorded on the
    timeline as skipped, with the reason)"."""
    d = cashback_driver()
    play_a_losing_day(d)
    idem = idempotency.begin(d.who.realm, None, "PATCH", "status", {})
    lifecycle.change_status(d.who, d.user_id, StatusChange(status="suspended", reason="checks"), idem)
    at("2026-03-11T01:00:00Z")
    done = cashback.run()
    assert (done.paid, done.skipped, done.reasons) == (0, 1, {"blocked": 1})
    assert [e["data"]["reason"] for e in events(d, "cashback.skipped")] == ["blocked"]
    assert cashback.run().skipped == 0


def test_nothing_due_pays_nothing(moto_table: str) -> None:
    """A winning period, or one below the minimum payout, pays nothing and leaves the list."""
    d = cashback_driver(cashback_min_payout="50")
    play_a_losing_day(d)  # 13.00 < 50
    at("2026-03-11T01:00:00Z")
    done = cashback.run()
    assert (done.paid, done.nothing) == (0, 1)
    assert events(d, "cashback.paid") == []


def test_plug_in_cashback_is_a_payout_instruction(moto_table: str) -> None:
    """§3: "plug_in: a payout instruction" (losses reported by the operator)."""
    d = cashback_driver(service_mode="plug_in")
    report(d, "200", "50")  # xp 200: Silver, 10% of 150
    at("2026-03-11T01:00:00Z")
    done = cashback.run()
    assert done.instructions == 1
    pending = payouts.list_pending(d.who, 50, None).payouts
    assert [(p.amount, p.source, p.source_ref) for p in pending] == [("15.00", "cashback", "D2026-03-10#USD")]
    assert cashback.run().instructions == 0


def test_cashback_periods_follow_the_brand_time_zone() -> None:
    settings = tenancy.BrandSettings(timezone="Europe/Malta", cashback_period="weekly")
    period = engines.period_of(datetime(2026, 3, 15, 23, 30, tzinfo=UTC), settings)  # Monday 00:30 in Malta
    assert period.id == "W2026-W12"
    assert period.ends_at == datetime(2026, 3, 22, 23, 0, tzinfo=UTC)
    assert engines.cashback_amount(Decimal("130.99"), Decimal("12.5"), 2) == Decimal("16.37")


def test_plug_in_admission_answers_as_an_unknown_brand(moto_table: str) -> None:
    """§1: "the player gateway's admission routes answer as for an unknown brand" in plug_in."""
    from tests.gateway_support import call

    d = Driver(service_mode="plug_in")
    unknown = call("POST", "/gateway/admission/v1/login/424242424", {"username": "x", "password": "y"})
    for route in ("register", "login"):
        body = {"username": "Starlord", "email": "s@example.com", "password": "Orion2049x", "country": "US"}
        r = call("POST", f"/gateway/admission/v1/{route}/{d.tenant.brand_id}", body)
        assert (r.status, r.json()) == (unknown.status, unknown.json()), route
    white = Driver()
    r = call("POST", f"/gateway/admission/v1/login/{white.tenant.brand_id}", {"username": "x", "password": "y"})
    assert (r.status, r.json()) != (unknown.status, unknown.json())


def test_the_wallet_surface_answers_service_mode_as_its_code() -> None:
    """§1: 409 `{"error": {"code": "service_mode", ...}}` also on the wallet routes, whose other 409s carry a
    generic `conflict` code with the cause in `reason`."""
    from pitboss.http.v1 import error_body

    refused = Conflict("plug_in", code="service_mode", service_mode="plug_in")
    assert error_body(refused, generic_codes=True)["error"]["code"] == "service_mode"
    assert error_body(Conflict("closed", code="round_closed"), generic_codes=True)["error"]["code"] == "conflict"


@pytest.mark.parametrize(("multiplier", "real", "bonus"), [("0", "13.00", "0"), ("2", "0", "13.00")])
def test_cashback_paid_as_bonus_is_a_grant_like_any_other(
    moto_table: str, multiplier: str, real: str, bonus: str
) -> None:
    """Cashback on the bonus rail is the wallet's one bonus grant: with a zero wagering requirement it
    converts to real at once, as an operator's grant and a lootbox prize do (it used to sit as an active
    bonus with nothing to wager until the player's next bet); otherwise it waits for amount x multiplier."""
    d = cashback_driver()
    set_ladder(
        d,
        {
            "levels": [
                {**level, "cashback_rail": "bonus", "wagering_multiplier": multiplier} for level in LADDER["levels"]
            ]
        },
    )
    play_a_losing_day(d)
    at("2026-03-11T01:00:00Z")
    assert cashback.run().paid == 1
    stored = d.stored_wallet()
    assert stored is not None
    assert stored["balances"]["real"] == Decimal("500") - 150 + 20 + Decimal(real)
    assert stored["balances"]["bonus"] == Decimal(bonus)
    types = [e["type"] for e in d.entries()]
    assert types.count("bonus_grant") == 1
    assert types.count("bonus_convert") == (1 if multiplier == "0" else 0)
    assert_ledger_consistent(d)


def _active_bonus_count(d: Driver) -> int:
    stored = d.stored_wallet()
    assert stored is not None
    return Wallet.from_item(stored).active_bonus_count()


@pytest.mark.parametrize("one_expires", [True, False])
def test_cashback_as_bonus_keeps_the_active_bonus_cap(moto_table: str, one_expires: bool) -> None:
    """The cap on active bonuses (wallet rules, MAX_ACTIVE_BONUSES) keeps every bet's transaction under DynamoDB's
    100 items; cashback paid as bonus skipped it (and did not forfeit expired bonuses first), so a 21st bonus could
    be granted. Now an expired bonus is forfeited and frees its place; with no place the cashback waits for the
    next run (nothing written, the period still due), as a bonus grant of the operator's is refused."""
    d = cashback_driver()
    set_ladder(
        d, {"levels": [{**level, "cashback_rail": "bonus", "wagering_multiplier": "2"} for level in LADDER["levels"]]}
    )
    play_a_losing_day(d)
    for n in range(wallet_rules.MAX_ACTIVE_BONUSES):
        expiry = {"expires_at": "2026-03-11T00:30:00Z"} if one_expires and n == 0 else {}
        d.call("bonus", {"amount": "0.01", "wagering_multiplier": "5", **expiry})
    at("2026-03-11T01:00:00Z")
    ran = cashback.run()
    assert _active_bonus_count(d) == wallet_rules.MAX_ACTIVE_BONUSES
    paid = events(d, "cashback.paid")
    if one_expires:
        assert (ran.paid, ran.failed, len(paid)) == (1, 0, 1)
        assert [e["type"] for e in d.entries()].count("bonus_forfeit") == 1
    else:
        assert (ran.paid, ran.failed, paid) == (0, 1, [])
        at("2026-03-12T01:00:00Z")
        assert cashback.run().failed == 1  # still due, still waiting for a place
    assert_ledger_consistent(d)
