"""Constrained types shared by every API model, defined once."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated

import pycountry
from pydantic import AfterValidator, Field, StringConstraints

USERNAME_RE = r"^[A-Za-z0-9_.\-]{3,32}$"
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _country(value: str) -> str:
    code = value.upper()
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError("not an ISO 3166-1 alpha-2 country code")
    return code


def _not_future(value: date) -> date:
    from pitboss import clock

    if value > clock.now().date():
        raise ValueError("date_of_birth is in the future")
    if value.year < 1900:
        raise ValueError("date_of_birth is before 1900")
    return value


Username = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=USERNAME_RE),
    Field(
        description="Unique within the brand, case-insensitively. 3-32 of A-Z a-z 0-9 _ . -", examples=["StarlordV7"]
    ),
]
CountryCode = Annotated[
    str,
    StringConstraints(min_length=2, max_length=2),
    AfterValidator(_country),
    Field(description="ISO 3166-1 alpha-2", examples=["US"]),
]
DateOfBirth = Annotated[date, AfterValidator(_not_future), Field(description="YYYY-MM-DD, not in the future")]
BrandId = Annotated[int, Field(ge=1, le=2**31 - 1, description="The brand's integer id")]
IdempotencyKey = Annotated[
    str,
    StringConstraints(min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$"),
    Field(description="Re-sending a request with the same key returns the original result (200, deduped: true)."),
]
ExternalRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
# Amounts accept JSON strings or numbers; they are parsed exactly against the currency later.
AmountIn = Annotated[
    Decimal | str,
    Field(description="A positive decimal amount, as a string ('10.00') or a number", examples=["10.00"]),
]


def is_uuid(value: str) -> bool:
    return bool(UUID_RE.match(value))
