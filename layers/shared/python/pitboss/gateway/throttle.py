"""Rate limits on the gateway's open doors (register, login, forgot-password, resend-activation, the links):
per client address and per account, each a sharded counter in a fixed window (brand setting
`rate_limits`), answered 429 `{"result": "TOO_MANY_REQUESTS"}` with Retry-After; and the per-address quota
of reset and activation messages (brand setting `messages_per_address_per_hour`), which never changes the
answer.

A check costs one BatchGetItem (the shards of both counters) and, while under the limits, one UpdateItem
per counter; over a limit nothing is written, so a flood turns into reads."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pitboss import clock
from pitboss.errors import RateLimited
from pitboss.gateway.entity import Window, client_network
from pitboss.gateway.repository import Op, guards
from pitboss.gateway.sessions import Front
from pitboss.observability import logger

Action = Literal["registration", "login", "forgot_password", "resend_activation", "verify_link"]
QUOTA_HOUR = 3600


def check(front: Front, action: Action, account: str | None = None) -> None:
    """Counts this request against the brand's limits for `action`: per client address and, when the request
    names one, per account (a username, an address, a player, a link). RateLimited once either is spent."""
    limit = getattr(front.settings.rate_limits, action)
    now = clock.now()
    window = Window.at(now, limit.window_seconds)
    wanted: list[tuple[guards.Counter, int]] = []

    def counter(kind: str, subject: str) -> guards.Counter:
        return guards.Counter(front.realm, front.brand.brand_id, action, kind, subject, window.number)

    if limit.per_ip:
        wanted.append((counter("ip", client_network(front.ip)), limit.per_ip))
    if account and limit.per_account:
        wanted.append((counter("account", account.strip().casefold()), limit.per_account))
    if not wanted:
        return
    seen = guards.counts([c for c, _ in wanted])
    for (c, allowed), count in zip(wanted, seen, strict=True):
        if count >= allowed:
            logger.info("rate limited", extra={"brand_id": front.brand.brand_id, "action": action, "kind": c.kind})
            raise RateLimited(window.retry_after(now))
    for c, _ in wanted:
        guards.add(c, window.ttl())


def message_quota(front: Front, address: str, now: datetime, *, enforce: bool = True) -> Op:
    """The write that takes one of this hour's messages to `address`, in the message's own transaction: when
    the quota is spent it cancels that transaction, and the flow answers as if it had sent. Not `enforce`d:
    counted only (a registration's activation email: the address is new to the brand)."""
    hour = Window.at(now, QUOTA_HOUR)
    limit = front.settings.messages_per_address_per_hour if enforce else None
    return guards.message_quota(front.realm, address, hour.number, limit, hour.ttl(timedelta(hours=1)))


def quota_spent(now: datetime) -> RateLimited:
    """A message that must go (a mobile code the player waits for) past its address's hourly quota: 429
    until the hour ends (the player's own number: nothing to hide)."""
    return RateLimited(Window.at(now, QUOTA_HOUR).retry_after(now))
