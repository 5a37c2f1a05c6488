"""API input and output models of game sessions: the provider's authenticate call (/v1) and the gateway's
start game (seed 002's "start game request")."""

from __future__ import annotations

from typing import Annotated

from pydantic import MISSING, ConfigDict, Field, StringConstraints

from pitboss.players.output import Deduped, IdempotencyKeyOut, PlayerOut
from pitboss.types import BodyBrandId, EmailAddress, IdempotencyKey, Model, Timestamp, Username
from pitboss.wallet.models import Currency, Provider
from pitboss.wallet.output import WalletOut

GameId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$"),
    Field(description="The provider's game id"),
]
GameSessionId = Annotated[
    str,
    Field(
        description="The session's id: `gs_` and a ULID in lower case. The gateway's in-game status takes it",
        examples=["gs_01jd3x5q8m7n2p4r6t8v0w2y4z"],
    ),
]


class GameSessionIn(Model):
    """The aggregator's authenticate call: the player by (brand, username), created on first sight."""

    model_config = ConfigDict(extra="forbid")

    username: Username
    provider: Provider
    game_id: GameId
    currency: Annotated[
        Currency | None, Field(description="One of the brand's currencies; default: the brand's first")
    ] = None
    email: Annotated[
        EmailAddress | None,
        Field(
            max_length=254,
            description="Used only when the player is created; without one the player gets a placeholder "
            "`{username}@players.invalid` (the operator can set the real one with the upsert)",
        ),
    ] = None
    brand_id: Annotated[
        BodyBrandId | None, Field(description="Required when the key can act on several brands (or ?brand_id=)")
    ] = None
    idempotency_key: IdempotencyKey | None = None


class GameSessionOut(Model):
    """What the authenticate call answers: the session, the player's dossier and the wallet in its currency."""

    model_config = ConfigDict(extra="forbid")

    game_session_id: GameSessionId
    created: bool = Field(description="true when this call created the player (201), false when it found it")
    provider: str
    game_id: str
    currency: str = Field(description="The session's currency; `wallet` details this one")
    opened_at: Timestamp
    expires_at: Timestamp = Field(description="The gateway's in-game status answers this session until then")
    player: PlayerOut
    wallet: WalletOut
    deduped: Deduped = MISSING
    idempotency_key: IdempotencyKeyOut = MISSING


class GwGameStartIn(Model):
    """The gateway's start game request; unknown fields are dropped, as on every gateway body."""

    model_config = ConfigDict(extra="ignore")

    provider: Provider
    game_id: GameId


class GwGameStartOut(Model):
    game_session_id: GameSessionId
    provider: str
    game_id: str
    currency: str
