"""A brand's settings: the rules an operator sets per brand (RG windows and delays, age, KYC and gateway
requirements, rate limits, currencies, service mode, the engines' knobs), validated as one model. Kept apart
from pitboss.tenancy (tenants, brands, keys), which re-exports them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ConfigDict, Field, field_validator

from pitboss.types import Model

Document = Literal["tnc", "privacy"]
DOCUMENTS: tuple[Document, ...] = ("tnc", "privacy")


def _non_negative_amount(value: object, example: str) -> str:
    """A money setting: a finite decimal of 0 or more, kept as its exact string."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"a decimal amount, e.g. {example}") from exc
    if not amount.is_finite() or amount < 0:
        raise ValueError("a decimal amount of 0 or more")
    return str(amount)


class RateLimit(Model):
    """How many requests of one kind the gateway takes per client address and per account in a window
    (0: no limit of that kind); more answer 429 until the window ends."""

    per_ip: int = Field(ge=0, description="Per client address (an IPv6 client: its /64)")
    per_account: int = Field(ge=0, description="Per username, email address, player or link")
    window_seconds: int = Field(ge=1, le=86_400)


class RateLimits(Model):
    """The gateway's per-brand rate limits. Sane for a casino front end: a household or a mobile carrier's
    shared address still fits, a script hammering one login or one address does not."""

    registration: RateLimit = RateLimit(per_ip=50, per_account=10, window_seconds=3600)
    login: RateLimit = RateLimit(per_ip=100, per_account=50, window_seconds=300)
    forgot_password: RateLimit = RateLimit(per_ip=20, per_account=5, window_seconds=3600)
    resend_activation: RateLimit = RateLimit(per_ip=20, per_account=5, window_seconds=3600)
    verify_link: RateLimit = RateLimit(per_ip=30, per_account=10, window_seconds=300)


class BrandSettings(Model):
    """Per-brand rules. Defaults are the strict, regulator-friendly choice."""

    # A setting this model does not know is refused (issue 10 #6: `--set timezon=Europe/Malta` was silently
    # ignored). Stored brands are read through Brand, which drops unknown keys instead (see there).
    model_config = ConfigDict(extra="forbid")

    timezone: str = "UTC"
    min_age: int = Field(default=18, ge=0, le=99)
    require_date_of_birth: bool = False
    rg_increase_delay_hours: int = Field(default=24, ge=0)
    self_exclusion_reinstatement: Literal["on_request", "automatic"] = "on_request"
    spend_order: Literal["real_first", "bonus_first"] = "real_first"
    xp_per_unit: str = "1"
    xp_daily_cap: str = "1000"
    required_documents: list[Document] = Field(default_factory=lambda: list(DOCUMENTS))
    require_email_verification: bool = False
    mobile_verification: bool = False
    blocked_email_domains: list[str] = Field(default_factory=list)
    session_idle_minutes: int = Field(default=30, ge=1)
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)
    # The console's four eyes: a withdrawal above this amount (brand currency) needs a second operator's
    # approval before it can be completed. None: never.
    withdrawal_second_approval_above: str | None = None

    @field_validator("withdrawal_second_approval_above")
    @classmethod
    def _amount(cls, value: str | None) -> str | None:
        return None if value is None or value == "" else _non_negative_amount(value, "1000.00")

    # The currencies the brand's wallets take, its default first (the brand's `currency` follows it). Empty:
    # only the brand's `currency`. Settable as a JSON list or "EUR,USD,BTC".
    currencies: list[str] = Field(default_factory=list)

    @field_validator("currencies", mode="before")
    @classmethod
    def _currency_list(cls, value: object) -> object:
        from pitboss import money

        if isinstance(value, str):
            value = [c.strip() for c in value.split(",") if c.strip()]
        if isinstance(value, list):
            codes = [str(c).upper() for c in value]
            unknown = [c for c in codes if not money.supported_currency(c)]
            if unknown:
                raise ValueError(f"unsupported currencies: {', '.join(unknown)}")
            if len(set(codes)) != len(codes):
                raise ValueError("a currency is listed twice")
            return codes
        return value

    # Gateway hardening (issue 10): an email change needs the current password too (false keeps seed 002's
    # body valid: email and comment only).
    email_change_requires_password: bool = False
    # Floods and enumeration (issue 10 #5): rate limits per client address and per account; at most this many
    # reset / activation messages (and mobile codes) per address an hour, whatever the answer says; the
    # lockout counts failures per (account, client address) and locks the account itself only once this
    # many addresses are locked out of it.
    rate_limits: RateLimits = Field(default_factory=RateLimits)
    messages_per_address_per_hour: int = Field(default=3, ge=0)
    login_lock_ips: int = Field(default=3, ge=1)
    # Message formats (issue 11 #9): the brand's own texts of the gateway's message_format keys, by language
    # then key ({"en": {"email_verified": "..."}}); GET /gateway/message-formats answers them over the defaults.
    message_formats: dict[str, dict[str, str]] = Field(default_factory=dict)

    @field_validator("message_formats")
    @classmethod
    def _formats(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        import re  # only here: the rest of the settings need no patterns

        for language, texts in value.items():
            if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", language):
                raise ValueError(f"message_formats: {language!r} is not a language code such as en or pt-br")
            for key, text in texts.items():
                if not re.fullmatch(r"[a-z0-9_]{1,64}", key) or len(text) > 2000:
                    raise ValueError(f"message_formats: {language}.{key} needs a snake_case key and a text <= 2000")
        return value

    # Service modes and engagement engines (issue 13, engines-a). `service_mode`: plug_in = the operator owns
    # accounts and cash (real-rail movements refused, cash awards become payout instructions); changing it
    # is refused once the brand has real-rail entries. (`message_formats` above is also written by PUT
    # /v1/brands/{id}/message-formats/{language}.) `vip_levels`: the VIP
    # ladder (pitboss.engines.rules.Level as JSON, PUT /v1/brands/{id}/vip-levels). Cashback: the period
    # (brand time zone) and the smallest amount paid (brand currency).
    service_mode: Literal["white_label", "plug_in"] = "white_label"
    vip_levels: list[dict[str, Any]] = Field(default_factory=list)
    cashback_period: Literal["daily", "weekly"] = "weekly"
    cashback_min_payout: str = "0"

    @field_validator("cashback_min_payout")
    @classmethod
    def _min_payout(cls, value: str) -> str:
        return _non_negative_amount(value, "1.00")

    # Wallet hardening (issue 10 #6): a withdrawal request needs the player's KYC approved (403 kyc_required
    # otherwise). Self-excluded and closed players may still withdraw: their funds must be returned to them.
    withdrawal_requires_kyc: bool = True

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value
