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


class GwWageringCompleteOut(BaseModel):
    """A bonus whose wagering completed (online status' `wageringCompleteInfoPath`): what it was, what it
    took, and what it paid into the real balance. Amounts as JSON numbers in major units, as the seed's
    online status shows them."""

    model_config = ConfigDict(extra="forbid")

    unique_ref_id: str = Field(description="The bonus's id")
    currency: str
    bonus_amount: int | float = Field(description="The bonus granted")
    wagering_required: int | float
    wagered: int | float
    converted_amount: int | float = Field(description="What the completion moved to the real balance (maxWin)")
    granted_at: str = Field(description="UTC, 2022-01-01 00:00:01")
    completed_at: str = Field(description="UTC, 2022-01-01 00:00:01")


class GwMessageFormatsOut(BaseModel):
    """Every `message_format` the gateway answers, with the text to show (issue 11 #9)."""

    model_config = ConfigDict(extra="forbid")

    language: str = Field(description="The language of the texts: the one asked for, or en when the brand has none")
    formats: dict[str, str] = Field(description="By message_format key (email_verified, forgot_email_sent, ...)")
