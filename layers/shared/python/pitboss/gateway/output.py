"""API output models of the player gateway: the seed's response bodies (seed 002, as the OpenAPI document
promises them; seed spellings kept on purpose) and those of the newer routes (self-service RG, ...), built
from the entity and its effective state, never from a stored item."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from pitboss.identity import gates
from pitboss.identity.entity import Player
from pitboss.players.output import PlayerOut, RgOut
from pitboss.tenancy import BrandSettings
from pitboss.types import Model

Number = int | float  # display numbers the seed shows as JSON numbers (balances in major units)


class GwRgOut(Model):
    """The player's responsible gaming as the operator's dossier shows it (`rg`), in the brand currency."""

    model_config = ConfigDict(extra="forbid")

    currency: str = Field(description="The currency money limits are in")
    rg: RgOut

    @classmethod
    def of(cls, player: Player, settings: BrandSettings, currency: str, at: datetime) -> GwRgOut:
        state = gates.effective(player, settings, at)
        return cls(currency=currency, rg=PlayerOut.of(player, state).rg)


class GwWageringCompleteOut(Model):
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


class GwMessageFormatsOut(Model):
    """Every `message_format` the gateway answers, with the text to show (issue 11 #9)."""

    model_config = ConfigDict(extra="forbid")

    language: str = Field(description="The language of the texts: the one asked for, or en when the brand has none")
    formats: dict[str, str] = Field(description="By message_format key (email_verified, forgot_email_sent, ...)")


# ---- the seed's response bodies ----------------------------------------------------------------


class GwErrMsg(Model):
    errMsg: str


class GwResultCode(Model):
    result: str


class GwMessageFormat(Model):
    message_format: str


class GwFieldError(Model):
    field: str
    errorCode: str


class GwFieldErrors(Model):
    result: list[GwFieldError]


class GwTokenOut(Model):
    token: str
    player_id: int


class GwTokenMessage(Model):
    token: str
    message_format: str


class GwMsg(Model):
    msg: str


class GwSignOther(Model):
    model_config = ConfigDict(populate_by_name=True)

    sign: list[str] = Field(alias="sign: ")


class GwTncRequired(Model):
    model_config = ConfigDict(populate_by_name=True)

    message_format: str = Field(alias="\u201cmessage_format\u201d")


class GwEMail(Model):
    eMailAdress: str
    isVerified: bool


class GwOptOutOut(Model):
    chat: bool
    sms: bool
    email: bool
    phone: bool


class DetailsOut(Model):
    firstName: str | None
    lastName: str | None
    birthdate: str | None = Field(description="YYYY-MM-DD 00:00:00")
    gender: str | None
    language: str | None
    country: str | None
    city: str | None
    address: str | None
    zipPostalCode: str | None
    phone: str | None
    eMail: GwEMail
    optOut: GwOptOutOut
    is2faRequired: bool
    mobileVerificationStatus: int
    mobileVerificationStatusDate: str | None
    mobileVerificationStatusChangedBy: str | None
    pendingMobileNumber: str | None


class MobileVerificationData(Model):
    model_config = ConfigDict(populate_by_name=True)

    mobile_number: str = Field(description="The id of the pending mobile verification")
    twofa_auth_token: str = Field(alias="2fa_auth_token")


class MobileVerificationRequired(Model):
    status: Literal["mobile_verification_required"]
    data: MobileVerificationData


class GwStatusCommon(Model):
    marketingSegmentation: str
    tag_status: int
    deposit_count: int
    vip_level: str
    average_deposit: Number
    billboard: str
    segmentation_id: int
    maxBalance: int
    UT: int
    decline: str
    VIP_segment: int
    total_balance: Number
    pending_withdrawal: Number
    total_withdrawals: Number
    last_bet: str | None
    last_deposit: str | None
    last_deposit_amount: Number
    rounds_since_login: int
    balance_since_login: Number
    playerIdLink: str
    bonusOptOut: int
    real_balance: Number
    freeTraffic: bool
    depositsAmount: Number
    chat_opt_out: bool


class OnlineStatusOut(GwStatusCommon):
    bonusBalance: Number
    maxWin: Number
    wageringBalance: Number
    wageringComplete: Literal["0", "1"] = Field(description="1: a bonus's wagering completed during this session")
    wageringCompleteInfoPath: str | None = Field(
        description="The latest completion's details: /gateway/bonus/{version}/wagering-complete/{brand_id}/"
        "{player_id}/{unique_ref_id} (prefix the gateway's domain); null without a completion this session"
    )
    is_missing_player_details: bool = Field(
        description="true: ask for the missing details (names, date of birth, country) before a deposit"
    )


class InGameStatusOut(GwStatusCommon):
    pass


class GwInGameRealityCheck(Model):
    currency: str
    profit: Number
    restart_period: str
    time_played: str
    min: str
    h: str


class GwRealityCheck(Model):
    """The seed's field order (the in-game check without the session's totals)."""

    currency: str
    profit: Number
    total_bets: Number
    total_wins: Number
    total_lossed: Number
    restart_period: str
    time_played: str
    min: str
    h: str


class GwPlayerRef(Model):
    username: str
    ID: int
    brand: int


class PlayerInfoOut(Model):
    playerID: GwPlayerRef
    firstName: str | None
    lastName: str | None
    gender: str | None
    email: str
    vip_level: int
    country: str | None
    test_account: int
    currencyName: str
    currencySymbol: str
    bTag: str


class GwSuccess(Model):
    result: Literal["success"]
