from decimal import Decimal

import pytest

from pitboss import money
from pitboss.errors import Unprocessable


@pytest.mark.parametrize(
    ("raw", "exp", "expected"),
    [
        ("10", 2, "10.00"),
        ("0.01", 2, "0.01"),
        (Decimal("45200.00"), 2, "45200.00"),
        (5, 0, "5"),
        ("0.00000001", 8, "0.00000001"),
    ],
)
def test_parse_amount_is_exact(raw: object, exp: int, expected: str) -> None:
    assert money.fmt(money.parse_amount(raw, exp), exp) == expected


@pytest.mark.parametrize(
    "raw",
    ["0", "-1", "0.001", "NaN", "Infinity", "abc", None, True, "1e400", "1" * 40,
     "1_000", "\u0661\u0662", " 5 ", "1e3", "+5", ".5", "5.", ""],
)  # fmt: skip
def test_parse_amount_rejects(raw: object) -> None:
    with pytest.raises(Unprocessable) as err:
        money.parse_amount(raw, 2)
    assert err.value.code in {"invalid_amount"}


def test_float_input_keeps_its_decimal_meaning() -> None:
    assert money.parse_amount(0.1, 2) == Decimal("0.10")


def test_thirty_cent_bets_do_not_drift() -> None:
    balance = Decimal("100.00")
    for _ in range(30):
        balance -= money.parse_amount("0.01", 2)
    assert money.fmt(balance, 2) == "99.70"


def test_unknown_currency() -> None:
    with pytest.raises(Unprocessable):
        money.exponent("XXX")
