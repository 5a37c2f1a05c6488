"""The audit domain's API output: a chain verification's answer (never an item key)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from pitboss import chain
from pitboss.types import Model

Reason = Literal["content_changed", "missing_link", "not_on_chain"]


class BrokenLink(Model):
    """The earliest item whose link does not hold, as the timeline or the ledger names it."""

    reason: Reason = Field(
        description=(
            "`content_changed`: the item's hash does not match its content; `missing_link`: the item its "
            "`prev_hash` (or the chain head) names is gone or was re-hashed; `not_on_chain`: the item is not "
            "reachable from the chain head (inserted, or cut off)"
        )
    )
    kind: Literal["event", "entry", "head"] = Field(
        description="a timeline event, a ledger entry, or the chain head itself (its newest item is gone)"
    )
    id: str | None = Field(default=None, description="the event's or the entry's id")
    type: str | None = None
    seq: int | None = Field(default=None, description="a ledger entry's sequence number")
    at: str | None = Field(default=None, description="when the item says it was written")
    hash: str | None = Field(default=None, description="the hash stored on the item (or named by the head)")
    prev_hash: str | None = None

    @classmethod
    def of(cls, broken: chain.Break) -> BrokenLink:
        item: dict[str, Any] = broken.item
        sk = str(item.get("sk", ""))
        kind: Literal["event", "entry", "head"] = (
            "event" if sk.startswith(chain.EVENT_PREFIX) else "entry" if sk.startswith(chain.ENTRY_PREFIX) else "head"
        )
        seq = item.get("seq")
        return cls(
            reason=broken.reason,
            kind=kind,
            id=str(item["id"]) if item.get("id") is not None else None,
            type=str(item["type"]) if item.get("type") is not None else None,
            seq=int(seq) if seq is not None and kind == "entry" else None,
            at=str(item.get("at") or item.get("created_at") or "") or None if kind != "head" else None,
            hash=str(item["hash"]) if item.get("hash") else None,
            prev_hash=str(item["prev_hash"]) if item.get("prev_hash") else None,
        )


class ChainVerification(Model):
    """`{"ok": true, "checked": N}` or `{"ok": false, "checked": N, "first_broken": {...}}`."""

    ok: bool
    checked: int = Field(description="chained timeline events and ledger entries whose hash was recomputed")
    unchained: int = Field(default=0, description="items written before the chain started (not verifiable)")
    first_broken: BrokenLink | None = Field(default=None, description="present only when ok is false")
