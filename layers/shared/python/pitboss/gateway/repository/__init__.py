"""The gateway's items and how they are read and written: SESSION, CREDENTIALS, LINK, the outbox rows and
the (brand, username/email) pointers it looks players up by. With its modules (`mailing`: links and the
outbox; `guards`: counters and lockouts) the only gateway code that knows keys, expressions and conditions
(it uses pitboss.store; the profile itself is pitboss.identity's).

| item        | pk                           | sk                      |
|-------------|------------------------------|-------------------------|
| session     | SESSION#{sha256(token)}      | SESSION                 |
| credentials | {realm}#P#{user_id}          | CREDENTIALS             |
| link        | LINK#{sha256(token)}         | LINK                    |
| outbox row  | {realm}#OUTBOX, LOCAL#OUTBOX | MSG#{iso}#{ulid}        |"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from pitboss import clock, keys, retry, store
from pitboss.errors import ConcurrentUpdate, TransactionCancelled
from pitboss.identity.entity import Player
from pitboss.tenancy import Brand, Mode

Op = store.Op
SESSION_SK = "SESSION"
CREDENTIALS_SK = "CREDENTIALS"
CONFLICT_RETRIES = 4
NEW = "attribute_not_exists(pk)"
EXISTS = "attribute_exists(pk)"
T = TypeVar("T")


def token_hash(secret: str) -> str:
    """How a secret handed to the player is kept in an item: only its SHA-256."""
    return keys.sha256(secret)


def realm_of(brand: Brand, mode: Mode = "live") -> str:
    """Gateway players are real players: they live in the brand tenant's realm of the request's mode (`live`
    unless the front end sends a publishable test key)."""
    return keys.realm(brand.tenant_id, mode)


def retry_conflicts(action: Callable[[], T], attempts: int = CONFLICT_RETRIES) -> T:
    """Runs one write, again (bounded, full jitter) when DynamoDB refused it only because another
    transaction held the item (TransactionConflict): a plain UpdateItem on an item inside an in-flight
    TransactWriteItems, or two overlapping transactions. A cancellation for a failed condition is the
    caller's to read and passes through; conflicts that outlast the retries are ConcurrentUpdate (409)."""
    for _attempt in retry.attempts(attempts, what="conflict"):
        try:
            return action()
        except TransactionCancelled as exc:
            if not exc.is_conflict or any(r == "ConditionalCheckFailed" for r in exc.reasons):
                raise
        except ConcurrentUpdate:
            pass
    raise ConcurrentUpdate("the item is busy; retry")


def commit(ops: list[Op], *, retrying: bool = False) -> None:
    """One transaction; `retrying`: again while only a TransactionConflict refused it (retry_conflicts)."""
    if retrying:
        retry_conflicts(lambda: store.transact(ops))
    else:
        store.transact(ops)


# ---- pointers and the player's items -----------------------------------------------------------


def pointers_taken(realm: str, brand_id: int, username: str, email: str) -> tuple[bool, bool]:
    """Whether the brand's username and email pointers exist (one BatchGetItem)."""
    wanted = [
        (keys.username_pk(realm, brand_id, username), keys.UNIQUE),
        (keys.email_pk(realm, brand_id, email), keys.UNIQUE),
    ]
    found = store.batch_get(wanted)
    return found.get(wanted[0]) is not None, found.get(wanted[1]) is not None


def user_id_by_username(realm: str, brand_id: int, username: str) -> str | None:
    pointer = store.get(keys.username_pk(realm, brand_id, username), keys.UNIQUE)
    return str(pointer["user_id"]) if pointer else None


def user_id_by_email(realm: str, brand_id: int, email: str) -> str | None:
    pointer = store.get(keys.email_pk(realm, brand_id, email), keys.UNIQUE)
    return str(pointer["user_id"]) if pointer else None


@dataclass(frozen=True)
class Account:
    """A player's profile, credentials and wallet items as read together (any may be missing), and the other
    items asked for in the same read (the lockout's)."""

    profile: dict[str, Any] | None
    credentials: dict[str, Any] | None
    wallet: dict[str, Any] | None
    also: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


def account(realm: str, user_id: str, also: list[tuple[str, str]] | None = None) -> Account:
    """Profile, credentials and wallet (and the `also` items) in one BatchGetItem."""
    pk = keys.player_pk(realm, user_id)
    items = store.batch_get([(pk, keys.PROFILE), (pk, CREDENTIALS_SK), (pk, keys.WALLET), *(also or [])])
    return Account(
        items.get((pk, keys.PROFILE)),
        items.get((pk, CREDENTIALS_SK)),
        items.get((pk, keys.WALLET)),
        {k: items[k] for k in also or [] if k in items},
    )


# ---- credentials -------------------------------------------------------------------------------


def credentials(realm: str, user_id: str) -> dict[str, Any] | None:
    return store.get(keys.player_pk(realm, user_id), CREDENTIALS_SK)


def credentials_at(pk: str) -> dict[str, Any] | None:
    return store.get(pk, CREDENTIALS_SK)


def new_credentials(realm: str, user_id: str, password_hash: str, *, epoch: int = 1) -> Op:
    item = {
        "pk": keys.player_pk(realm, user_id),
        "sk": CREDENTIALS_SK,
        "kind": "credentials",
        "password_hash": password_hash,
        "password_changed_at": clock.iso(clock.now()),
        "password_change_required": False,
        "epoch": epoch,
    }
    return store.Put(item, condition=NEW)


def password_change(
    creds: dict[str, Any], password_hash: str, epoch: int, *, temporary: bool = False, reset_link: str | None = None
) -> Op:
    """The new password and a new epoch (sessions of older epochs end, and so does every reset link: they are
    bound to the epoch they were sent in), only if nobody changed the credentials since they were read; with
    `reset_link` (a reset) only while that link is the latest one sent. A temporary password must be changed
    next; any new password lifts a forced reset."""
    condition = "epoch = :old"
    values = {
        ":h": password_hash,
        ":now": clock.iso(clock.now()),
        ":required": temporary,
        ":new": epoch,
        ":old": int(creds.get("epoch", 0)),
    }
    if reset_link is not None:
        condition += " AND reset_link = :link"
        values[":link"] = reset_link
    return store.Update(
        creds["pk"],
        CREDENTIALS_SK,
        "SET password_hash = :h, password_changed_at = :now, password_change_required = :required, "
        "epoch = :new REMOVE reset_link, password_reset_required",
        condition=condition,
        values=values,
    )


def latest_reset_link(realm: str, user_id: str, token: str) -> Op:
    """A new forgot-password link supersedes every older one: the credentials remember only the latest
    (a player the operator created, with no password yet, gets credentials holding just that and epoch 0)."""
    return store.Update(
        keys.player_pk(realm, user_id),
        CREDENTIALS_SK,
        "SET reset_link = :link, epoch = if_not_exists(epoch, :zero)",
        values={":link": token_hash(token), ":zero": 0},
    )


def new_epoch(creds: dict[str, Any], *, force_reset: bool = False) -> tuple[int, Op]:
    """The credentials' next epoch, and the write that moves them there only if nobody did meanwhile: every
    session of an older epoch ends and every reset link dies. `force_reset`: the next login must go
    through a reset link (401 PASSWORD_CHANGE_REQUIRED until then)."""
    epoch = int(creds.get("epoch", 0)) + 1
    expression = "SET epoch = :new" + (", password_reset_required = :t" if force_reset else "") + " REMOVE reset_link"
    values: dict[str, Any] = {":new": epoch, ":old": int(creds.get("epoch", 0))}
    if force_reset:
        values[":t"] = True
    return epoch, store.Update(creds["pk"], CREDENTIALS_SK, expression, condition="epoch = :old", values=values)


def login_succeeded(creds: dict[str, Any]) -> Op:
    """A right password: when the player last logged in (the lockout's count goes in the same transaction)."""
    now = clock.iso(clock.now())
    return store.Update(creds["pk"], CREDENTIALS_SK, "SET last_login_at = :now", condition=EXISTS, values={":now": now})


# ---- sessions ----------------------------------------------------------------------------------


def new_session(
    token: str,
    player: Player,
    *,
    brand_id: int,
    epoch: int,
    now: datetime,
    idle_until: datetime,
    baseline: dict[str, Any],
) -> Op:
    """The session stored under its token's hash (the caller commits it with its other writes)."""
    item = {
        "pk": keys.session_pk(token),
        "sk": SESSION_SK,
        "kind": "session",
        "realm": player.realm,
        "user_id": player.user_id,
        "player_id": player.player_id,
        "brand_id": brand_id,
        "epoch": epoch,
        "created_at": clock.iso(now),
        "last_seen_at": clock.iso(now),
        "reality_check_at": clock.iso(now),
        "baseline": baseline,
        "idle_until": clock.iso(idle_until),
        "ttl": int(idle_until.timestamp()),
        # The player's sessions list (index `lists`): the operator console shows and ends them.
        "list_pk": keys.gateway_sessions_pk(player.realm, player.user_id),
        "list_sk": clock.iso(now),
    }
    return store.Put(item, condition=NEW)


def session(token: str) -> dict[str, Any] | None:
    return store.get(keys.session_pk(token), SESSION_SK)


def touch(session_item: dict[str, Any], now: datetime, idle_until: datetime) -> dict[str, Any]:
    """Moves the idle deadline (and the item's ttl); Conflict when the session is gone."""
    return store.update(
        session_item["pk"],
        SESSION_SK,
        "SET last_seen_at = :now, idle_until = :idle, #ttl = :ttl",
        condition=EXISTS,
        names={"#ttl": "ttl"},
        values={":now": clock.iso(now), ":idle": clock.iso(idle_until), ":ttl": int(idle_until.timestamp())},
    )


def session_epoch(session_item: dict[str, Any], epoch: int) -> Op:
    """The session follows its player's new credentials epoch (it survives the password change)."""
    return store.Update(session_item["pk"], SESSION_SK, "SET epoch = :e", condition=EXISTS, values={":e": epoch})


def session_at(pk: str) -> dict[str, Any] | None:
    """A session by its item key (an email-change link names the session that asked for it)."""
    return store.get(pk, SESSION_SK)


def mark_reality_check(session_item: dict[str, Any], now: datetime, last: str) -> None:
    """Restarts the reality-check clock, only if nobody did since `last` (else Conflict)."""
    store.update(
        session_item["pk"],
        SESSION_SK,
        "SET reality_check_at = :now",
        condition="reality_check_at = :last",
        values={":now": clock.iso(now), ":last": last},
    )


def end_session(token: str, brand_id: int) -> bool:
    """Deletes the brand's session; False when there is none (unknown, ended, or another brand's)."""
    delete = store.Delete(
        keys.session_pk(token), SESSION_SK, condition=f"{EXISTS} AND brand_id = :b", values={":b": brand_id}
    )
    try:
        retry_conflicts(lambda: store.transact([delete]))
    except TransactionCancelled as exc:
        if exc.failed(0):
            return False
        raise
    return True


def player_sessions(realm: str, user_id: str) -> list[dict[str, Any]]:
    """A player's sessions, newest first (the `lists` index, then one BatchGetItem: the index is keys only
    and eventually consistent, so an ended session is simply not found)."""
    page = store.query(
        keys.gateway_sessions_pk(realm, user_id),
        index=keys.LISTS_INDEX,
        pk_name="list_pk",
        sk_name="list_sk",
        forward=False,
        limit=100,
    )
    found = store.batch_get([(i["pk"], i["sk"]) for i in page.items])
    return sorted(found.values(), key=lambda s: str(s.get("created_at", "")), reverse=True)


def session_delete(session_item: dict[str, Any]) -> Op:
    """Ends a session found in a player's list, only if it is still there (an operator's action)."""
    return store.Delete(session_item["pk"], SESSION_SK, condition=EXISTS)


# ---- publishable brand keys (issue 11 #12) -----------------------------------------------------------
# | item            | pk                         | sk    | attributes                                       |
# | publishable key | WPK#{sha256(key)}          | WPK   | tenant_id, brand_id, mode, prefix, created_at     |

PUBLISHABLE_SK = "WPK"


def publishable_pk(raw: str) -> str:
    return f"WPK#{keys.sha256(raw)}"


def new_publishable_key(raw: str, record: dict[str, Any]) -> None:
    store.transact([store.Put({"pk": publishable_pk(raw), "sk": PUBLISHABLE_SK, **record}, condition=NEW)])


def publishable_key(raw: str) -> dict[str, Any] | None:
    return store.get(publishable_pk(raw), PUBLISHABLE_SK)
