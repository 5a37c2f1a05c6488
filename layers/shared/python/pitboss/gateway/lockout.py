"""The login lockout, per (account, client address): every password check (login, change password, a guarded
email change) is reserved before it runs, so parallel guesses from one address never get more than
`login_max_failures` checks; the check that takes the last slot locks that address out of the account for
`login_lockout_minutes`. The account itself locks (for everyone) only once `login_lock_ips` addresses
are locked out of it within one lockout window: a stranger can't lock an account from one address.

Known and unknown usernames take the same path: a name nobody has is counted like an account (by a digest
of it), so it locks after the same failures and answers ACCOUNT_LOCKED alike, and every attempt costs
exactly one argon2 verification, locked or not, known or not (issue 10 #5)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pitboss import clock, retry
from pitboss.errors import ConcurrentUpdate, Conflict, LoginRefused
from pitboss.gateway import passwords, rules
from pitboss.gateway.entity import LockState, client_network, lock_buckets
from pitboss.gateway.repository import Op, guards
from pitboss.gateway.sessions import Caller, Front
from pitboss.observability import logger

MAX_ATTEMPTS = 4
Key = guards.Key


@dataclass(frozen=True)
class Guard:
    """The lockout items of one (account, address): what to read with the account, and where to count."""

    front: Front
    account: str
    network: str
    pair: Key
    buckets: list[Key] = field(default_factory=list)

    @classmethod
    def of(cls, front: Front, user_id: str | None, ident: str = "") -> Guard:
        account = guards.account_id(front.brand.brand_id, user_id, ident)
        network = client_network(front.ip)
        buckets = lock_buckets(clock.now(), front.settings.login_lockout_minutes)
        return cls(
            front=front,
            account=account,
            network=network,
            pair=guards.pair_key(front.realm, account, network),
            buckets=guards.account_keys(front.realm, account, buckets),
        )

    @property
    def keys(self) -> list[Key]:
        """The items to read with the account (in its BatchGetItem: no extra round trip)."""
        return [self.pair, *self.buckets]

    def state(self, found: dict[Key, dict[str, Any]]) -> LockState:
        return LockState.of(found.get(self.pair), [found.get(k) for k in self.buckets], clock.now())


@dataclass(frozen=True)
class Attempt:
    """A reserved password check: refused (a lock in force until `refused_until`), or counted; `locks_until`
    when it took the last slot (its failure locks the address out)."""

    guard: Guard
    refused_until: str | None = None
    locks_until: str | None = None

    def release(self) -> Op:
        """A right password: the (account, address) count goes, in the caller's transaction."""
        return guards.forget_op(self.guard.pair)


def locked(until: str) -> LoginRefused:
    return LoginRefused("ACCOUNT_LOCKED", retry_after=rules.retry_after(until, clock.now()))


def reserve(guard: Guard, state: LockState) -> Attempt:
    """Reserves one password check before it runs, atomically: `ADD failures 1` on the (account, address)
    item only while fewer than `login_max_failures` checks are counted and no lock is in force, so parallel
    guesses can never get more than the limit checked. A lock in force (the pair's or the account's, as read
    with the account) refuses at once. The attempt that takes the last slot locks the pair at once (a right
    password on it still logs in)."""
    if state.until:
        return Attempt(guard, refused_until=state.until)
    settings = guard.front.settings
    limit = settings.login_max_failures
    for _attempt in retry.attempts(MAX_ATTEMPTS, what="lockout"):
        now = clock.now()
        now_iso = clock.iso(now)
        lock_until = clock.iso(rules.lock_ends(now, settings))
        ttl = int((rules.lock_ends(now, settings) + timedelta(minutes=settings.login_lockout_minutes)).timestamp())
        try:
            item = guards.reserve(guard.pair, limit, now_iso, ttl)
        except Conflict:
            current = guards.get(guard.pair) or {}
            until = current.get("locked_until")
            if until and str(until) > now_iso:
                return Attempt(guard, refused_until=str(until))
            try:
                if not until:  # the limit is taken by checks in flight (or lost ones): lock now
                    guards.lock(guard.pair, limit, now_iso, lock_until, ttl)
                    return Attempt(guard, refused_until=lock_until)
                # the lock ran out: the first attempt to notice starts the count again, with itself
                item = guards.restart(guard.pair, str(until), ttl)
            except Conflict:
                continue  # another attempt moved the item first: decide again
        if int(item.get("failures", 0)) < limit:
            return Attempt(guard)
        with contextlib.suppress(Conflict):  # a parallel refusal set the lock first; this attempt keeps its slot
            guards.lock(guard.pair, limit, now_iso, lock_until, ttl)
        return Attempt(guard, locks_until=lock_until)
    raise ConcurrentUpdate("the lockout changed concurrently; retry")


def failed(attempt: Attempt) -> LoginRefused:
    """A wrong password (or no such account): INVALID_CREDENTIALS, or ACCOUNT_LOCKED when this attempt took
    the last slot; then the address counts as locked out of the account, which locks for everyone once
    `login_lock_ips` addresses are."""
    if attempt.locks_until is None:
        return LoginRefused("INVALID_CREDENTIALS")
    guard, settings = attempt.guard, attempt.guard.front.settings
    now = clock.now()
    ttl = int((now + 2 * timedelta(minutes=settings.login_lockout_minutes)).timestamp())
    current = guard.buckets[0]
    with contextlib.suppress(Conflict, ConcurrentUpdate):  # bookkeeping: the pair's own lock already stands
        if guards.locked_out(current, guard.network, ttl) >= settings.login_lock_ips:
            guards.lock_account(current, clock.iso(now), attempt.locks_until, ttl)
            logger.info("account locked", extra={"brand_id": guard.front.brand.brand_id})
    logger.info("login locked", extra={"brand_id": guard.front.brand.brand_id})
    return locked(attempt.locks_until)


def clear(attempt: Attempt) -> None:
    """A right password outside a session's transaction: the count goes. Busy: it stays until the next one."""
    with contextlib.suppress(Conflict, ConcurrentUpdate):
        guards.forget(attempt.guard.pair)


def check(guard: Guard, state: LockState, password_hash: str | None, password: str) -> Attempt:
    """One password check, reserved: exactly one argon2 verification whatever happens (a lock in force, an
    unknown account: against a dummy hash), so neither the answer nor its cost tells them apart. Raises
    ACCOUNT_LOCKED, or the failure's refusal; returns the counted attempt of a right password."""
    attempt = reserve(guard, state)
    right = passwords.verify(password_hash if attempt.refused_until is None else None, password)
    if attempt.refused_until is not None:
        raise locked(attempt.refused_until)
    if not right:
        raise failed(attempt)
    return attempt


def confirm(caller: Caller, password: str) -> bool:
    """A password check on a session's behalf (change password, an email change the brand guards): counted
    like a login's, so a wrong password counts toward the lockout and a stolen session is no uncounted
    password oracle. True: right (the count goes). False: wrong. Locked: ACCOUNT_LOCKED."""
    guard = Guard.of(caller.front, caller.player.user_id)
    state = guard.state(guards.read(guard.keys))
    try:
        attempt = check(guard, state, caller.credentials.get("password_hash"), password)
    except LoginRefused as refused:
        if refused.code == "INVALID_CREDENTIALS":
            return False
        raise
    clear(attempt)
    return True
