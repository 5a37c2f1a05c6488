"""Start game and in-game status (seed 002: "game_session_id — Unique session ID provided by start game
request"): the session's player opens a game session, and in-game status answers only for one of its own."""

from __future__ import annotations

import pitboss.wallet.rules as wallet_rules
from pitboss.errors import InvalidInput
from pitboss.games.models import GwGameStartIn, GwGameStartOut
from pitboss.games.port import open_session, own_session
from pitboss.gateway import status
from pitboss.gateway.output import InGameStatusOut
from pitboss.gateway.sessions import Caller


def start(caller: Caller, body: GwGameStartIn) -> GwGameStartOut:
    """A login-blocked player never gets here (its session is refused: 401 invalid token); one whose state
    blocks only play (a hold, the age gate) gets the bet's 403 player_blocked."""
    status.require(caller)
    wallet_rules.gate(caller.player, caller.state, "bet")
    player = caller.player
    session = open_session(
        caller.realm,
        player.user_id,
        caller.brand.brand_id,
        provider=body.provider,
        game_id=body.game_id,
        currency=caller.brand.currency,
        now=caller.now,
    )
    return GwGameStartOut(
        game_session_id=session.game_session_id,
        provider=session.provider,
        game_id=session.game_id,
        currency=session.currency,
    )


def in_game_status(caller: Caller, game_session_id: str) -> InGameStatusOut:
    """Only for a live session of the caller's own player, in the caller's brand and realm: any other id
    (unknown, another player's, another brand's or mode's, expired) is 404."""
    if not game_session_id or len(game_session_id) > status.GAME_SESSION_MAX:
        raise InvalidInput()
    status.require(caller)
    own_session(caller.realm, game_session_id, caller.player.user_id, caller.brand.brand_id, caller.now)
    return status.in_game_status(caller, game_session_id)
