"""A brand's server seeds: the commitment published before use, rotation (which reveals the retired seed),
and the public view players and regulators recompute draws from."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

from pitboss import clock, idempotency
from pitboss.idempotency import Decision, IdemRequest, Outcome
from pitboss.lootbox import repository, rules
from pitboss.lootbox.entity import Seed
from pitboss.lootbox.models import ALGORITHM, FairnessOut, RotateOut, revealed_out, seed_out
from pitboss.tenancy import Principal

SEED_BYTES = 32


def new_seed(number: int, at: str) -> Seed:
    """A fresh secret seed from the OS's CSPRNG, and its commitment."""
    seed = secrets.token_hex(SEED_BYTES)
    return Seed(number=number, seed=seed, commitment=rules.commitment(seed), created_at=at)


def first_seed_ops(realm: str, brand_id: int, current: dict[str, Any] | None, at: str) -> list[repository.Op]:
    """A brand's first seed, written with its first definition, so its commitment is public before any open."""
    if current is not None:
        return []
    return [repository.seed_put(realm, brand_id, new_seed(1, at), replacing=None)]


def view(principal: Principal, brand_id: int | None) -> FairnessOut:
    brand = principal.brand(brand_id)
    current = repository.current_seed(principal.realm, brand.brand_id)
    return FairnessOut(
        brand_id=brand.brand_id,
        algorithm=ALGORITHM,
        current=None if current is None else seed_out(current),
        revealed=[revealed_out(s) for s in repository.revealed_seeds(principal.realm, brand.brand_id)],
    )


def rotate(principal: Principal, brand_id: int | None, idem: IdemRequest) -> Outcome:
    """Retires the current seed (revealed from now on) and commits to a new one, in one transaction: opens
    drawn with the old seed but not yet committed are cancelled by their seed check and draw again."""
    brand = principal.brand(brand_id)
    realm = principal.realm
    key = repository.seed_key(realm, brand.brand_id)

    def decide(items: dict[tuple[str, str], dict[str, Any]]) -> Decision:
        at = clock.iso(clock.now())
        found = items.get(key)
        old = None if found is None else replace(Seed.from_item(found), revealed_at=at)
        fresh = new_seed(1 if old is None else old.number + 1, at)
        ops: list[repository.Op] = [
            repository.seed_put(realm, brand.brand_id, fresh, None if old is None else old.number)
        ]
        if old is not None:
            ops.append(repository.reveal_put(realm, brand.brand_id, old))
        answer = RotateOut(
            brand_id=brand.brand_id, current=seed_out(fresh), revealed=None if old is None else revealed_out(old)
        )
        return Decision(ops=ops, status=201, body=answer.model_dump(mode="json"))

    return idempotency.execute(idem, [key], decide)
