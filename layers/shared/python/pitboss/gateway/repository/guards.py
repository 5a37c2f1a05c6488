"""The gateway's flood and guessing guards as items: rate-limit counters, the per-address message quota and
the lockout's items. Every one of them is transient and carries a `ttl`; none names a person in its key
(addresses, usernames and client addresses appear only as truncated SHA-256 digests).

| item                   | pk                                                                  | sk         |
|------------------------|---------------------------------------------------------------------|------------|
| rate-limit counter     | {realm}#RL#{brand}#{action}#{kind}#{digest}#{window}#S{shard}       | COUNT      |
| message quota          | {realm}#MSGQ#{digest(address)}                                      | H{hour}    |
| lockout: (account, IP) | {realm}#LOGIN#{account}                                             | IP#{digest}|
| lockout: the account   | {realm}#LOGIN#{account}                                             | ACCT#{n}   |

Counters are sharded (design note "Counters and aggregates"): a request adds one to a shard chosen at
random and the count is the sum of the shards, read in one BatchGetItem, so no single item takes a flood's
writes. Once a limit is reached nothing more is written, only read."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pitboss import keys, store
from pitboss.gateway.repository import Op, retry_conflicts

SHARDS = 4
COUNT_SK = "COUNT"
DIGEST = 32  # hex characters of SHA-256 kept in keys: enough to never collide by accident
NOT_LOCKED = "attribute_not_exists(locked_until) OR locked_until <= :now"
Key = tuple[str, str]


def digest(value: str) -> str:
    return keys.sha256(value)[:DIGEST]


# ---- rate-limit counters -------------------------------------------------------------------------


@dataclass(frozen=True)
class Counter:
    """One limit's count in one window: the shards of (brand, action, kind, subject)."""

    realm: str
    brand_id: int
    action: str
    kind: str  # "ip" or "account"
    subject: str
    window: int

    def shard_pk(self, shard: int) -> str:
        base = f"{self.realm}#RL#{self.brand_id}#{self.action}#{self.kind}#{digest(self.subject)}"
        return f"{base}#{self.window}#S{shard}"

    def shard_keys(self) -> list[Key]:
        return [(self.shard_pk(i), COUNT_SK) for i in range(SHARDS)]


def counts(counters: list[Counter]) -> list[int]:
    """Each counter's sum over its shards, all in one BatchGetItem (eventually consistent: a limit may let
    a few concurrent requests past, never a flood)."""
    found = store.batch_get([k for c in counters for k in c.shard_keys()], consistent=False)
    return [sum(int((found.get(k) or {}).get("n", 0)) for k in c.shard_keys()) for c in counters]


def add(counter: Counter, ttl: int) -> None:
    """One more on a shard chosen at random; the item goes away after `ttl` (the window's end)."""
    store.update(
        counter.shard_pk(secrets.randbelow(SHARDS)),
        COUNT_SK,
        "ADD n :one SET #ttl = :ttl",
        names={"#ttl": "ttl"},
        values={":one": 1, ":ttl": ttl},
    )


# ---- message quota -------------------------------------------------------------------------------


def message_quota(realm: str, address: str, hour: int, limit: int | None, ttl: int) -> Op:
    """One more message to `address` this hour, only while fewer than `limit` went (part of the message's
    own transaction, so parallel requests can't get past it; a refusal cancels the message). No `limit`:
    counted, never refused (the activation email of a registration)."""
    values: dict[str, Any] = {":one": 1, ":ttl": ttl}
    condition = None
    if limit is not None:
        condition, values[":max"] = "attribute_not_exists(n) OR n < :max", limit
    return store.Update(
        f"{realm}#MSGQ#{digest(address.casefold())}",
        f"H{hour}",
        "ADD n :one SET #ttl = :ttl",
        condition=condition,
        names={"#ttl": "ttl"},
        values=values,
    )


# ---- the lockout ---------------------------------------------------------------------------------


def account_id(brand_id: int, user_id: str | None, ident: str) -> str:
    """Whose failures are counted: a known player by id (so username and email share one count); a name
    nobody has by a digest of it, so an unknown username locks exactly like a known one."""
    return user_id if user_id is not None else "x" + digest(f"{brand_id}:{ident.strip().casefold()}")


def login_pk(realm: str, account: str) -> str:
    return f"{realm}#LOGIN#{account}"


def pair_key(realm: str, account: str, network: str) -> Key:
    return (login_pk(realm, account), f"IP#{digest(network)}")


def account_keys(realm: str, account: str, buckets: Iterable[int]) -> list[Key]:
    return [(login_pk(realm, account), f"ACCT#{b}") for b in buckets]


def reserve(key: Key, limit: int, now: str, ttl: int) -> dict[str, Any]:
    """`ADD failures 1` while fewer than `limit` checks are counted and no lock is in force (else Conflict)."""
    condition = f"(attribute_not_exists(failures) OR failures < :max) AND ({NOT_LOCKED})"
    return _update(key, "ADD failures :one SET #ttl = :ttl", condition, {":one": 1, ":max": limit, ":now": now}, ttl)


def restart(key: Key, seen_until: str, ttl: int) -> dict[str, Any]:
    """The lock seen has run out: the count starts again at one (else Conflict: someone moved first)."""
    return _update(
        key, "SET failures = :one, #ttl = :ttl REMOVE locked_until", "locked_until = :seen",
        {":one": 1, ":seen": seen_until}, ttl,
    )  # fmt: skip


def lock(key: Key, limit: int, now: str, until: str, ttl: int) -> None:
    """Locks (account, address) until `until` while `limit` checks are counted and no lock is in force."""
    condition = f"failures >= :max AND ({NOT_LOCKED})"
    values = {":max": limit, ":now": now, ":until": until}
    _update(key, "SET locked_until = :until, #ttl = :ttl", condition, values, ttl)


def locked_out(key: Key, network: str, ttl: int) -> int:
    """Records that one more address is locked out of the account (in this lockout window's item); the
    number of distinct addresses locked out so far."""
    item = _update(key, "ADD ips :ip SET #ttl = :ttl", None, {":ip": {digest(network)}}, ttl)
    return len(item.get("ips") or ())


def lock_account(key: Key, now: str, until: str, ttl: int) -> None:
    _update(key, "SET locked_until = :until, #ttl = :ttl", NOT_LOCKED, {":now": now, ":until": until}, ttl)


def forget(key: Key) -> None:
    """A right password: the (account, address) count goes."""
    retry_conflicts(lambda: store.transact([forget_op(key)]))


def forget_op(key: Key) -> Op:
    return store.Delete(key[0], key[1])


def get(key: Key) -> dict[str, Any] | None:
    return store.get(*key)


def read(wanted: list[Key]) -> dict[Key, dict[str, Any]]:
    """The lockout items of a check made outside a login (one BatchGetItem)."""
    return store.batch_get(wanted)


def _update(key: Key, expression: str, condition: str | None, values: dict[str, Any], ttl: int) -> dict[str, Any]:
    values = {**values, ":ttl": ttl}
    return retry_conflicts(
        lambda: store.update(key[0], key[1], expression, condition=condition, names={"#ttl": "ttl"}, values=values)
    )
