"""API models of the lootbox surface: request bodies and the output models routes return, and the functions
that map entities to them. Amounts are strings on the way out, quantised to their rail's currency."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from pitboss import money
from pitboss.lootbox.entity import Lootbox, Prize, Seed, rail_exponent
from pitboss.types import Amount, BrandInBody, IdempotencyKey, Model
from pitboss.wallet.output import Timestamp, TransactionOut

LOOTBOX_ID_PATTERN = r"^lb_[1-9][0-9]{0,9}_[0-9a-z]{26}$"
LootboxId = Annotated[
    str,
    StringConstraints(pattern=LOOTBOX_ID_PATTERN),
    Field(description="A lootbox definition's id (lb_<brand>_<ulid>)"),
]
MAX_PRIZES = 50
MAX_WEIGHT = 1_000_000
MAX_GRANT = 1000


class _In(BrandInBody):
    model_config = ConfigDict(extra="forbid")
    idempotency_key: IdempotencyKey | None = None


class CostIn(Model):
    model_config = ConfigDict(extra="forbid")
    rail: Literal["winz", "xp"]
    amount: Amount


class PrizeIn(Model):
    """`{weight, rail, amount}` (a bonus prize may name its `wagering_multiplier`, default 1) or
    `{weight, nothing: true}`."""

    model_config = ConfigDict(extra="forbid")
    weight: Annotated[int, Field(strict=True, ge=1, le=MAX_WEIGHT, description="Relative chance (integer)")]
    rail: Literal["real", "bonus", "winz", "xp"] | None = None
    amount: Amount | None = None
    nothing: Literal[True] | None = None
    wagering_multiplier: Annotated[int, Field(strict=True, ge=0, le=1000)] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> PrizeIn:
        if self.nothing:
            if self.rail is not None or self.amount is not None or self.wagering_multiplier is not None:
                raise ValueError("a nothing prize has only a weight")
        elif self.rail is None or self.amount is None:
            raise ValueError("a prize needs rail and amount, or nothing: true")
        elif self.wagering_multiplier is not None and self.rail != "bonus":
            raise ValueError("wagering_multiplier applies to bonus prizes only")
        return self


class LootboxIn(_In):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    cost: CostIn | None = Field(default=None, description="What buying one at open time costs; absent: free")
    prizes: Annotated[list[PrizeIn], Field(min_length=1, max_length=MAX_PRIZES)]
    replaces: LootboxId | None = Field(
        default=None, description="A definition this one is the next version of (that one is disabled)"
    )


class GrantIn(_In):
    lootbox_id: LootboxId
    count: Annotated[int, Field(strict=True, ge=1, le=MAX_GRANT)] = 1


class OpenIn(_In):
    user_id: Annotated[
        str, StringConstraints(min_length=1, max_length=64), Field(description="The player's username or UUID")
    ]


class RotateIn(_In):
    pass


# ---- output ------------------------------------------------------------------------------------


class CostOut(Model):
    rail: str
    amount: str


class PrizeOut(Model):
    weight: int
    nothing: bool
    rail: str | None
    amount: str | None
    currency: str | None
    wagering_multiplier: int | None


class LootboxOut(Model):
    id: str
    brand_id: int
    name: str
    version: int
    replaces: str | None
    superseded_by: str | None
    currency: str = Field(description="The currency of real and bonus prizes")
    cost: CostOut | None = Field(description="null: free to open")
    prizes: list[PrizeOut]
    total_weight: int
    disabled: bool
    disabled_at: Timestamp | None
    created_at: Timestamp


class LootboxEnvelope(Model):
    lootbox: LootboxOut
    deduped: bool | None = Field(default=None, description="true on a replay", exclude_if=lambda v: v is None)


class LootboxList(Model):
    lootboxes: list[LootboxOut]


class GrantOut(Model):
    lootbox: LootboxOut
    granted: int
    unopened: int = Field(description="The player's unopened boxes of this lootbox after the grant")
    deduped: bool | None = Field(default=None, description="true on a replay", exclude_if=lambda v: v is None)


class DrawProof(Model):
    """What recomputes the draw once the seed is revealed (docs/architecture.md, "Lootboxes")."""

    seed_number: int
    commitment: str = Field(description="SHA-256 of the server seed, published before it was used")
    nonce: int
    message: str = Field(description="The HMAC message: '<user_id>:<nonce>'")
    roll: int = Field(description="The uniform roll in [0, total_weight) that chose the prize")
    total_weight: int


class RewardOut(Model):
    prize: int = Field(description="The drawn prize's index in the definition's prizes")
    nothing: bool
    rail: str | None
    amount: str | None
    currency: str | None
    paid_with: Literal["box", "cost", "free"]
    boxes_left: int = Field(description="The player's unopened boxes of this lootbox after this open")
    opened_at: Timestamp
    fairness: DrawProof
    payout_id: str | None = Field(
        default=None,
        description=(
            "A real prize (or a bonus prize with nothing to wager) in a plug_in brand: the payout instruction for "
            "the operator's wallet; absent otherwise"
        ),
        exclude_if=lambda v: v is None,
    )


class OpenOut(Model):
    reward: RewardOut
    lootbox: LootboxOut
    transaction: TransactionOut | None = Field(description="The prize's ledger entry (or the purchase's); null if none")
    related_transactions: list[TransactionOut] = Field(default_factory=list, description="Other entries of the open")
    deduped: bool | None = Field(default=None, description="true on a replay", exclude_if=lambda v: v is None)


class SeedOut(Model):
    seed_number: int
    commitment: str
    created_at: Timestamp


class RevealedSeedOut(SeedOut):
    seed: str = Field(description="The server seed (64 hex characters = 32 bytes), revealed at rotation")
    revealed_at: Timestamp


class FairnessOut(Model):
    brand_id: int
    algorithm: str
    current: SeedOut | None
    revealed: list[RevealedSeedOut] = Field(description="Revealed seeds, newest first (at most 50)")


class RotateOut(Model):
    brand_id: int
    current: SeedOut
    revealed: RevealedSeedOut | None = Field(description="The seed this rotation retired, now public")
    deduped: bool | None = Field(default=None, description="true on a replay", exclude_if=lambda v: v is None)


ALGORITHM = (
    "roll from HMAC-SHA256(server seed bytes, '<user_id>:<nonce>'): 8-byte big-endian words, rejection "
    "above 2^64 - 2^64 mod W; prize = first whose running weight exceeds roll (docs/architecture.md)"
)

# ---- mapping -----------------------------------------------------------------------------------


def amount_str(rail: str, amount: object, currency: str) -> str:
    return money.fmt(money.to_decimal(amount), rail_exponent(rail, currency))


def prize_out(prize: Prize, currency: str) -> PrizeOut:
    if prize.nothing or prize.rail is None or prize.amount is None:
        return PrizeOut(
            weight=prize.weight, nothing=True, rail=None, amount=None, currency=None, wagering_multiplier=None
        )
    return PrizeOut(
        weight=prize.weight,
        nothing=False,
        rail=prize.rail,
        amount=amount_str(prize.rail, prize.amount, currency),
        currency=money.POINT_CURRENCIES.get(prize.rail, currency),
        wagering_multiplier=prize.wagering_multiplier,
    )


def lootbox_out(box: Lootbox) -> LootboxOut:
    return LootboxOut(
        id=box.id,
        brand_id=box.brand_id,
        name=box.name,
        version=box.version,
        replaces=box.replaces,
        superseded_by=box.superseded_by,
        currency=box.currency,
        cost=None
        if box.cost is None
        else CostOut(rail=box.cost.rail, amount=amount_str(box.cost.rail, box.cost.amount, box.currency)),
        prizes=[prize_out(p, box.currency) for p in box.prizes],
        total_weight=sum(box.weights),
        disabled=box.disabled,
        disabled_at=box.disabled_at,
        created_at=box.created_at,
    )


def seed_out(seed: Seed) -> SeedOut:
    return SeedOut(seed_number=seed.number, commitment=seed.commitment, created_at=seed.created_at)


def revealed_out(seed: Seed) -> RevealedSeedOut:
    return RevealedSeedOut(
        seed_number=seed.number,
        commitment=seed.commitment,
        created_at=seed.created_at,
        seed=seed.seed,
        revealed_at=seed.revealed_at or "",
    )
