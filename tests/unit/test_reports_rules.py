"""The reports domain's pure parts (issue 14 §3, §4): re-deriving balances, figures of a day, the CSV."""

from __future__ import annotations

from decimal import Decimal

from pitboss.reports import ggr, reconcile, repository, usage
from pitboss.reports.models import GgrReport


def _posting(account: str, amount: str, currency: str = "USD") -> dict[str, object]:
    return {"account": account, "rail": "real", "currency": currency, "amount": Decimal(amount)}


def test_differences_re_derive_every_player_account_per_currency_from_the_postings() -> None:
    wallet = {
        "user_id": "u",
        "currency": "USD",
        "balances": {"real": Decimal("30.00"), "bonus": Decimal(0), "winz": Decimal(0), "xp": Decimal(0)},
        "frozen": Decimal("10.00"),
        "seq": 2,
    }
    entries = [
        {"postings": [_posting("psp:clearing", "-40.00"), _posting("player:real", "40.00")]},
        {"postings": [_posting("player:real", "-10.00"), _posting("player:frozen", "10.00")]},
    ]
    assert reconcile.differences(wallet, entries) == []
    corrupted = {**wallet, "balances": {**wallet["balances"], "real": Decimal("31.00")}}  # type: ignore[dict-item]
    assert reconcile.differences(corrupted, entries) == [
        {"account": "player:real", "currency": "USD", "stored": "31.00", "ledger": "30.00"}
    ]
    # Money in a currency the wallet has no purse for is a difference too.
    stray = [*entries, {"postings": [_posting("player:real", "1", "EUR")]}]
    assert reconcile.differences(wallet, stray) == [
        {"account": "player:real", "currency": "EUR", "stored": "0", "ledger": "1"}
    ]


def test_a_usage_day_reads_its_counters_as_integers_by_surface_and_class() -> None:
    day = usage._day("2026-12-01", {"req:v1:read": 4, "req:v1:write": 1, "req:api:read": 2, "ledger_entries": 7})
    assert day.requests_total == 7 and day.ledger_entries == 7 and day.active_players == 0
    assert day.requests["v1"].model_dump() == {"read": 4, "write": 1}
    assert usage.day_of("2026-12-01T23:59:59.000000Z") == "2026-12-01"


def test_player_partition_keys_are_recognised_and_nothing_else() -> None:
    assert repository.realm_of("T#ten_1#live#P#abc") == ("T#ten_1#live", "abc")
    assert repository.realm_of("T#ten_1#live#REF#p#r") is None
    assert repository.realm_of("KEY#x") is None


def test_ggr_row_figures_and_csv() -> None:
    row = ggr._row("2026-12-01", "EUR", {"stakes": Decimal("18.25"), "wins": Decimal("25.5"), "rollbacks": Decimal(5)})
    assert (row.ggr, row.ngr, row.deposits) == ("-12.25", "-12.25", "0.00")
    out = GgrReport(brand_id=1, timezone="UTC", from_date="2026-12-01", to_date="2026-12-01", days=[row], totals=[])
    assert ggr.as_csv(out).splitlines()[1] == "2026-12-01,EUR,18.25,25.50,5.00,-12.25,0.00,-12.25,0.00,0.00,0"
