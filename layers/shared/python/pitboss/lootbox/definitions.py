"""Lootbox definitions: create (optionally as the next version of another), list, disable. A definition is
never edited: a change is a new definition that `replaces` the old one (which is disabled in the same
transaction), so every open is explained by the definition it names."""

from __future__ import annotations

from typing import Any

from pitboss import clock, idempotency, ids, money
from pitboss.errors import Conflict, NotFound
from pitboss.idempotency import Decision, IdemRequest, Outcome
from pitboss.lootbox import fairness, repository
from pitboss.lootbox.entity import Cost, Lootbox, Prize, rail_exponent
from pitboss.lootbox.models import LootboxEnvelope, LootboxIn, LootboxList, lootbox_out
from pitboss.tenancy import Principal


def not_found() -> NotFound:
    return NotFound("lootbox not found", code="lootbox_not_found")


def visible(principal: Principal, box: Lootbox | None) -> Lootbox:
    """The definition, or 404 when it is absent or of a brand this key can't see."""
    if box is None or not principal.can_see_brand(box.brand_id):
        raise not_found()
    return box


def _prizes(body: LootboxIn, currency: str) -> tuple[list[Prize], Cost | None]:
    """Amounts checked against their rail's decimals (422 invalid_amount), before anything is read."""
    prizes = []
    for i, p in enumerate(body.prizes):
        if p.nothing or p.rail is None or p.amount is None:
            prizes.append(Prize(weight=p.weight))
            continue
        amount = money.in_currency(p.amount, rail_exponent(p.rail, currency), field=f"prizes[{i}].amount")
        multiplier = p.wagering_multiplier if p.wagering_multiplier is not None else (1 if p.rail == "bonus" else None)
        prizes.append(Prize(weight=p.weight, rail=p.rail, amount=amount, wagering_multiplier=multiplier))
    cost = None
    if body.cost is not None:
        exp = rail_exponent(body.cost.rail, currency)
        cost = Cost(body.cost.rail, money.in_currency(body.cost.amount, exp, field="cost.amount"))
    return prizes, cost


def create(principal: Principal, body: LootboxIn, idem: IdemRequest) -> Outcome:
    brand = principal.brand(body.brand_id)
    realm = principal.realm
    prizes, cost = _prizes(body, brand.currency)
    lootbox_id = f"lb_{brand.brand_id}_{ids.ulid().lower()}"
    seed_key = repository.seed_key(realm, brand.brand_id)
    reads = [seed_key] + ([repository.definition_key(realm, body.replaces)] if body.replaces else [])

    def decide(items: dict[tuple[str, str], dict[str, Any]]) -> Decision:
        at = clock.iso(clock.now())
        version, ops = 1, []
        if body.replaces:
            found = items.get(repository.definition_key(realm, body.replaces))
            old = visible(principal, Lootbox.from_item(found) if found else None)
            if old.brand_id != brand.brand_id:
                raise not_found()
            if old.superseded_by:
                raise Conflict(f"this version was already replaced by {old.superseded_by}", code="superseded")
            version = old.version + 1
            ops.append(repository.supersede(realm, old.id, lootbox_id, at))
        box = Lootbox(
            id=lootbox_id,
            brand_id=brand.brand_id,
            name=body.name,
            currency=brand.currency,
            prizes=prizes,
            cost=cost,
            version=version,
            replaces=body.replaces,
            created_at=at,
        )
        all_ops: list[repository.Op] = [
            repository.definition_put(realm, box),
            *ops,
            *fairness.first_seed_ops(realm, brand.brand_id, items.get(seed_key), at),
        ]
        answer = LootboxEnvelope(lootbox=lootbox_out(box))
        return Decision(ops=all_ops, status=201, body=answer.model_dump(mode="json"))

    return idempotency.execute(idem, reads, decide)


def listing(principal: Principal, brand_id: int | None) -> LootboxList:
    """Every definition of the brands this key sees (or of `brand_id`), newest first."""
    wanted = None if brand_id is None else principal.brand(brand_id).brand_id
    boxes = [
        b
        for b in repository.definitions(principal.realm)
        if principal.can_see_brand(b.brand_id) and (wanted is None or b.brand_id == wanted)
    ]
    boxes.sort(key=lambda b: b.id.rsplit("_", 1)[1], reverse=True)  # the ulid: creation order, any brand
    return LootboxList(lootboxes=[lootbox_out(b) for b in boxes])


def disable(principal: Principal, lootbox_id: str) -> LootboxEnvelope:
    """Idempotent by nature: disabling a disabled definition answers it as it is (the first disabled_at)."""
    visible(principal, repository.definition(principal.realm, lootbox_id))
    return LootboxEnvelope(lootbox=lootbox_out(repository.disable(principal.realm, lootbox_id, clock.iso(clock.now()))))
