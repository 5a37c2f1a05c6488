"""Usage metering's stream sink on DynamoDB Local (issue 14 §3): Changes built from the real items of real
movements, fed to the sink as the stream consumer would, redeliveries included."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from pitboss import store
from pitboss.changes import Change
from pitboss.reports import sinks, usage
from tests.wallet_support import Driver


def _inserts(d: Driver, prefix: str = "TX#") -> list[Change]:
    return [
        Change(
            event_id=f"rec-{item['sk']}-{d.user_id}",
            name="INSERT",
            sequence=str(i),
            pk=item["pk"],
            sk=item["sk"],
            new=item,
            old=None,
        )
        for i, item in enumerate(store.query_all(d.pk, consistent=True))
        if str(item["sk"]).startswith(prefix)
    ]


def test_ledger_entries_and_active_players_are_counted_once_whatever_the_redeliveries(ddb_table: str) -> None:
    d = Driver()
    d.deposit("30.00")
    d.bet("5.00", ref="b1", rnd="r1")
    d.win("2.50", rnd="r1", round_closed=True)
    second = d.new_player()
    d.call("deposit", {"amount": "1.00"}, user=second)
    changes = _inserts(d) + _inserts(d, "EVT#")  # events are not ledger entries: not counted
    other = Driver.__new__(Driver)
    other.who, other.user_id = d.who, second
    changes += _inserts(other)
    sinks._active_seen.clear()  # a cold container: the markers alone must dedupe
    with ThreadPoolExecutor(max_workers=4) as pool:  # a record redelivered, even concurrently
        list(pool.map(lambda c: [sink(c) for sink in sinks.SINKS], changes + changes))
    for c in changes:
        sinks.count_ledger(c)
    today = datetime.now(UTC).date().isoformat()
    report = usage.realm_report(d.who.tenant_id, "live", today, today)
    (day,) = report.days
    entries = len(_inserts(d)) + len(_inserts(other))
    assert entries == 4
    assert (day.ledger_entries, day.active_players) == (entries, 2)
    assert report.billable is True and report.total.ledger_entries == entries
    test = usage.realm_report(d.who.tenant_id, "test", today, today)
    assert (test.billable, test.total.ledger_entries) == (False, 0)
    month = usage.month_report(d.who.tenant_id, today[:7])
    assert month["live"]["monthly_active_players"] == 2  # type: ignore[index]


def test_other_changes_are_ignored(ddb_table: str) -> None:
    d = Driver()
    d.deposit("1.00")
    (entry,) = _inserts(d)
    modify = Change(entry.event_id + "m", "MODIFY", "9", entry.pk, entry.sk, entry.new, entry.new)
    profile = Change("p", "INSERT", "1", d.pk, "PROFILE", {"pk": d.pk, "sk": "PROFILE"}, None)
    for c in (modify, profile):
        sinks.count_ledger(c)
    today = datetime.now(UTC).date().isoformat()
    assert usage.realm_report(d.who.tenant_id, "live", today, today).total.ledger_entries == 0
