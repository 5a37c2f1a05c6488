"""Authenticating a player request: the version and brand it names, and the session its token opens (the
Caller); and opening a new session.

A session token is random (secrets.token_urlsafe), handed out once and stored only as its SHA-256
(SESSION#{hash}) with a DynamoDB `ttl`. A request is authenticated by reading the session item and then,
in one BatchGetItem, the player's profile, credentials and wallet; it is refused (InvalidToken) once the
session is idle too long, outlives the player's `session_duration_limit`, belongs to an older credentials
epoch (password changed or reset), or the player's effective state blocks login (an operator
self-exclusion, cool-off, suspension or closure ends every session at once, with no coupling).

Credentials (argon2id hash, failed-login counter, lockout) live in their own item beside the profile
(pk = player pk, sk CREDENTIALS), never on the profile."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pitboss import clock, identity, tenancy
from pitboss.errors import ConcurrentUpdate, Conflict, InvalidBrand, InvalidToken, InvalidVersion, TransactionCancelled
from pitboss.gateway import repository, wallet_view
from pitboss.identity import gates
from pitboss.identity.entity import Player
from pitboss.tenancy import Brand, BrandSettings, Mode

TOKEN_MAX = 200
TOUCH_EVERY = timedelta(seconds=60)  # idle-timeout bookkeeping: at most one write a minute per session
MAX_SESSION = timedelta(hours=24)  # absolute lifetime, whatever the player's own limit
VERSIONS = ("v1", "1")  # any case
_BRAND_RE = re.compile(r"^[0-9]{1,10}$")
BRAND_MAX = 2**31 - 1


def check_version(version: str) -> None:
    if version.lower() not in VERSIONS:
        raise InvalidVersion()


def brand_of(raw: str | int | None) -> Brand:
    """The brand a path (or body) names; InvalidBrand for anything else."""
    text = str(raw).strip() if raw is not None else ""
    if not _BRAND_RE.match(text) or not 1 <= int(text) <= BRAND_MAX:
        raise InvalidBrand()
    brand = tenancy.get_brand(int(text))
    if brand is None:
        raise InvalidBrand()
    return brand


def admitting_brand_of(raw: str | int | None) -> Brand:
    """The brand of an admission route (register, login). A plug_in brand's operator owns its players'
    accounts (issue 13 §1): its players arrive through the operator API only, so it answers as unknown."""
    brand = brand_of(raw)
    if brand.settings.service_mode == "plug_in":
        raise InvalidBrand()
    return brand


@dataclass(frozen=True)
class Front:
    """Where a gateway request comes from: the brand its path names, the mode (`live`, or `test` when the
    front end sends a publishable test key) and the client's address (rate limits, the lockout)."""

    brand: Brand
    mode: Mode = "live"
    ip: str = "unknown"

    @property
    def realm(self) -> str:
        return repository.realm_of(self.brand, self.mode)

    @property
    def settings(self) -> BrandSettings:
        return self.brand.settings


def open_session(
    player: Player, front: Front, epoch: int, wallet_item: dict[str, Any] | None
) -> tuple[str, repository.Op]:
    """A fresh token and the write that stores its hash (the caller commits it with its other writes)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    idle_until = now + timedelta(minutes=front.settings.session_idle_minutes)
    baseline = wallet_view.baseline(wallet_item, now)
    put = repository.new_session(
        token, player, brand_id=front.brand.brand_id, epoch=epoch, now=now, idle_until=idle_until, baseline=baseline
    )
    return token, put


@dataclass
class Caller:
    """An authenticated player request: where it comes from, the session and what was read with it."""

    front: Front
    realm: str
    token: str
    session: dict[str, Any]
    player: Player
    credentials: dict[str, Any]
    wallet: dict[str, Any] | None
    state: gates.EffectiveState
    now: datetime

    @property
    def brand(self) -> Brand:
        return self.front.brand

    @property
    def actor(self) -> str:
        return f"player:{self.player.user_id}"


def authenticate(front: Front, token: str | None, *, missing: Callable[[], Exception] = InvalidToken) -> Caller:
    """The caller a token names, or InvalidToken (missing, unknown, expired, ended); `missing` when the
    session is live but the player's profile is gone."""
    if not token or len(token) > TOKEN_MAX:
        raise InvalidToken()
    now = clock.now()
    now_iso = clock.iso(now)
    brand = front.brand
    session = repository.session(token)
    if session is None or int(session.get("brand_id", 0)) != brand.brand_id:
        raise InvalidToken()
    realm = str(session["realm"])
    if realm != front.realm or session["idle_until"] <= now_iso:
        raise InvalidToken()
    created = clock.parse_iso(session["created_at"])
    if now - created >= MAX_SESSION:
        raise InvalidToken()
    found = repository.account(realm, str(session["user_id"]))
    if found.profile is None:
        raise missing()
    credentials = found.credentials or {}
    if int(credentials.get("epoch", 0)) != int(session.get("epoch", -1)):
        raise InvalidToken()  # the password changed or was reset since this session began
    player = Player.from_item(realm, found.profile)
    state = gates.effective(player, brand.settings, now)
    if state.blocks.get("login"):
        raise InvalidToken()  # an operator closed, suspended or excluded the player
    limit = state.limits.get("session_duration_limit")
    if limit is not None and now - created >= timedelta(minutes=int(limit)):
        raise InvalidToken()
    if now - clock.parse_iso(session["last_seen_at"]) >= TOUCH_EVERY:
        session = _touch(session, brand, now)
    return Caller(
        front=front,
        realm=realm,
        token=token,
        session=session,
        player=player,
        credentials=credentials,
        wallet=found.wallet,
        state=state,
        now=now,
    )


def _touch(session: dict[str, Any], brand: Brand, now: datetime) -> dict[str, Any]:
    try:
        return repository.touch(session, now, now + timedelta(minutes=brand.settings.session_idle_minutes))
    except Conflict as exc:  # logged out concurrently
        raise InvalidToken() from exc
    except ConcurrentUpdate:  # held by a transaction right now: bookkeeping only, the next request touches
        return session


def mutate(
    realm: str,
    user_id: str,
    change: identity.profiles.Change,
    *,
    on_cancel: Callable[[TransactionCancelled], Exception | None] | None = None,
    missing: Callable[[], Exception] = InvalidToken,
) -> Player | None:
    """identity.mutate, where a vanished player is the session's player gone: InvalidToken."""
    return identity.mutate(realm, user_id, change, on_cancel=on_cancel, missing=missing)
