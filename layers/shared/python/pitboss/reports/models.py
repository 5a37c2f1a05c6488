"""The reports domain's API output: usage figures (integers) per day and in total."""

from __future__ import annotations

from pydantic import Field

from pitboss.tenancy import Mode
from pitboss.types import Model


class Requests(Model):
    """API requests of one surface by operation class (read: GET/HEAD, write: everything else)."""

    read: int = 0
    write: int = 0


class UsageFigures(Model):
    requests: dict[str, Requests] = Field(
        default_factory=dict, description="by surface: `v1` (operator API), `api` (back-office read API), `console`"
    )
    requests_total: int = 0
    ledger_entries: int = Field(default=0, description="ledger entries written (every movement writes one or more)")
    active_players: int = Field(default=0, description="players with at least one ledger entry that day (UTC)")


class UsageDay(UsageFigures):
    date: str = Field(description="the UTC day, YYYY-MM-DD")


class UsageTotal(Model):
    requests: dict[str, Requests] = Field(default_factory=dict)
    requests_total: int = 0
    ledger_entries: int = 0
    active_player_days: int = Field(default=0, description="the days' active players added up")


class UsageReport(Model):
    """One tenant's usage in the key's mode: live is billable, test is shown but never billed."""

    tenant_id: str
    mode: Mode
    billable: bool = Field(description="true for live usage, false for test usage")
    from_date: str = Field(description="the first day, YYYY-MM-DD (UTC)")
    to_date: str = Field(description="the last day, included")
    days: list[UsageDay]
    total: UsageTotal


class GgrRow(Model):
    """One currency's figures of one local day (or of the whole range, in `totals`): decimal strings."""

    date: str | None = Field(default=None, description="the brand's local day; absent in totals")
    currency: str
    stakes: str
    wins: str
    rollbacks: str
    ggr: str = Field(description="stakes - rollbacks - wins")
    bonus_costs: str = Field(description="bonus money converted to real money")
    ngr: str = Field(description="ggr - bonus_costs")
    deposits: str
    withdrawals: str = Field(description="completed withdrawals")
    active_players: int = Field(description="players with at least one bet (in totals: the days added up)")


class GgrReport(Model):
    brand_id: int
    timezone: str = Field(description="the brand's time zone, which defines its days")
    from_date: str
    to_date: str
    days: list[GgrRow]
    totals: list[GgrRow] = Field(description="per currency, over the range")
