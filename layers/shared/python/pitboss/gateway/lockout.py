"""The login lockout: every password check (login, change password) is reserved before it runs, so
parallel guesses never get more than `login_max_failures` checks; the check that takes the last slot locks
the credentials for `login_lockout_minutes`."""

from __future__ import annotations

import contextlib

from pitboss import clock, retry
from pitboss.errors import ConcurrentUpdate, Conflict, LoginRefused
from pitboss.gateway import passwords, repository, rules
from pitboss.gateway.sessions import Caller
from pitboss.observability import logger
from pitboss.tenancy import Brand

MAX_ATTEMPTS = 4


def locked(until: str) -> LoginRefused:
    return LoginRefused("ACCOUNT_LOCKED", retry_after=rules.retry_after(until, clock.now()))


def reserve_attempt(pk: str, brand: Brand) -> str | None:
    """Reserves one password check before it runs, atomically: `ADD failures 1` only while fewer than
    `login_max_failures` checks are counted and no lock is in force, so parallel guesses can never get more
    than the limit checked. The attempt that takes the last slot sets `locked_until` at once (a right
    password on it still logs in and clears the lock); a right password resets the count. Refused:
    ACCOUNT_LOCKED. Returns the lock this attempt set (its failure answers ACCOUNT_LOCKED), else None."""
    limit = brand.settings.login_max_failures
    for _attempt in retry.attempts(MAX_ATTEMPTS, what="credentials"):
        now = clock.now()
        now_iso = clock.iso(now)
        lock_until = clock.iso(rules.lock_ends(now, brand.settings))
        try:
            item = repository.reserve_check(pk, limit, now_iso)
        except Conflict:
            current = repository.credentials_at(pk)
            if current is None:
                raise LoginRefused("INVALID_CREDENTIALS") from None
            until = current.get("locked_until")
            if until and until > now_iso:
                raise locked(str(until)) from None
            try:
                if not until:  # the limit is taken by checks in flight (or lost ones): lock now
                    repository.set_lock(pk, limit, now_iso, lock_until)
                    raise locked(lock_until) from None
                # the lock ran out: the first attempt to notice starts the count again, with itself
                item = repository.restart_count(pk, str(until))
            except Conflict:
                continue  # another attempt moved the item first: decide again
        if int(item.get("failures", 0)) < limit:
            return None
        with contextlib.suppress(Conflict):  # a parallel refusal set the lock first; this attempt keeps its slot
            repository.set_lock(pk, limit, now_iso, lock_until)
        logger.info("login locked", extra={"brand_id": brand.brand_id})
        return lock_until
    raise ConcurrentUpdate("the credentials changed concurrently; retry")


def clear_failures(pk: str) -> None:
    """A right password releases the attempt it reserved (and any lock it set). Gone or busy: the count
    then stays until the next right password."""
    with contextlib.suppress(Conflict, ConcurrentUpdate):
        repository.clear_failures(pk)


def confirm(caller: Caller, password: str) -> bool:
    """A password check on a session's behalf (change password, an email change the brand guards): reserved
    like a login's, so a wrong password counts toward the lockout and a stolen session is no uncounted
    password oracle. True: right (the reservation is released). False: wrong. Locked: ACCOUNT_LOCKED."""
    creds = caller.credentials
    if not creds.get("pk"):
        passwords.verify(None, password)
        return False
    locked_until = reserve_attempt(str(creds["pk"]), caller.brand)
    if not passwords.verify(creds.get("password_hash"), password):
        if locked_until:
            raise locked(locked_until)
        return False
    clear_failures(str(creds["pk"]))
    return True
