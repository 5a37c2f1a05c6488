"""The wallet's entities and their stored attributes (pure, public): Wallet, Purse, Bonus, OpenRound, Stats,
Posting.

`to_item()` gives an entity's attributes and `from_item()` reads them back; the item keys (pk, sk) are the
repository's business. Other domains may read a wallet through `Wallet.from_item` and `Stats.of`: a
wallet holds one purse per currency; `Wallet.purse(currency)` and `Stats.of(item, currency)` read one."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pitboss import chain, money

# Bonuses that ended stay in the ledger; the wallet keeps only the last few for display.
ENDED_BONUSES_KEPT = 10


@dataclass
class Bonus:
    id: str
    amount: Decimal
    balance: Decimal
    wagering_required: Decimal
    wagered: Decimal
    status: str  # active | converted | forfeited
    granted_at: str
    expires_at: str | None = None
    ended_at: str | None = None
    end_reason: str | None = None
    converted_amount: Decimal | None = None  # what a completed wagering paid into real

    def to_item(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Bonus:
        return cls(
            id=item["id"],
            amount=money.to_decimal(item["amount"]),
            balance=money.to_decimal(item["balance"]),
            wagering_required=money.to_decimal(item["wagering_required"]),
            wagered=money.to_decimal(item["wagered"]),
            status=item["status"],
            granted_at=item["granted_at"],
            expires_at=item.get("expires_at"),
            ended_at=item.get("ended_at"),
            end_reason=item.get("end_reason"),
            converted_amount=money.to_decimal(item["converted_amount"]) if "converted_amount" in item else None,
        )

    def expired(self, now_iso: str) -> bool:
        return self.status == "active" and bool(self.expires_at) and str(self.expires_at) <= now_iso


def round_name(provider: str, round_id: str) -> str:
    """An open round's key on the wallet (providers never contain "#")."""
    return f"{provider}#{round_id}"


@dataclass
class OpenRound:
    """A round with stakes and no settlement yet: `frozen` is the real part of its stakes, held until it
    closes; `stake` counts real and bonus."""

    frozen: Decimal = Decimal(0)
    stake: Decimal = Decimal(0)
    wins: Decimal = Decimal(0)
    bets: int = 0
    opened_at: str = ""

    def to_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {"frozen": self.frozen, "stake": self.stake, "wins": self.wins, "bets": self.bets}
        if self.opened_at:  # rounds opened before opened_at was recorded have none
            item["opened_at"] = self.opened_at
        return item

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> OpenRound:
        return cls(
            frozen=money.to_decimal(item.get("frozen")),
            stake=money.to_decimal(item.get("stake")),
            wins=money.to_decimal(item.get("wins")),
            bets=int(item.get("bets", 0)),
            opened_at=str(item.get("opened_at", "")),
        )


@dataclass
class Purse:
    """One currency's money on a wallet (seed 003: "real - Cash equivalent (USD, EUR, BTC, USDC, ...)"): the
    real and bonus balances, `frozen` (pending withdrawals and real stakes of open rounds), RG counters per
    window, bonuses, open rounds and lifetime stats, all in that currency. The points rails (winz, xp) are
    the wallet's own, never a purse's."""

    currency: str
    real: Decimal = Decimal(0)
    bonus: Decimal = Decimal(0)
    frozen: Decimal = Decimal(0)
    counters: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    bonuses: list[Bonus] = field(default_factory=list)
    # Open rounds by round_name(provider, round_id).
    rounds: dict[str, OpenRound] = field(default_factory=dict)
    # Lifetime activity (see STAT_NAMES), kept with the balances so status reads cost no extra round trip.
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def exp(self) -> int:
        return money.exponent(self.currency)

    def active_bonuses(self) -> list[Bonus]:
        return [b for b in self.bonuses if b.status == "active"]

    def to_item(self) -> dict[str, Any]:
        """The purse's attributes (its real and bonus under `balances`)."""
        ended = [b for b in self.bonuses if b.status != "active"][-ENDED_BONUSES_KEPT:]
        return {
            "balances": {"real": self.real, "bonus": self.bonus},
            "frozen": self.frozen,
            "counters": self.counters,
            "bonuses": [b.to_item() for b in [*self.active_bonuses(), *ended]],
            "rounds": {name: r.to_item() for name, r in self.rounds.items()},
            "stats": self.stats,
        }

    @classmethod
    def from_item(cls, currency: str, item: dict[str, Any]) -> Purse:
        balances = item.get("balances") or {}
        return cls(
            currency=currency,
            real=money.to_decimal(balances.get("real")),
            bonus=money.to_decimal(balances.get("bonus")),
            frozen=money.to_decimal(item.get("frozen")),
            counters={
                kind: {wid: money.to_decimal(v) for wid, v in (windows or {}).items()}
                for kind, windows in (item.get("counters") or {}).items()
            },
            bonuses=[Bonus.from_item(b) for b in item.get("bonuses") or []],
            rounds={name: OpenRound.from_item(r) for name, r in (item.get("rounds") or {}).items()},
            stats=dict(item.get("stats") or {}),
        )


# The purse attributes a wallet item keeps at its top level (its home currency's), as before wallets held
# several currencies: a single-currency item is unchanged, and readers of one currency still read it there.
_HOME_ATTRIBUTES = ("frozen", "counters", "bonuses", "rounds", "stats")


@dataclass
class Wallet:
    """A player's wallet: one purse per currency held, the points rails, one ledger (`seq`) for all of it.

    `currency` is the wallet's home currency, the brand's default when the wallet was made: its purse is
    stored at the item's top level (the layout of single-currency wallets), every other currency's under
    `purses`. `real`, `bonus`, `frozen`, `bonuses`, `rounds`, `counters` and `stats` read the home purse,
    for readers of one currency; `purse(currency)` reads any."""

    user_id: str
    currency: str
    winz: Decimal = Decimal(0)
    xp: Decimal = Decimal(0)
    seq: int = 0
    xp_day: dict[str, Any] = field(default_factory=dict)
    purses: dict[str, Purse] = field(default_factory=dict)
    created_at: str | None = None
    updated_at: str | None = None
    exists: bool = False
    # Engagement engines (issue 13, wallet/engagement.py): lifetime xp, the VIP level it gave, the first
    # real-rail movement. Absent until one of them is set.
    engagement: dict[str, Any] = field(default_factory=dict)
    chain_head: str | None = None  # the ledger's hash chain head (pitboss.chain), moved only by chain.seal

    def __post_init__(self) -> None:
        self.purses.setdefault(self.currency, Purse(self.currency))

    # ---- the home purse, for readers of one currency -----------------------------------------

    @property
    def home(self) -> Purse:
        return self.purses[self.currency]

    @property
    def exp(self) -> int:
        return money.exponent(self.currency)

    @property
    def real(self) -> Decimal:
        return self.home.real

    @property
    def bonus(self) -> Decimal:
        return self.home.bonus

    @property
    def frozen(self) -> Decimal:
        return self.home.frozen

    @property
    def bonuses(self) -> list[Bonus]:
        return self.home.bonuses

    @property
    def rounds(self) -> dict[str, OpenRound]:
        return self.home.rounds

    @property
    def counters(self) -> dict[str, dict[str, Decimal]]:
        return self.home.counters

    @property
    def stats(self) -> dict[str, Any]:
        return self.home.stats

    def active_bonuses(self) -> list[Bonus]:
        return self.home.active_bonuses()

    # ---- every currency ------------------------------------------------------------------------

    def purse(self, currency: str) -> Purse:
        """The purse of `currency` (an empty one, not kept, when the wallet holds none)."""
        return self.purses.get(currency) or Purse(currency)

    def held(self) -> list[str]:
        """The currencies this wallet has a purse in: home first, then alphabetical."""
        return [self.currency, *sorted(c for c in self.purses if c != self.currency)]

    def round_currency(self, name: str) -> str | None:
        """The currency an open round is played in, if it is open."""
        return next((c for c, p in self.purses.items() if name in p.rounds), None)

    def open_rounds(self) -> int:
        return sum(len(p.rounds) for p in self.purses.values())

    def active_bonus_count(self) -> int:
        return sum(len(p.active_bonuses()) for p in self.purses.values())

    def account(self, name: str, currency: str) -> Decimal:
        """A player-side account's balance: `player:winz`/`player:xp` are the wallet's, the rest a purse's."""
        attr = name.split(":", 1)[1]
        owner = self if attr in _POINT_ATTRIBUTES else self.purses[currency]
        return getattr(owner, attr)  # type: ignore[no-any-return]

    def set_account(self, name: str, currency: str, value: Decimal) -> None:
        attr = name.split(":", 1)[1]
        setattr(self if attr in _POINT_ATTRIBUTES else self.purses[currency], attr, value)

    def to_item(self) -> dict[str, Any]:
        home = self.home.to_item()
        item: dict[str, Any] = {
            "kind": "wallet",
            "user_id": self.user_id,
            "currency": self.currency,
            **home,
            "balances": {**home["balances"], "winz": self.winz, "xp": self.xp},
            "seq": self.seq,
            "xp_day": self.xp_day,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
        others = {c: p.to_item() for c, p in self.purses.items() if c != self.currency}
        if others:  # absent on a single-currency wallet: its item is exactly what it always was
            item["purses"] = others
        if self.engagement:
            item["engagement"] = self.engagement
        if self.chain_head:
            item[chain.HEAD] = self.chain_head
        return item

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Wallet:
        balances = item.get("balances") or {}
        currency = item["currency"]
        home = Purse.from_item(currency, {name: item.get(name) for name in ("balances", *_HOME_ATTRIBUTES)})
        purses = {currency: home}
        for other, stored in (item.get("purses") or {}).items():
            purses[other] = Purse.from_item(other, stored)
        return cls(
            user_id=item["user_id"],
            currency=currency,
            winz=money.to_decimal(balances.get("winz")),
            xp=money.to_decimal(balances.get("xp")),
            seq=int(item.get("seq", 0)),
            xp_day=dict(item.get("xp_day") or {}),
            purses=purses,
            created_at=item.get("created_at"),
            updated_at=item.get("updated_at"),
            exists=True,
            engagement=dict(item.get("engagement") or {}),
            chain_head=item.get(chain.HEAD),
        )


_POINT_ATTRIBUTES = frozenset({"winz", "xp"})


# ---- lifetime activity -------------------------------------------------------------------------

STAT_NAMES = (
    "deposit_count",
    "deposits",
    "withdrawals",
    "withdrawals_pending",
    "bet_count",
    "stakes",
    "wins",
    "rounds",
)
_STAT_COUNTS = frozenset({"deposit_count", "bet_count", "rounds"})


@dataclass(frozen=True)
class Stats:
    """A wallet's lifetime activity as read (zeros and None before any movement)."""

    deposit_count: int = 0
    deposits: Decimal = Decimal(0)
    withdrawals: Decimal = Decimal(0)
    withdrawals_pending: Decimal = Decimal(0)
    bet_count: int = 0
    stakes: Decimal = Decimal(0)
    wins: Decimal = Decimal(0)
    rounds: int = 0
    last_deposit_at: str | None = None
    last_deposit_amount: Decimal | None = None
    last_bet_at: str | None = None

    @classmethod
    def of(cls, wallet_item: dict[str, Any] | None, currency: str | None = None) -> Stats:
        """The stats of a stored wallet item (None: no wallet yet) in `currency` (default: the wallet's home
        currency, whose purse is the item's top level)."""
        item = wallet_item or {}
        if currency is not None and currency != item.get("currency", currency):
            item = (item.get("purses") or {}).get(currency) or {}
        raw = item.get("stats") or {}
        values: dict[str, Any] = {
            name: int(raw.get(name, 0)) if name in _STAT_COUNTS else money.to_decimal(raw.get(name))
            for name in STAT_NAMES
        }
        amount = raw.get("last_deposit_amount")
        return cls(
            **values,
            last_deposit_at=raw.get("last_deposit_at"),
            last_deposit_amount=None if amount is None else money.to_decimal(amount),
            last_bet_at=raw.get("last_bet_at"),
        )


# ---- postings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Posting:
    account: str
    rail: str
    currency: str
    amount: Decimal

    def to_item(self) -> dict[str, Any]:
        return {"account": self.account, "rail": self.rail, "currency": self.currency, "amount": self.amount}
