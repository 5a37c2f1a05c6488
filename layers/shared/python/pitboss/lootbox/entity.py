"""The lootbox entities (a definition, its prizes and cost, a brand's server seed) and their stored form. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pitboss import money

# Prize rails: seed 003's four; a cost is paid in points only (winz or xp).
PRIZE_RAILS = ("real", "bonus", "winz", "xp")
COST_RAILS = ("winz", "xp")


def rail_exponent(rail: str, currency: str) -> int:
    """Points rails have two places; real and bonus prizes are in the definition's currency."""
    return money.POINTS_EXPONENT if rail in money.POINT_CURRENCIES else money.exponent(currency)


@dataclass(frozen=True)
class Prize:
    weight: int
    rail: str | None = None  # None: the "nothing" prize
    amount: Decimal | None = None
    wagering_multiplier: int | None = None  # bonus prizes only

    @property
    def nothing(self) -> bool:
        return self.rail is None

    def to_item(self) -> dict[str, Any]:
        if self.nothing:
            return {"weight": self.weight, "nothing": True}
        item: dict[str, Any] = {"weight": self.weight, "rail": self.rail, "amount": self.amount}
        if self.wagering_multiplier is not None:
            item["wagering_multiplier"] = self.wagering_multiplier
        return item

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Prize:
        if item.get("nothing"):
            return cls(weight=int(item["weight"]))
        wagering = item.get("wagering_multiplier")
        return cls(
            weight=int(item["weight"]),
            rail=str(item["rail"]),
            amount=money.to_decimal(item["amount"]),
            wagering_multiplier=None if wagering is None else int(wagering),
        )


@dataclass(frozen=True)
class Cost:
    rail: str
    amount: Decimal


@dataclass
class Lootbox:
    """A definition: immutable once written, except that it can be disabled (and, when a new version
    replaces it, names its successor)."""

    id: str
    brand_id: int
    name: str
    currency: str  # real and bonus prizes are in this currency (the brand's default when defined)
    prizes: list[Prize]
    cost: Cost | None = None
    version: int = 1
    replaces: str | None = None
    superseded_by: str | None = None
    created_at: str = ""
    disabled_at: str | None = None

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None

    @property
    def weights(self) -> list[int]:
        return [p.weight for p in self.prizes]

    def attributes(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "brand_id": self.brand_id,
            "name": self.name,
            "currency": self.currency,
            "prizes": [p.to_item() for p in self.prizes],
            "cost": None if self.cost is None else {"rail": self.cost.rail, "amount": self.cost.amount},
            "version": self.version,
            "replaces": self.replaces,
            "created_at": self.created_at,
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Lootbox:
        cost = item.get("cost")
        return cls(
            id=str(item["id"]),
            brand_id=int(item["brand_id"]),
            name=str(item["name"]),
            currency=str(item["currency"]),
            prizes=[Prize.from_item(p) for p in item["prizes"]],
            cost=None if not cost else Cost(str(cost["rail"]), money.to_decimal(cost["amount"])),
            version=int(item.get("version", 1)),
            replaces=item.get("replaces"),
            superseded_by=item.get("superseded_by"),
            created_at=str(item.get("created_at", "")),
            disabled_at=item.get("disabled_at"),
        )


@dataclass(frozen=True)
class Seed:
    """A brand's server seed: `number` counts rotations (1, 2, ...); `seed` stays secret until revealed."""

    number: int
    seed: str
    commitment: str
    created_at: str
    revealed_at: str | None = None

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Seed:
        return cls(
            number=int(item["number"]),
            seed=str(item["seed"]),
            commitment=str(item["commitment"]),
            created_at=str(item["created_at"]),
            revealed_at=item.get("revealed_at"),
        )
