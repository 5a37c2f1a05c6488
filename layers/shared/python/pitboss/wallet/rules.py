"""Pure wallet decisions (no I/O, no clock: `now` is passed in): gates, RG windows and limits, amounts,
spend order, bonus terms, the sizes a wallet may reach, and what a provider's repeated ref means."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_UP, Decimal
from typing import Any, TypeGuard

from pitboss import clock, idempotency, money
from pitboss.errors import Conflict, InsufficientFunds, LimitExceeded, NotFound, PlayerBlocked, Unprocessable
from pitboss.identity import gates
from pitboss.identity.entity import Player
from pitboss.wallet.entity import Wallet

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


def check_limits(wallet: Wallet, kind: str, add: Decimal, limits: dict[str, Any], windows: dict[str, str]) -> None:
    """422 limit_exceeded when adding `add` to the `kind` counter breaks a limit of one of its windows."""
    for name, (limit_kind, window) in LIMIT_WINDOWS.items():
        limit = limits.get(name)
        if limit_kind != kind or limit is None:
            continue
        used = wallet.counters.get(kind, {}).get(windows[window], Decimal(0))
        if used + add > Decimal(limit):
            exp = wallet.exp
            raise LimitExceeded(
                f"{name} would be exceeded",
                limit=name,
                limit_value=money.fmt(Decimal(limit), exp),
                used=money.fmt(max(used, Decimal(0)), exp),
                remaining=money.fmt(max(Decimal(limit) - used, Decimal(0)), exp),
            )


# ---- amounts and currencies --------------------------------------------------------------------


def same_currency(wallet: Wallet, currency: str | None) -> None:
    if currency is not None and currency != wallet.currency:
        raise Unprocessable(
            f"this wallet holds {wallet.currency}, not {currency}",
            code="currency_mismatch",
            fields=[{"field": "currency", "message": f"must be {wallet.currency}"}],
        )


def stake_split(wallet: Wallet, amount: Decimal, spend_order: str) -> tuple[Decimal, Decimal]:
    """(real part, bonus part) of a stake: real first unless the brand spends bonus first; 422 when the
    wallet can't cover it."""
    if spend_order == "bonus_first":
        bonus_part = min(wallet.bonus, amount)
        real_part = amount - bonus_part
    else:
        real_part = min(wallet.real, amount)
        bonus_part = amount - real_part
    if real_part > wallet.real or bonus_part > wallet.bonus:
        raise InsufficientFunds(
            "insufficient funds for this bet",
            available=money.fmt(wallet.real + wallet.bonus, wallet.exp),
            requested=money.fmt(amount, wallet.exp),
        )
    return real_part, bonus_part


def withdrawable(wallet: Wallet, amount: Decimal) -> None:
    if amount > wallet.real:
        raise InsufficientFunds(
            "insufficient real balance for this withdrawal",
            available=money.fmt(wallet.real, wallet.exp),
            requested=money.fmt(amount, wallet.exp),
        )


def redeemable(wallet: Wallet, amount: Decimal) -> None:
    if amount > wallet.winz:
        raise InsufficientFunds(
            "insufficient winz balance",
            available=money.fmt(wallet.winz, money.POINTS_EXPONENT),
            requested=money.fmt(amount, money.POINTS_EXPONENT),
        )


# ---- sizes -------------------------------------------------------------------------------------


def room_for_round(wallet: Wallet, name: str) -> None:
    if name not in wallet.rounds and len(wallet.rounds) >= MAX_OPEN_ROUNDS:
        raise Conflict("too many open rounds; close some before opening another", code="too_many_open_rounds")


def room_for_bonus(wallet: Wallet) -> None:
    if len(wallet.active_bonuses()) >= MAX_ACTIVE_BONUSES:
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


# ---- provider refs -----------------------------------------------------------------------------


def ref_fingerprint(kind: str, user_id: str, body: dict[str, Any]) -> str:
    """What makes two uses of one provider ref "the same request" (the player named by user_id)."""
    return idempotency.fingerprint("POST", f"{kind}:{user_id}", body)


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


def wagering_can_be_undone(wallet: Wallet, wagered: dict[str, Decimal]) -> None:
    """A bet whose stake completed a bonus's wagering funded real (withdrawable) money: its rollback is
    refused rather than leaving converted money it paid for. An ended bonus no longer on the wallet may
    have converted: refused too, to be safe. Forfeited bonuses keep their outcome and allow it."""
    active = {b.id for b in wallet.active_bonuses()}
    forfeited = {b.id for b in wallet.bonuses if b.status == "forfeited"}
    if any(bonus_id not in active and bonus_id not in forfeited for bonus_id in wagered):
        raise Conflict(
            "this bet completed a bonus's wagering, which converted it to real money; it can't be rolled back",
            code="bonus_converted",
        )
