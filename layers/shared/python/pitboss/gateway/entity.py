"""The gateway's guard entities, pure (no I/O, no clock reads: `now` is passed in): the fixed windows rate
limits and message quotas count in, the client network a request is counted against, and the lockout's
state as its items say it."""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pitboss import clock

IPV6_NETWORK = 64  # one IPv6 client holds a whole /64: counting single addresses would count nothing


@dataclass(frozen=True)
class Window:
    """A fixed window of `seconds` aligned to the epoch: its number and when it ends."""

    number: int
    ends: datetime

    @classmethod
    def at(cls, now: datetime, seconds: int) -> Window:
        number = int(now.timestamp()) // seconds
        return cls(number=number, ends=datetime.fromtimestamp((number + 1) * seconds, tz=UTC))

    def retry_after(self, now: datetime) -> int:
        """Whole seconds until the window ends, rounded up and at least 1 (the Retry-After header)."""
        return max(1, math.ceil((self.ends - now).total_seconds()))

    def ttl(self, grace: timedelta = timedelta(minutes=5)) -> int:
        return int((self.ends + grace).timestamp())


def client_network(ip: str) -> str:
    """What a client is counted as: its IPv4 address, or its IPv6 /64 (anything unreadable as itself)."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ip.strip()[:64] or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/{IPV6_NETWORK}", strict=False))
    return str(address)


@dataclass(frozen=True)
class LockState:
    """What the lockout's items say at `now`: the (account, address) pair's lock and the account's."""

    pair_until: str | None
    account_until: str | None

    @classmethod
    def of(cls, pair: dict[str, Any] | None, accounts: list[dict[str, Any] | None], now: datetime) -> LockState:
        now_iso = clock.iso(now)

        def live(item: dict[str, Any] | None) -> str | None:
            until = (item or {}).get("locked_until")
            return str(until) if until and str(until) > now_iso else None

        ends = [u for u in (live(a) for a in accounts) if u]
        return cls(pair_until=live(pair), account_until=max(ends) if ends else None)

    @property
    def until(self) -> str | None:
        """The lock in force (the later one when both are), else None."""
        found = [u for u in (self.pair_until, self.account_until) if u]
        return max(found) if found else None


def lock_buckets(now: datetime, minutes: int) -> tuple[int, int]:
    """The account-lock windows to read: the current one and the one before it (a lock set late in the
    previous window lasts into this one). Each is `minutes` long, the brand's lockout."""
    current = int(now.timestamp()) // (minutes * 60)
    return current, current - 1
