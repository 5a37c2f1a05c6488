"""Pure wallet decisions (no I/O, no clock: `now` is passed in): gates, currencies, RG windows and limits
(per currency), amounts, spend order, bonus terms, the sizes a wallet may reach, and what a provider's
repeated ref means."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_UP, Decimal
from typing import Any, TypeGuard

from pitboss import clock, idempotency, money
from pitboss.errors import (
    Conflict,
    Forbidden,
    InsufficientFunds,
    LimitExceeded,
    NotFound,
    PlayerBlocked,
    Unprocessable,
)
from pitboss.identity import gates
from pitboss.identity.entity import Player
from pitboss.tenancy import Brand
from pitboss.wallet.entity import Purse, Wallet

MAX_OPEN_ROUNDS = 500
# Each forfeited/converted bonus is one entry in the movement's transaction: capping active bonuses keeps
# every movement far below DynamoDB's 100-item TransactWriteItems limit (worst case ~2 x 20 + 10 items).
MAX_ACTIVE_BONUSES = 20
# A bonus expiry must lie in the future, at most this far ahead.
MAX_BONUS_LIFETIME = timedelta(days=5 * 366)

# RG limits on money: limit name -> (counter kind, window).
LIMIT_WINDOWS: dict[str, tuple[str, str]] = {
    "deposit_daily_limit": ("deposit", "D"),
    "deposit_weekly_limit": ("deposit", "W"),
    "deposit_monthly_limit": ("deposit", "M"),
    "loss_daily_limit": ("loss", "D"),
    "loss_weekly_limit": ("loss", "W"),
    "loss_monthly_limit": ("loss", "M"),
    "wager_daily_limit": ("wager", "D"),
}
COUNTER_KINDS = ("deposit", "loss", "wager")


# ---- gates -------------------------------------------------------------------------------------


def gate(player: Player, state: gates.EffectiveState, action: gates.Action) -> None:
    """403 player_blocked when the effective state blocks the action (status, cool-off, exclusion, age)."""
    reasons = state.blocks.get(action)
    if reasons:
        kind = reasons[0].partition(":")[0]
        raise PlayerBlocked(
            f"the player is blocked from {action}: {reasons[0]}",
            reason=kind,
            player_status=player.status,
            reasons=reasons,
        )


# ---- RG windows and limits ---------------------------------------------------------------------


def window_ids(at: datetime, timezone: str) -> dict[str, str]:
    """Calendar day, ISO week and month of an instant, in the brand's time zone."""
    local = at.astimezone(clock.zone(timezone))
    year, week, _ = local.isocalendar()
    return {"D": f"D{local:%Y-%m-%d}", "W": f"W{year}-W{week:02d}", "M": f"M{local:%Y-%m}"}


def limit_name(name: str, currency: str, default_currency: str) -> str:
    """The stored name of a money limit in `currency`: a limit set without a currency is the brand default
    currency's (`deposit_daily_limit`); another currency's carries it (`deposit_daily_limit@BTC`)."""
    return name if currency == default_currency else f"{name}@{currency}"


def limits_in(limits: dict[str, Any], currency: str, default_currency: str) -> dict[str, Decimal]:
    """The money limits in force in `currency`, from the player's effective limits. Limits are per currency,
    with no exchange rates: a limit counts only money of its own currency. A kind the player limited in the
    default currency but not in `currency` is 0 there (fail closed), so no limit is escaped by switching
    currency; the operator sets one in that currency to open it."""
    found: dict[str, Decimal] = {}
    for name in LIMIT_WINDOWS:
        value = limits.get(limit_name(name, currency, default_currency))
        if value is None and currency != default_currency and limits.get(name) is not None:
            value = Decimal(0)
        if value is not None:
            found[name] = Decimal(value)
    return found


def check_limits(purse: Purse, kind: str, add: Decimal, limits: dict[str, Decimal], windows: dict[str, str]) -> None:
    """422 limit_exceeded when adding `add` to the purse's `kind` counter breaks one of `limits` (the limits
    in the purse's currency, `limits_in`) in one of its windows."""
    for name, (limit_kind, window) in LIMIT_WINDOWS.items():
        limit = limits.get(name)
        if limit_kind != kind or limit is None:
            continue
        used = purse.counters.get(kind, {}).get(windows[window], Decimal(0))
        if used + add > Decimal(limit):
            exp = purse.exp
            raise LimitExceeded(
                f"{name} would be exceeded",
                limit=name,
                limit_value=money.fmt(Decimal(limit), exp),
                used=money.fmt(max(used, Decimal(0)), exp),
                remaining=money.fmt(max(Decimal(limit) - used, Decimal(0)), exp),
            )


# ---- amounts and currencies --------------------------------------------------------------------


def _currency_refused(currency: str, allowed: list[str], why: str) -> Unprocessable:
    return Unprocessable(
        f"{why}: {currency} (this brand offers {', '.join(allowed)})",
        code="currency_mismatch",
        fields=[{"field": "currency", "message": f"must be one of {', '.join(allowed)}"}],
    )


def money_in_currency(brand: Brand, currency: str | None) -> str:
    """The currency of money coming in (a deposit, a bet, a bonus): the one named, which the brand must
    offer, or the brand's default. 422 currency_mismatch otherwise."""
    if currency is None:
        return brand.currency
    if currency not in brand.currencies:
        raise _currency_refused(currency, brand.currencies, "this brand does not take this currency")
    return currency


def held_or_offered(brand: Brand, wallet: Wallet, currency: str | None) -> str:
    """The currency of money going out (a withdrawal) or of a wallet view: the brand's default, one the
    brand offers, or one the wallet still holds (funds in a currency the brand no longer offers can still
    be seen and returned to the player). 422 currency_mismatch otherwise."""
    if currency is None:
        return brand.currency
    if currency not in brand.currencies and currency not in wallet.purses:
        raise _currency_refused(currency, brand.currencies, "this wallet holds no money in this currency")
    return currency


def round_currency(brand: Brand, wallet: Wallet, name: str, closed: dict[str, Any] | None, asked: str | None) -> str:
    """The currency of a win on a round: the round's own (open on the wallet, or recorded on the closed
    round), so a win needs no currency; one named must be the round's. A round closed before rounds
    recorded their currency was in the wallet's home currency. An unknown round: the currency named or the
    brand's (the win is then 404 round_not_found)."""
    playing = wallet.round_currency(name)
    if playing is None and closed is not None:
        playing = str(closed.get("currency") or wallet.currency)
    if playing is None:
        return money_in_currency(brand, asked)
    if asked is not None and asked != playing:
        raise Unprocessable(
            f"this round is played in {playing}, not {asked}",
            code="currency_mismatch",
            fields=[{"field": "currency", "message": f"must be {playing}, the round's currency"}],
        )
    return playing


def xp_per_unit(rate: str, currency: str, default_currency: str) -> Decimal:
    """XP accrues from real stakes in the brand's default currency only: the rate is per unit of it, and
    Pitboss holds no exchange rates to value a stake in another currency."""
    return Decimal(rate) if currency == default_currency else Decimal(0)


def stake_split(purse: Purse, amount: Decimal, spend_order: str) -> tuple[Decimal, Decimal]:
    """(real part, bonus part) of a stake: real first unless the brand spends bonus first; 422 when the
    purse can't cover it."""
    if spend_order == "bonus_first":
        bonus_part = min(purse.bonus, amount)
        real_part = amount - bonus_part
    else:
        real_part = min(purse.real, amount)
        bonus_part = amount - real_part
    if real_part > purse.real or bonus_part > purse.bonus:
        raise InsufficientFunds(
            "insufficient funds for this bet",
            available=money.fmt(purse.real + purse.bonus, purse.exp),
            requested=money.fmt(amount, purse.exp),
        )
    return real_part, bonus_part


def kyc_for_withdrawal(kyc_status: str, required: bool) -> None:
    """A brand that requires it (`withdrawal_requires_kyc`, default true) pays out only to KYC-approved players."""
    if required and kyc_status != "approved":
        raise Forbidden("the player's KYC must be approved before a withdrawal", code="kyc_required")


def withdrawable(purse: Purse, amount: Decimal) -> None:
    if amount > purse.real:
        raise InsufficientFunds(
            "insufficient real balance for this withdrawal",
            available=money.fmt(purse.real, purse.exp),
            requested=money.fmt(amount, purse.exp),
        )


def redeemable(wallet: Wallet, amount: Decimal) -> None:
    if amount > wallet.winz:
        raise InsufficientFunds(
            "insufficient winz balance",
            available=money.fmt(wallet.winz, money.POINTS_EXPONENT),
            requested=money.fmt(amount, money.POINTS_EXPONENT),
        )


# ---- sizes -------------------------------------------------------------------------------------


def room_for_round(wallet: Wallet, name: str, currency: str) -> None:
    """A round is played in one currency; a wallet keeps at most MAX_OPEN_ROUNDS open, all currencies
    together (each one is on the wallet item)."""
    playing = wallet.round_currency(name)
    if playing is not None and playing != currency:
        raise Unprocessable(
            f"this round is played in {playing}, not {currency}",
            code="currency_mismatch",
            fields=[{"field": "currency", "message": f"must be {playing}, the round's currency"}],
        )
    if playing is None and wallet.open_rounds() >= MAX_OPEN_ROUNDS:
        raise Conflict("too many open rounds; close some before opening another", code="too_many_open_rounds")


def room_for_bonus(wallet: Wallet) -> None:
    """At most MAX_ACTIVE_BONUSES active bonuses per wallet, all currencies together."""
    if wallet.active_bonus_count() >= MAX_ACTIVE_BONUSES:
        raise Conflict(
            f"this player already has {MAX_ACTIVE_BONUSES} active bonuses; one must end first",
            code="too_many_bonuses",
            limit=MAX_ACTIVE_BONUSES,
        )


# ---- bonus terms -------------------------------------------------------------------------------


def bonus_expiry(expires_at: datetime | None, now: datetime) -> str | None:
    """expires_at with a zone, strictly in the future and at most MAX_BONUS_LIFETIME ahead, as UTC ISO."""
    if expires_at is None:
        return None
    if expires_at.tzinfo is None:
        raise Unprocessable("expires_at needs a time zone", code="validation_error", field="expires_at")
    try:
        expires = expires_at.astimezone(UTC)
        in_range = now < expires < now + MAX_BONUS_LIFETIME
    except (OverflowError, ValueError):
        in_range = False
    if not in_range:
        raise Unprocessable(
            "expires_at must be in the future and at most 5 years ahead", code="validation_error", field="expires_at"
        )
    return clock.iso(expires)


def wagering_required(amount: Decimal, multiplier: Decimal, exp: int) -> Decimal:
    """amount x multiplier, rounded up to the currency's minor unit."""
    try:
        return money.ROUNDING_CTX.multiply(amount, multiplier).quantize(
            money.quantum(exp), rounding=ROUND_UP, context=money.ROUNDING_CTX
        )
    except ArithmeticError as exc:
        raise Unprocessable("the wagering requirement is too large", code="invalid_amount", field="amount") from exc


def bonus_in_mode(brand: Brand, required: Decimal) -> None:
    """A bonus with nothing to wager converts to real money at once; a plug_in brand's operator holds the cash,
    so an operator's grant of one is refused (a lootbox prize of one becomes a payout instruction instead)."""
    if required == 0 and brand.settings.service_mode == "plug_in":
        raise Conflict(
            "a bonus with nothing to wager is real money at once, which this plug_in brand's operator holds: "
            "credit it in your own wallet, or grant it with a wagering_multiplier above 0",
            code="service_mode",
            service_mode="plug_in",
            field="wagering_multiplier",
        )


# ---- provider refs -----------------------------------------------------------------------------


def ref_fingerprint(kind: str, user_id: str, body: dict[str, Any], currency: str, home: str) -> str:
    """What makes two uses of one provider ref "the same request" (the player named by user_id). The
    currency is part of it only when it is not the wallet's home currency, so refs recorded before wallets
    held several currencies (all in the home currency) keep their fingerprints."""
    named = body if currency == home else {**body, "currency": currency}
    return idempotency.fingerprint("POST", f"{kind}:{user_id}", named)


def is_replay(ref: dict[str, Any] | None, fingerprint: str) -> TypeGuard[dict[str, Any]]:
    """A provider retry of a ref it already sent (answer the original, deduped), a new ref (False), or 409."""
    if ref is None:
        return False
    if ref.get("kind") == "tombstone":
        raise Conflict("this ref_id was rolled back before it arrived; it can't be used", code="ref_rolled_back")
    if ref.get("fingerprint") != fingerprint:
        raise Conflict("this ref_id was already used with a different request", code="duplicate_ref")
    return True


def rollback_target(ref: dict[str, Any], user_id: str) -> None:
    """Only this player's bets can be rolled back (a tombstone or another player's ref is 404)."""
    if ref.get("kind") == "tombstone" or ref.get("user_id") != user_id:
        raise NotFound("no bet of this player with this ref_id", code="ref_not_found")
    if ref.get("kind") != "bet":
        raise Conflict("only a bet can be rolled back", code="not_a_bet")


def wagering_can_be_undone(purse: Purse, wagered: dict[str, Decimal]) -> None:
    """A bet whose stake completed a bonus's wagering funded real (withdrawable) money: its rollback is
    refused rather than leaving converted money it paid for. An ended bonus no longer on the wallet may
    have converted: refused too, to be safe. Forfeited bonuses keep their outcome and allow it."""
    active = {b.id for b in purse.active_bonuses()}
    forfeited = {b.id for b in purse.bonuses if b.status == "forfeited"}
    if any(bonus_id not in active and bonus_id not in forfeited for bonus_id in wagered):
        raise Conflict(
            "this bet completed a bonus's wagering, which converted it to real money; it can't be rolled back",
            code="bonus_converted",
        )
