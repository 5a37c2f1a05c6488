"""API output models of the gateway's newer routes (self-service RG, ...): built from the entity and its
effective state, never from a stored item. The seed's own response bodies stay in gateway.models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from pitboss.identity import gates
from pitboss.identity.entity import Player
from pitboss.players.output import PlayerOut, RgOut
from pitboss.tenancy import BrandSettings


class GwRgOut(BaseModel):
    """The player's responsible gaming as the operator's dossier shows it (`rg`), in the brand currency."""

    model_config = ConfigDict(extra="forbid")

    currency: str = Field(description="The currency money limits are in")
    rg: RgOut

    @classmethod
    def of(cls, player: Player, settings: BrandSettings, currency: str, at: datetime) -> GwRgOut:
        state = gates.effective(player, settings, at)
        return cls(currency=currency, rg=PlayerOut.of(player, state).rg)
