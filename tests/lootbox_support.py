"""An in-process driver for lootbox tests (moto or DynamoDB Local), on top of the wallet's driver."""

from __future__ import annotations

from typing import Any

from pitboss import idempotency
from pitboss.idempotency import Outcome
from pitboss.lootbox import definitions, fairness, grants, opening
from pitboss.lootbox.models import GrantIn, LootboxIn
from tests.wallet_support import Driver

PRIZES = [
    {"weight": 50, "rail": "winz", "amount": "10"},
    {"weight": 30, "rail": "xp", "amount": "5"},
    {"weight": 15, "rail": "real", "amount": "2.50"},
    {"weight": 5, "nothing": True},
]


class Boxes(Driver):
    def define(self, body: dict[str, Any] | None = None, key: str | None = None) -> Outcome:
        body = body or {"name": "Daily chest", "prizes": PRIZES}
        model = LootboxIn.model_validate({**body, **({"idempotency_key": key} if key else {})})
        idem = idempotency.begin(self.who.realm, key, "POST", "lootbox_define", body)
        return definitions.create(self.who, model, idem)

    def box_id(self, **body: Any) -> str:
        out = self.define({"name": "Chest", "prizes": PRIZES, **body})
        return str(out.body["lootbox"]["id"])

    def grant(self, lootbox_id: str, count: int = 1, key: str | None = None, user: str | None = None) -> Outcome:
        user = user or self.user_id
        body = {"lootbox_id": lootbox_id, "count": count}
        idem = idempotency.begin(self.who.realm, key, "POST", f"lootbox_grant:{user}", body)
        return grants.grant(self.who, user, GrantIn.model_validate(body), idem)

    def open(self, lootbox_id: str, key: str | None = None, user: str | None = None) -> Outcome:
        user = user or self.user_id
        body = {"user_id": user}
        idem = idempotency.begin(self.who.realm, key, "POST", f"lootbox_open:{lootbox_id}:{user}", body)
        return opening.open_box(self.who, user, lootbox_id, idem)

    def rotate(self, key: str | None = None) -> Outcome:
        idem = idempotency.begin(self.who.realm, key, "POST", "lootbox_rotate", {})
        return fairness.rotate(self.who, None, idem)
