"""The player search's input (the console's search box and filters) and its answer."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from pitboss.identity.entity import Player, PlayerStatus
from pitboss.types import Model


class SearchIn(Model):
    model_config = ConfigDict(extra="ignore")

    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] = ""
    brand_id: int | None = None
    status: PlayerStatus | None = None
    cursor: Annotated[str, StringConstraints(max_length=1024)] | None = None


class PlayerRow(Model):
    user_id: str
    player_id: int
    username: str
    email: str
    external_ref: str | None
    brand_id: int
    status: PlayerStatus
    kyc_status: str
    created_at: str

    @classmethod
    def of(cls, player: Player) -> PlayerRow:
        return cls(
            user_id=player.user_id,
            player_id=player.player_id,
            username=player.username,
            email=player.email,
            external_ref=player.external_ref,
            brand_id=player.brand_id,
            status=player.status,
            kyc_status=player.kyc_status,
            created_at=player.created_at,
        )


class SearchResult(Model):
    exact: list[PlayerRow] = Field(description="The player the query names exactly (id, UUID, email, ref)")
    players: list[PlayerRow] = Field(description="A page of players whose username contains the query")
    next_cursor: str | None
