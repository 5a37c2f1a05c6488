"""The player aggregate as the domain sees it, and its mapping to and from the stored PROFILE item."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from pitboss import chain, keys
from pitboss.types import Model

PlayerStatus = Literal[
    "active",
    "suspended",
    "self_excluded",
    "fraud_hold",
    "aml_hold",
    "withdrawal_hold",
    "affordability_review",
    "closed",
]
KycStatus = Literal["none", "pending", "approved", "rejected"]
RiskBand = Literal["low", "medium", "high"]

# Money limits (Decimal, brand currency) and minute limits (int) a player can carry.
MONEY_LIMITS = (
    "deposit_daily_limit",
    "deposit_weekly_limit",
    "deposit_monthly_limit",
    "loss_daily_limit",
    "loss_weekly_limit",
    "loss_monthly_limit",
    "wager_daily_limit",
)
MINUTE_LIMITS = ("session_duration_limit", "reality_check_interval")
LIMIT_FIELDS = MONEY_LIMITS + MINUTE_LIMITS


class PendingLimit(Model):
    value: Decimal | int | None
    effective_at: str


class DossierNote(Model):
    """A note on the dossier itself (the timeline keeps every event; the dossier keeps the latest notes)."""

    kind: Literal["compliance"]
    text: str
    actor: str
    at: str


class Player(Model):
    """A player as stored: one PROFILE item under the player's partition."""

    realm: str
    user_id: str
    player_id: int  # the numeric id of the back-office and gateway surfaces
    brand_id: int
    username: str
    email: str
    external_ref: str | None = None
    country_code: str | None = None
    date_of_birth: date | None = None
    status: PlayerStatus = "active"
    kyc_status: KycStatus = "none"
    kyc_level: int = 0
    risk_band: RiskBand = "low"
    is_pep: bool = False
    is_sanctioned: bool = False
    tags: list[str] = Field(default_factory=list)
    limits: dict[str, Decimal | int] = Field(default_factory=dict)
    pending: dict[str, PendingLimit] = Field(default_factory=dict)
    cooloff_until: str | None = None
    self_exclusion_until: str | None = None
    self_exclusion_permanent: bool = False
    # True while `status` is the self_excluded that an RG self-exclusion set (not an operator): only that
    # one may be lifted by the scheduler's automatic reinstatement.
    status_from_exclusion: bool = False
    # Player-facing details (the gateway's personal-details page).
    details: dict[str, Any] = Field(default_factory=dict)
    email_verified: bool = False
    notes: list[DossierNote] = Field(default_factory=list)
    version: int = 0
    created_at: str
    updated_at: str
    chain_head: str | None = None  # the timeline's hash chain head (pitboss.chain), moved only by chain.seal

    @property
    def pk(self) -> str:
        return keys.player_pk(self.realm, self.user_id)

    def to_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": self.pk,
            "sk": keys.PROFILE,
            "kind": "player",
            "user_id": self.user_id,
            "player_id": self.player_id,
            "brand_id": self.brand_id,
            "username": self.username,
            "username_lc": self.username.casefold(),
            "email": self.email,
            "external_ref": self.external_ref,
            "country_code": self.country_code,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else None,
            "status": self.status,
            "kyc_status": self.kyc_status,
            "kyc_level": self.kyc_level,
            "risk_band": self.risk_band,
            "is_pep": self.is_pep,
            "is_sanctioned": self.is_sanctioned,
            "tags": list(self.tags),
            "limits": {k: v for k, v in self.limits.items() if v is not None},
            "pending": {k: p.model_dump() for k, p in self.pending.items()},
            "cooloff_until": self.cooloff_until,
            "self_exclusion_until": self.self_exclusion_until,
            "self_exclusion_permanent": self.self_exclusion_permanent,
            "status_from_exclusion": self.status_from_exclusion,
            "details": self.details,
            "email_verified": self.email_verified,
            "notes": [n.model_dump() for n in self.notes],
            "version": self.version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            # Listing indexes: by brand (ordered by username) and across the realm (ordered by id).
            "gsi1pk": keys.brand_players_gsi_pk(self.realm, self.brand_id),
            "gsi1sk": self.username.casefold(),
            "gsi2pk": keys.tenant_players_gsi_pk(self.realm),
            "gsi2sk": f"{self.player_id:012d}",
        }
        if self.chain_head:
            item[chain.HEAD] = self.chain_head
        due = self.next_due_at()
        if due is not None:
            # Sparse index of players with an expiry to process (cool-off, exclusion, pending limit).
            item["due_pk"] = keys.DUE_PK
            item["due_at"] = due
        return item

    def next_due_at(self) -> str | None:
        candidates = [p.effective_at for p in self.pending.values()]
        if self.cooloff_until:
            candidates.append(self.cooloff_until)
        if self.self_exclusion_until and not self.self_exclusion_permanent:
            candidates.append(self.self_exclusion_until)
        return min(candidates) if candidates else None

    @classmethod
    def from_item(cls, realm: str, item: dict[str, Any]) -> Player:
        limits: dict[str, Decimal | int] = {}
        for name, value in (item.get("limits") or {}).items():
            limits[name] = int(value) if name in MINUTE_LIMITS else Decimal(value)
        pending = {}
        for name, raw in (item.get("pending") or {}).items():
            value = raw.get("value")
            if value is not None:
                value = int(value) if name in MINUTE_LIMITS else Decimal(value)
            pending[name] = PendingLimit(value=value, effective_at=raw["effective_at"])
        return cls(
            realm=realm,
            user_id=item["user_id"],
            player_id=int(item["player_id"]),
            brand_id=int(item["brand_id"]),
            username=item["username"],
            email=item["email"],
            external_ref=item.get("external_ref"),
            country_code=item.get("country_code"),
            date_of_birth=date.fromisoformat(item["date_of_birth"]) if item.get("date_of_birth") else None,
            status=item.get("status", "active"),
            kyc_status=item.get("kyc_status", "none"),
            kyc_level=int(item.get("kyc_level", 0)),
            risk_band=item.get("risk_band", "low"),
            is_pep=bool(item.get("is_pep", False)),
            is_sanctioned=bool(item.get("is_sanctioned", False)),
            tags=list(item.get("tags") or []),
            limits=limits,
            pending=pending,
            cooloff_until=item.get("cooloff_until"),
            self_exclusion_until=item.get("self_exclusion_until"),
            self_exclusion_permanent=bool(item.get("self_exclusion_permanent", False)),
            status_from_exclusion=bool(item.get("status_from_exclusion", False)),
            details=dict(item.get("details") or {}),
            email_verified=bool(item.get("email_verified", False)),
            notes=[DossierNote.model_validate(n) for n in item.get("notes") or []],
            version=int(item.get("version", 0)),
            created_at=item["created_at"],
            updated_at=item["updated_at"],
            chain_head=item.get(chain.HEAD),
        )
