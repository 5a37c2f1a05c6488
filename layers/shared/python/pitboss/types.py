"""Constrained types shared by every API model, defined once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)

if TYPE_CHECKING:
    from email_validator import ValidatedEmail

USERNAME_RE = r"^[A-Za-z0-9_.\-]{3,32}$"
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def country_code(value: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper-cased (the one country rule of every surface)."""
    import pycountry  # here, not at the top: every function imports this module, few check a country

    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError("not an ISO 3166-1 alpha-2 country code")
    return code


def email_address(value: str) -> str:
    """pydantic's EmailStr check and normalisation (domain lower-cased, "Name <a@b.c>" unwrapped), with
    email-validator imported on the first address checked: EmailStr imports it when a model using it is
    built, on the cold start of every function importing such a model (about a tenth of a bare boto3
    client's cold start, `make coldstart`), though few routes take an address."""
    from pydantic.networks import validate_email

    return validate_email(value)[1]


class EmailNotValidError(ValueError):
    """email-validator's refusal, as validate_email below raises it (the library's own class would have
    to be imported up front to be caught)."""


def validate_email(value: str, **options: Any) -> ValidatedEmail:
    """email_validator.validate_email, imported on the first call (see email_address)."""
    import email_validator

    try:
        return email_validator.validate_email(value, **options)
    except email_validator.EmailNotValidError as exc:
        raise EmailNotValidError(str(exc)) from exc


def birth_date(value: date) -> date:
    """A date of birth: not in the future, not before 1900 (the one birthdate rule of every surface)."""
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
    AfterValidator(country_code),
    Field(description="ISO 3166-1 alpha-2", examples=["US"]),
]
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _iso_date_text(value: object) -> object:
    """Only the seed's YYYY-MM-DD: pydantic alone would also take a datetime string or a timestamp."""
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("use YYYY-MM-DD")
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        raise ValueError("use YYYY-MM-DD")
    return value


DateOfBirth = Annotated[
    date,
    BeforeValidator(_iso_date_text),
    AfterValidator(birth_date),
    Field(description="YYYY-MM-DD, not in the future"),
]
# EmailStr's validation, schema and errors, with email-validator imported on first use (email_address).
EmailAddress = Annotated[str, AfterValidator(email_address), Field(json_schema_extra={"format": "email"})]
# JSON true/false only: "yes", 1 or "true" are refused rather than guessed.
Flag = Annotated[bool, Field(strict=True)]
BrandId = Annotated[int, Field(ge=1, le=2**31 - 1, description="The brand's integer id")]
# In a body the brand is a JSON integer (a query string's "1" is parsed by BrandId).
BodyBrandId = Annotated[int, Field(strict=True, ge=1, le=2**31 - 1, description="The brand's integer id")]


class Model(BaseModel):
    """The base of every model of the layer: its validator and serializer are built when first used, not
    when its module is imported. A cold start imports every model of its function (113 in the gateway) and
    a request uses a handful; building them all at import cost the gateway about 0.4x of a bare boto3
    client's cold start (docs/performance.md, "Cold start"). The OpenAPI document is built as before."""

    model_config = ConfigDict(defer_build=True)


class BrandInBody(Model):
    """A write that may name its brand in the body as well as in `?brand_id=` (they must agree)."""

    brand_id: Annotated[
        BodyBrandId | None, Field(description="Needed with a username when the key spans brands (or ?brand_id=)")
    ] = None


IdempotencyKey = Annotated[
    str,
    StringConstraints(min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$"),
    Field(description="Re-sending a request with the same key returns the original result (200, deduped: true)."),
]
ExternalRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


def plain_number(value: object) -> object:
    """A number given as a JSON number or a plain decimal string ("250", "250.00"); never a bool, and never
    what Decimal() would also take ("1_000", " 5 ", "1e3", non-ASCII digits)."""
    if isinstance(value, bool) or (isinstance(value, str) and not PLAIN_DECIMAL.fullmatch(value)):
        raise ValueError('use a number or a plain decimal string such as "250.00"')
    return value


def _amount(*, allow_zero: bool) -> Callable[[object], Decimal]:
    def parse(value: object) -> Decimal:
        from pitboss import money  # money imports this module

        return money.plain_amount(value, allow_zero=allow_zero)

    return parse


def _amount_schema(description: str) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"}],
            "description": description,
            "examples": ["10.00"],
        }
    )


# Amounts accept JSON strings or numbers and are checked at the edge, before any read: a plain decimal,
# positive, at most money.MAX_DIGITS significant digits. A bad one raises the domain's 422 invalid_amount
# (not a ValueError, so pydantic lets it through as is). The currency's decimals are checked once the
# wallet's currency is known (money.in_currency).
Amount = Annotated[
    Decimal,
    PlainValidator(_amount(allow_zero=False)),
    _amount_schema("A positive decimal amount, as a string ('10.00') or a number; at most 18 digits"),
]
AmountOrZero = Annotated[
    Decimal,
    PlainValidator(_amount(allow_zero=True)),
    _amount_schema("A decimal amount of zero or more, as a string ('10.00') or a number; at most 18 digits"),
]


def is_uuid(value: str) -> bool:
    return bool(UUID_RE.match(value))


# An instant as stored and answered (clock.iso: fixed-width UTC with microseconds and Z). Kept as the
# stored text, so an answer and its idempotent replay are byte-identical; documented as a date-time.
Timestamp = Annotated[
    str,
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2026-03-15T12:00:00.123456Z"]}),
]
