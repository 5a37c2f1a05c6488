"""Player sessions and credentials.

A session token is random (secrets.token_urlsafe), handed out once and stored only as its SHA-256
(SESSION#{hash}) with a DynamoDB `ttl`. A request is authenticated by reading the session item and then,
in one BatchGetItem, the player's profile, credentials and wallet; it is refused (401 invalid token) once
the session is idle too long, outlives the player's `session_duration_limit`, belongs to an older
credentials epoch (password changed or reset), or the player's effective state blocks login (an operator
self-exclusion, cool-off, suspension or closure ends every session at once, with no coupling).

Credentials (argon2id hash, failed-login counter, lockout) live in their own item beside the profile
(pk = player pk, sk CREDENTIALS), never on the profile."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from pitboss import clock, keys, retry, store, tenancy
from pitboss.errors import ConcurrentUpdate, Conflict, TransactionCancelled
from pitboss.gateway import responses
from pitboss.http import HttpError
from pitboss.identity import gates as rules
from pitboss.identity.entity import Player
from pitboss.tenancy import Brand
from pitboss.wallet.ledger import Stats, Wallet

SESSION_SK = "SESSION"
CREDENTIALS_SK = "CREDENTIALS"
TOKEN_MAX = 200
TOUCH_EVERY = timedelta(seconds=60)  # idle-timeout bookkeeping: at most one write a minute per session
MAX_SESSION = timedelta(hours=24)  # absolute lifetime, whatever the player's own limit
VERSIONS = frozenset({"v1", "1"})
_BRAND_RE = re.compile(r"^[0-9]{1,10}$")
CONFLICT_RETRIES = 4
T = TypeVar("T")


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


def check_version(version: str) -> None:
    if version.lower() not in VERSIONS:
        raise HttpError(400, responses.INVALID_VERSION)


def brand_of(raw: str | int | None) -> Brand:
    """The brand a path (or body) names; 400 `invalid input - invalid brand id` for anything else."""
    text = str(raw).strip() if raw is not None else ""
    if not _BRAND_RE.match(text) or not 1 <= int(text) <= 2**31 - 1:
        raise responses.invalid_brand()
    brand = tenancy.get_brand(int(text))
    if brand is None:
        raise responses.invalid_brand()
    return brand


def realm_of(brand: Brand) -> str:
    """Gateway players are real players: they live in the brand tenant's `live` realm."""
    return keys.realm(brand.tenant_id, "live")


def credentials_key(realm: str, user_id: str) -> tuple[str, str]:
    return (keys.player_pk(realm, user_id), CREDENTIALS_SK)


def credentials_item(realm: str, user_id: str, password_hash: str, *, epoch: int = 1) -> dict[str, Any]:
    pk, sk = credentials_key(realm, user_id)
    return {
        "pk": pk,
        "sk": sk,
        "kind": "credentials",
        "password_hash": password_hash,
        "password_changed_at": clock.iso(clock.now()),
        "password_change_required": False,
        "failures": 0,
        "locked_until": None,
        "epoch": epoch,
    }


def spendable(wallet_item: dict[str, Any] | None, now: datetime) -> tuple[Decimal, Decimal]:
    """Real and bonus as the player may spend them at `now`: a bonus past its expiry is not counted, even
    before the next movement writes its forfeit entry (as the wallet API shows it)."""
    if wallet_item is None:
        return Decimal(0), Decimal(0)
    wallet = Wallet.from_item(wallet_item)
    now_iso = clock.iso(now)
    lapsed = sum((b.balance for b in wallet.bonuses if b.expired(now_iso)), Decimal(0))
    return wallet.real, wallet.bonus - lapsed


def baseline(wallet_item: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    """The wallet's totals when a session starts: online status and reality checks report play since."""
    stats = Stats.of(wallet_item)
    real, bonus = spendable(wallet_item, now)
    return {"stakes": stats.stakes, "wins": stats.wins, "rounds": stats.rounds, "balance": real + bonus}


def new_session(
    realm: str, player: Player, brand: Brand, epoch: int, wallet_item: dict[str, Any] | None = None
) -> tuple[str, store.Put]:
    """A fresh token and the Put that stores its hash (the caller commits it with its other writes)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    idle_until = now + timedelta(minutes=brand.settings.session_idle_minutes)
    item = {
        "pk": keys.session_pk(token),
        "sk": SESSION_SK,
        "kind": "session",
        "realm": realm,
        "user_id": player.user_id,
        "player_id": player.player_id,
        "brand_id": brand.brand_id,
        "epoch": epoch,
        "created_at": clock.iso(now),
        "last_seen_at": clock.iso(now),
        "reality_check_at": clock.iso(now),
        "baseline": baseline(wallet_item, now),
        "idle_until": clock.iso(idle_until),
        "ttl": int(idle_until.timestamp()),
    }
    return token, store.Put(item, condition="attribute_not_exists(pk)")


@dataclass
class Caller:
    """An authenticated player request: the brand, the session and what was read with it."""

    brand: Brand
    realm: str
    token: str
    session: dict[str, Any]
    player: Player
    credentials: dict[str, Any]
    wallet: dict[str, Any] | None
    state: rules.EffectiveState
    now: datetime

    @property
    def session_pk(self) -> str:
        return str(self.session["pk"])

    @property
    def actor(self) -> str:
        return f"player:{self.player.user_id}"


def authenticate(brand: Brand, token: str | None, *, missing_profile: dict[str, str] | None = None) -> Caller:
    """The caller a token names, or 401 `invalid input - invalid token` (missing, unknown, expired, ended)."""
    if not token or len(token) > TOKEN_MAX:
        raise responses.invalid_token()
    now = clock.now()
    now_iso = clock.iso(now)
    session = store.get(keys.session_pk(token), SESSION_SK)
    if session is None or int(session.get("brand_id", 0)) != brand.brand_id:
        raise responses.invalid_token()
    realm = str(session["realm"])
    if realm != realm_of(brand) or session["idle_until"] <= now_iso:
        raise responses.invalid_token()
    created = clock.parse_iso(session["created_at"])
    if now - created >= MAX_SESSION:
        raise responses.invalid_token()
    pk = keys.player_pk(realm, session["user_id"])
    items = store.batch_get([(pk, keys.PROFILE), (pk, CREDENTIALS_SK), (pk, keys.WALLET)])
    profile = items.get((pk, keys.PROFILE))
    if profile is None:
        raise HttpError(404, missing_profile) if missing_profile else responses.invalid_token()
    credentials = items.get((pk, CREDENTIALS_SK)) or {}
    if int(credentials.get("epoch", 0)) != int(session.get("epoch", -1)):
        raise responses.invalid_token()  # the password changed or was reset since this session began
    player = Player.from_item(realm, profile)
    state = rules.effective(player, brand.settings, now)
    if state.blocks.get("login"):
        raise responses.invalid_token()  # an operator closed, suspended or excluded the player
    limit = state.limits.get("session_duration_limit")
    if limit is not None and now - created >= timedelta(minutes=int(limit)):
        raise responses.invalid_token()
    if now - clock.parse_iso(session["last_seen_at"]) >= TOUCH_EVERY:
        session = _touch(session, brand, now)
    return Caller(
        brand=brand,
        realm=realm,
        token=token,
        session=session,
        player=player,
        credentials=credentials,
        wallet=items.get((pk, keys.WALLET)),
        state=state,
        now=now,
    )


def _touch(session: dict[str, Any], brand: Brand, now: datetime) -> dict[str, Any]:
    idle_until = now + timedelta(minutes=brand.settings.session_idle_minutes)
    try:
        return store.update(
            session["pk"],
            SESSION_SK,
            "SET last_seen_at = :now, idle_until = :idle, #ttl = :ttl",
            condition="attribute_exists(pk)",
            names={"#ttl": "ttl"},
            values={":now": clock.iso(now), ":idle": clock.iso(idle_until), ":ttl": int(idle_until.timestamp())},
        )
    except Conflict as exc:  # logged out concurrently
        raise responses.invalid_token() from exc
    except ConcurrentUpdate:  # held by a transaction right now: bookkeeping only, the next request touches
        return session


def end(brand: Brand, token: str | None) -> None:
    """Logout: the session item goes. A missing, unknown or already ended token, or another brand's, is
    401 invalid token, as issue 5 says of every x-auth-token route."""
    if not token or len(token) > TOKEN_MAX:
        raise responses.invalid_token()
    delete = store.Delete(
        keys.session_pk(token),
        SESSION_SK,
        condition="attribute_exists(pk) AND brand_id = :b",
        values={":b": brand.brand_id},
    )
    try:
        retry_conflicts(lambda: store.transact([delete]))
    except TransactionCancelled as exc:
        if exc.failed(0):
            raise responses.invalid_token() from exc
        raise


# ---- login refusals ----------------------------------------------------------------------------

_BLOCK_CODES = (
    ("status:closed", "ACCOUNT_CLOSED"),
    ("self_exclusion", "SELF_EXCLUDED"),
    ("status:self_excluded", "SELF_EXCLUDED"),
    ("cooloff", "COOLING_OFF"),
    ("status:suspended", "ACCOUNT_SUSPENDED"),
)


def login_block_code(reasons: list[str]) -> str:
    for reason, code in _BLOCK_CODES:
        if reason in reasons:
            return code
    return "LOGIN_BLOCKED"
