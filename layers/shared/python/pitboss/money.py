"""Exact money: Decimal end to end, quantised to each currency's minor unit; strings on the wire."""

from __future__ import annotations

from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    Rounded,
    localcontext,
)
from typing import Any

from pitboss.errors import Unprocessable
from pitboss.types import PLAIN_DECIMAL

# Minor units per ISO 4217 (plus the crypto rails operators commonly ask for).
_EXPONENTS: dict[str, int] = {
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "CAD": 2,
    "AUD": 2,
    "NZD": 2,
    "CHF": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "PLN": 2,
    "CZK": 2,
    "HUF": 2,
    "BRL": 2,
    "MXN": 2,
    "INR": 2,
    "ZAR": 2,
    "TRY": 2,
    "PHP": 2,
    "THB": 2,
    "KRW": 0,
    "JPY": 0,
    "VND": 0,
    "CLP": 0,
    "ISK": 0,
    "BHD": 3,
    "KWD": 3,
    "TND": 3,
    # Crypto: BTC's satoshi is 10^-8; ETH and LTC are held to 8 places here (ETH's wei, 10^-18, would leave
    # no integer digits under MAX_DIGITS); the USD stablecoins have 6 decimals on chain, so 2 would round
    # real transfers.
    "BTC": 8,
    "ETH": 8,
    "LTC": 8,
    "USDT": 6,
    "USDC": 6,
}
# Points rails are whole-number-ish but operators grant fractional XP rates; keep two places.
POINTS_EXPONENT = 2
# Significant digits of an amount or balance, the currency's decimal places included: a quantised value is
# below 10^(MAX_DIGITS - exponent) (USD < 10^16, BTC < 10^10). Sums of such values stay exact in 38 digits.
MAX_DIGITS = 18

_CTX = Context(prec=38, rounding=ROUND_HALF_EVEN)
# For deliberate roundings (XP accrual, wagering requirements) inside ledger code running under LEDGER_CTX.
ROUNDING_CTX = _CTX
# Ledger arithmetic: any rounding (Inexact/Rounded) raises instead of silently inventing or losing money.
LEDGER_CTX = Context(
    prec=38, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact, Rounded]
)


def supported_currency(code: str) -> bool:
    return code in _EXPONENTS


def currencies() -> list[str]:
    return sorted(_EXPONENTS)


# The points rails' pseudo-currencies (seed 003's winz and xp): never a brand currency.
POINT_CURRENCIES = {"winz": "WINZ", "xp": "XP"}


def exponent(currency: str) -> int:
    """Decimal places of a brand currency or of a points rail's pseudo-currency (WINZ, XP)."""
    if currency in POINT_CURRENCIES.values():
        return POINTS_EXPONENT
    try:
        return _EXPONENTS[currency]
    except KeyError as exc:
        raise Unprocessable(f"unsupported currency {currency!r}", code="unsupported_currency") from exc


def quantum(exp: int) -> Decimal:
    return Decimal(1).scaleb(-exp)


def max_amount(exp: int) -> Decimal:
    """The exclusive upper bound of an amount or balance with `exp` decimal places."""
    return Decimal(10) ** (MAX_DIGITS - exp)


def fmt(amount: Decimal, exp: int) -> str:
    """45200 -> '45200.00' for a two-place currency; always plain notation, never 1E+3."""
    with localcontext(_CTX):
        return f"{amount.quantize(quantum(exp)):f}"


def significant_digits(amount: Decimal) -> int:
    """Digits needed to write a finite amount in plain notation, leading zeros and the fraction's trailing
    zeros aside: 123.45 -> 5, 0.001 -> 3, 100 -> 3, 1.000 -> 1 (the measure MAX_DIGITS bounds)."""
    _sign, raw, exp = amount.as_tuple()
    if not isinstance(exp, int):
        raise ValueError("not a finite amount")
    digits = list(raw)
    while exp < 0 and len(digits) > 1 and digits[-1] == 0:
        digits.pop()
        exp += 1
    return len(digits) + exp if exp >= 0 else max(len(digits), -exp)


def plain_amount(value: Any, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A request amount (string or number) read exactly, before its currency is known: a plain decimal,
    finite, positive (zero only when `allow_zero`), at most MAX_DIGITS significant digits. Anything else: 422
    `invalid_amount`. The currency's own bounds come after, in `in_currency`."""
    if isinstance(value, bool) or value is None:
        raise Unprocessable(f"{field} must be a decimal string or number", code="invalid_amount", field=field)
    if isinstance(value, float):
        # JSON numbers arrive here only if a caller bypassed the Decimal-preserving parser; use repr so
        # 0.1 stays 0.1 rather than 0.1000000000000000055511151231257827.
        value = repr(value)
    if isinstance(value, str) and not PLAIN_DECIMAL.fullmatch(value):
        # Decimal() would also take "1_000", " 5 ", "1e3" and non-ASCII digits: an amount is plain digits.
        raise Unprocessable(f'{field} must be a plain decimal such as "45200.00"', code="invalid_amount", field=field)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise Unprocessable(f"{field} is not a number", code="invalid_amount", field=field) from exc
    if not amount.is_finite():
        raise Unprocessable(f"{field} must be finite", code="invalid_amount", field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise Unprocessable(f"{field} must be positive", code="invalid_amount", field=field)
    if significant_digits(amount) > MAX_DIGITS:
        raise Unprocessable(
            f"{field} is too large (at most {MAX_DIGITS} digits, decimals included)", code="invalid_amount", field=field
        )
    return amount.copy_abs() if amount == 0 else amount  # "-0" is zero, never a negative amount


def in_currency(amount: Decimal, exp: int, *, field: str = "amount") -> Decimal:
    """A plain amount (see `plain_amount`) in a currency with `exp` decimal places: no more decimals than
    it has, below 10^(MAX_DIGITS - exp); quantised to it (5 -> 5.00). Otherwise 422 `invalid_amount`."""
    if amount.adjusted() >= MAX_DIGITS - exp:
        raise Unprocessable(
            f"{field} is too large (at most {MAX_DIGITS} digits, decimals included)", code="invalid_amount", field=field
        )
    if amount != amount.quantize(quantum(exp), context=_CTX):
        raise Unprocessable(f"{field} has more than {exp} decimal places", code="invalid_amount", field=field)
    return amount.quantize(quantum(exp), context=_CTX)


def parse_amount(value: Any, exp: int, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """Parses a request amount (string or number) exactly. Over-precise, non-positive or non-finite: 422."""
    return in_currency(plain_amount(value, field=field, allow_zero=allow_zero), exp, field=field)


def to_decimal(value: Any) -> Decimal:
    """A stored number (Decimal from DynamoDB, or a string) as Decimal; never through float."""
    if isinstance(value, Decimal):
        return value
    if value is None:
        return Decimal(0)
    return Decimal(str(value))
