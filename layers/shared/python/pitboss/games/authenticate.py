"""The aggregator's authenticate call (seed 001: "Players are created by the platform when they first
authenticate through a game provider"): find the player by (brand, username) or create it, then open a game
session for it, in one idempotent transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pitboss.wallet.rules as wallet_rules
from pitboss import actors, clock, idempotency, identity
from pitboss.errors import Conflict, TransactionCancelled
from pitboss.games import repository, sessions
from pitboss.games.entity import GameSession
from pitboss.games.models import GameSessionIn
from pitboss.idempotency import Decision, IdemRequest, Outcome
from pitboss.identity import Player, gates
from pitboss.players.output import PlayerOut
from pitboss.tenancy import Brand, Principal

# A provider rarely knows the player's email; the profile needs one (unique in the brand), so a player created
# without one gets an address under the reserved `.invalid` domain (RFC 2606), which nothing can deliver to.
PLACEHOLDER_DOMAIN = "players.invalid"


def authenticate(principal: Principal, body: GameSessionIn, idem: IdemRequest) -> Outcome:
    """201 and `created: true` when the username is new in the brand, 200 and `created: false` when found;
    403 player_blocked (no session, no player created) when the player may not bet."""
    brand = principal.brand(body.brand_id)
    currency = wallet_rules.money_in_currency(brand, body.currency)
    pointer_key = repository.username_pointer(principal.realm, brand.brand_id, body.username)

    def decide(items: dict[repository.Key, dict[str, Any]]) -> Decision:
        now = clock.now()
        pointer = items.get(pointer_key)
        if pointer is None:
            return _create(principal, brand, body, currency, now)
        return _found(principal, brand, body, currency, user_id=str(pointer["user_id"]), now=now)

    return idempotency.execute(idem, [pointer_key], decide)


def _create(principal: Principal, brand: Brand, body: GameSessionIn, currency: str, now: datetime) -> Decision:
    realm = principal.realm
    stamp = clock.iso(now)
    player = Player(
        realm=realm,
        user_id=str(uuid.uuid4()),
        player_id=0,  # numbered below, once the gate let it through (a refusal burns no number)
        brand_id=brand.brand_id,
        username=body.username,
        email=str(body.email) if body.email else f"{body.username.casefold()}@{PLACEHOLDER_DOMAIN}",
        version=1,
        created_at=stamp,
        updated_at=stamp,
    )
    state = gates.effective(player, brand.settings, now)
    wallet_rules.gate(player, state, "bet")  # e.g. the brand's age gate: no player without a session
    player = player.model_copy(update={"player_id": identity.next_player_number(realm)})
    session = _open(realm, player.user_id, brand, body, currency, now)
    ops = identity.create_ops(actors.provider(body.provider), player, source="game_provider")
    ops.append(repository.put_op(session))

    def on_cancel(exc: TransactionCancelled) -> Conflict | None:
        if exc.failed(0):
            return None  # lost the username race (its winner holds the email too): re-read and find it
        if exc.failed(1):
            return Conflict("another player of this brand has this email", code="email_taken")
        return None

    answer = _answer(session, player, state, created=True)
    return Decision(ops=ops, status=201, body=answer, on_cancel=on_cancel, brand_id=brand.brand_id)


def _found(
    principal: Principal, brand: Brand, body: GameSessionIn, currency: str, *, user_id: str, now: datetime
) -> Decision:
    player = identity.load(principal.realm, user_id)
    if player is None:
        raise identity.player_not_found()
    state = gates.effective(player, brand.settings, now)
    wallet_rules.gate(player, state, "bet")  # the same 403 player_blocked a bet gets
    session = _open(principal.realm, user_id, brand, body, currency, now)
    # The profile unchanged since it was gated: a concurrent exclusion can't slip a session through.
    ops: list[repository.Op] = [identity.unchanged(player), repository.put_op(session)]
    answer = _answer(session, player, state, created=False)
    return Decision(ops=ops, status=200, body=answer, brand_id=brand.brand_id)


def _open(  # noqa: PLR0917 - the session's parts, each named by the caller's locals
    realm: str, user_id: str, brand: Brand, body: GameSessionIn, currency: str, now: datetime
) -> GameSession:
    return sessions.new(
        realm, user_id, brand.brand_id, provider=body.provider, game_id=body.game_id, currency=currency, now=now
    )


def _answer(session: GameSession, player: Player, state: gates.EffectiveState, *, created: bool) -> dict[str, Any]:
    """The stored answer (a replay answers it again); the route adds the wallet view, read when it answers."""
    return {
        "game_session_id": session.game_session_id,
        "created": created,
        "provider": session.provider,
        "game_id": session.game_id,
        "currency": session.currency,
        "opened_at": clock.iso(session.opened_at),
        "expires_at": clock.iso(session.expires_at),
        "player": PlayerOut.of(player, state).model_dump(mode="json"),
    }
