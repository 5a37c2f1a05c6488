"""GGR aggregates on DynamoDB Local (issue 14 §4: "usage and GGR figures equal what a test's scripted traffic
implies, to the cent"): real movements, their real TX# items fed to the sink as the stream consumer would
(twice: a redelivery changes nothing), then the report read as JSON and CSV."""

from __future__ import annotations

from pitboss import clock, store
from pitboss.changes import Change
from pitboss.reports import ggr, sinks
from tests.wallet_support import Driver

ZONE = "Pacific/Kiritimati"  # UTC+14: its day is not the UTC day for ten hours of every day


def test_scripted_traffic_gives_its_figures_to_the_cent_in_the_brands_local_day(ddb_table: str) -> None:
    d = Driver(timezone=ZONE)
    d.deposit("100.00")
    d.bet("10.00", ref="b1", rnd="r1")
    d.win("25.50", rnd="r1", round_closed=True)
    d.bet("5.00", ref="b2", rnd="r2")
    d.rollback("b2")
    d.bet("3.25", ref="b3", rnd="r3", round_closed=True)
    wd = d.call("withdraw", {"amount": "20.00"}).body["withdrawal"]["id"]
    d.settle(wd, "complete")
    changes = [
        Change(f"g-{item['sk']}-{d.user_id}", "INSERT", str(i), item["pk"], item["sk"], item, None)
        for i, item in enumerate(store.query_all(d.pk, sk_prefix="TX#", consistent=True))
    ]
    for c in changes + changes:
        for sink in sinks.SINKS:
            sink(c)
    today = clock.local_date(clock.now(), ZONE).isoformat()
    out = ggr.report(d.who, d.tenant.brand_id, today, today)
    assert out.timezone == ZONE
    (row,) = out.days
    assert row.date == today and row.currency == "USD"
    assert (row.stakes, row.wins, row.rollbacks, row.ggr) == ("18.25", "25.50", "5.00", "-12.25")
    assert (row.bonus_costs, row.ngr, row.deposits, row.withdrawals) == ("0.00", "-12.25", "100.00", "20.00")
    assert row.active_players == 1
    assert out.totals[0].ggr == "-12.25" and out.totals[0].date is None
    text = ggr.as_csv(out)
    assert text.splitlines() == [
        "date,currency,stakes,wins,rollbacks,ggr,bonus_costs,ngr,deposits,withdrawals,active_players",
        f"{today},USD,18.25,25.50,5.00,-12.25,0.00,-12.25,100.00,20.00,1",
    ]
    other = Driver()  # another tenant's key sees its own (empty) figures, never these
    assert ggr.report(other.who, other.tenant.brand_id, today, today).days == []
