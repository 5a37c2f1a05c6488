"""Pure lootbox decisions: the provably fair draw (HMAC-SHA256, rejection sampling, no modulo bias), the
seed commitment, and what an open pays with. No I/O, no clock.

The draw, exactly (docs/architecture.md "Lootboxes" repeats it so anyone can recompute a draw):

1. key = the brand's server seed (32 bytes; published as 64 hex characters once revealed);
   commitment = SHA-256(key) as hex, published before the seed is used.
2. for round r = 0, 1, 2, ...: message = f"{user_id}:{nonce}" for r = 0, f"{user_id}:{nonce}:{r}" after;
   digest = HMAC-SHA256(key, message as UTF-8) (32 bytes).
3. read the digest as four 8-byte big-endian unsigned integers x0..x3, in order; with W = the sum of the
   prize weights and limit = 2^64 - (2^64 mod W), the first x < limit gives roll = x mod W. An x >= limit is
   rejected (taking it would favour the low rolls: modulo bias); if all four are, go to the next round.
4. the prize is the first (in the definition's order) whose running weight total exceeds roll."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from pitboss.errors import Conflict

SPACE = 2**64
WORD = 8


@dataclass(frozen=True)
class Draw:
    """One draw: the prize's index, the uniform roll in [0, total) that chose it, and what it was drawn from."""

    index: int
    roll: int
    total: int
    message: str
    rounds: int


def commitment(seed_hex: str) -> str:
    """What is published before the seed is used: SHA-256 of the seed's 32 bytes, hex."""
    return hashlib.sha256(bytes.fromhex(seed_hex)).hexdigest()


def message(user_id: str, nonce: int, round_: int = 0) -> str:
    return f"{user_id}:{nonce}" if round_ == 0 else f"{user_id}:{nonce}:{round_}"


def uniform(x: int, total: int) -> int | None:
    """x (uniform on [0, 2^64)) mapped uniformly to [0, total), or None when x falls in the biased tail."""
    limit = SPACE - (SPACE % total)
    return x % total if x < limit else None


def pick(weights: Sequence[int], roll: int) -> int:
    """The index whose weight interval holds `roll`: [0, w0) -> 0, [w0, w0+w1) -> 1, ..."""
    running = 0
    for index, weight in enumerate(weights):
        running += weight
        if roll < running:
            return index
    raise ValueError("roll outside the total weight")  # a bug: roll < sum(weights) always


def draw(seed_hex: str, user_id: str, nonce: int, weights: Sequence[int]) -> Draw:
    """The prize for `user_id`'s `nonce`-th open under this seed (see the module's algorithm)."""
    total = sum(weights)
    if total <= 0:
        raise ValueError("weights must sum to more than 0")
    key = bytes.fromhex(seed_hex)
    round_ = 0
    while True:  # each round rejects with probability < (total/2^64)^4: it ends
        digest = hmac.new(key, message(user_id, nonce, round_).encode(), hashlib.sha256).digest()
        for i in range(0, len(digest), WORD):
            roll = uniform(int.from_bytes(digest[i : i + WORD], "big"), total)
            if roll is not None:
                return Draw(pick(weights, roll), roll, total, message(user_id, nonce), round_ + 1)
        round_ += 1


def pays_with(unopened: int, has_cost: bool) -> str:
    """An open uses one of the player's unopened boxes first; without one it is bought with the cost rail
    ("cost"), or costs nothing when the definition has no cost ("free")."""
    if unopened > 0:
        return "box"
    return "cost" if has_cost else "free"


def refuse_disabled(disabled: bool) -> None:
    if disabled:
        raise Conflict("this lootbox is disabled", code="disabled")


def refuse_real_prize(rail: str, service_mode: str) -> None:
    """issue 13 §1: in a plug_in brand the operator holds the cash; a real-money prize becomes a payout
    instruction (engines-a's payouts), and until that is wired here it is refused, moving nothing."""
    if rail == "real" and service_mode == "plug_in":
        raise Conflict("real-money prizes are paid by the operator's wallet in a plug_in brand", code="service_mode")


def brand_of(lootbox_id: str) -> int:
    """The brand a lootbox id names (lb_<brand>_<ulid>): the open reads the brand's seed in its first round
    trip, before the definition is read (which must then agree, else 404)."""
    return int(lootbox_id.split("_")[1])
