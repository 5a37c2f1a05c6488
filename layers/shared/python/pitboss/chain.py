"""The tamper-evident history (issue 14 §5): each player's timeline events and ledger entries are hash-chained.

Every chained item stores `prev_hash` and `hash`; `hash` = SHA-256 (hex) of the item's canonical JSON
(`canonical`), every attribute but `hash` itself, so `prev_hash`, the keys and the content are all in it.
The chain's head lives on the item the transaction already writes: the PROFILE for timeline events, the
WALLET for ledger entries (attribute `chain_head`). `seal` links a transaction's new items just before it is
sent (store.transact calls it, so no flow can forget), reading the head from the anchor item being put and
writing the new head on it; the anchor's put is conditioned on the head it read (on top of its version /
seq condition), so two writers can never fork a chain.

Where a transaction writes events but neither the profile nor the wallet (a password change, a note, an
approval, a reset request: the flow guards the profile with a check or not at all), the events are sealed
alone: `hash` over their content, no `prev_hash`. An edit of one is still detected; its deletion is not.
A timeline event in a wallet transaction without the profile (deposit, withdrawal, bonus) joins the
wallet's chain. History written before the chain carries no hash: the chain starts at the next write.

Canonical JSON: an object's members sorted by key (code point order), no whitespace, strings as JSON with
non-ASCII characters kept (then UTF-8 encoded), numbers (Decimal or int) as their exact value in plain
notation without exponent or trailing fractional zeros (`1.5`, `100`, `-0.01`: DynamoDB keeps a number's
value, not its spelling), booleans as `true`/`false`, null members of an object omitted (DynamoDB does
not store a null attribute), sets as sorted arrays, binary as base64 text."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pitboss import keys

if TYPE_CHECKING:
    from pitboss.ops import Op

GENESIS = "0" * 64  # the prev_hash of a chain's first item
HEAD = "chain_head"
EVENT_PREFIX = "EVT#"
ENTRY_PREFIX = "TX#"


# ---- canonical JSON and the hash ---------------------------------------------------------------


def canonical(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return _number(Decimal(value))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        members = sorted((str(k), v) for k, v in value.items() if v is not None)
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{canonical(v)}" for k, v in members) + "}"
    if isinstance(value, (set, frozenset)):
        return "[" + ",".join(sorted(canonical(v) for v in value)) + "]"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    raw = getattr(value, "value", value)  # boto3's Binary wraps bytes
    if isinstance(raw, (bytes, bytearray)):
        return json.dumps(base64.b64encode(bytes(raw)).decode())
    raise TypeError(f"no canonical form for {type(value).__name__}")


def _number(value: Decimal) -> str:
    return "0" if value == 0 else format(value.normalize(), "f")


def digest(item: Mapping[str, Any]) -> str:
    """The hash of a chained item: SHA-256 over the canonical JSON of every attribute but `hash`."""
    body = canonical({k: v for k, v in item.items() if k != "hash"})
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


# ---- sealing a transaction ---------------------------------------------------------------------


def _link_kind(item: Mapping[str, Any]) -> str | None:
    sk = str(item.get("sk", ""))
    if sk.startswith(EVENT_PREFIX) and item.get("kind") == "event":
        return "event"
    if sk.startswith(ENTRY_PREFIX) and item.get("kind") == "entry":
        return "entry"
    return None


def seal(ops: list[Op]) -> list[Op]:
    """The transaction with its events and entries chained (new Put objects; `ops` is left untouched, so a
    transaction sent again is sealed again the same way)."""
    items: list[dict[str, Any] | None] = [getattr(op, "item", None) for op in ops]  # only a Put has one
    if not any(item is not None and _link_kind(item) for item in items):
        return ops
    anchors: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        if item is not None and item.get("sk") in (keys.PROFILE, keys.WALLET):
            anchors[(str(item["pk"]), str(item["sk"]))] = index
    out = list(ops)
    heads: dict[int, str] = {}
    for index, item in enumerate(items):
        kind = _link_kind(item) if item is not None else None
        if item is None or kind is None:
            continue
        pk = str(item["pk"])
        anchor = anchors.get((pk, keys.WALLET)) if kind == "entry" else None
        if kind == "event":
            anchor = anchors.get((pk, keys.PROFILE), anchors.get((pk, keys.WALLET)))
        linked = dict(item)
        linked.pop("hash", None)
        if anchor is not None:
            anchor_item = items[anchor] or {}
            linked["prev_hash"] = heads.get(anchor, str(anchor_item.get(HEAD) or GENESIS))
        else:
            linked.pop("prev_hash", None)
        linked["hash"] = digest(linked)
        if anchor is not None:
            heads[anchor] = linked["hash"]
        put: Any = ops[index]
        out[index] = dataclasses.replace(put, item=linked)
    for anchor, head in heads.items():
        out[anchor] = _moved_head(ops[anchor], head)
    return out


def _moved_head(op: Any, head: str) -> Any:
    """The anchor's put with its new head, conditioned on the head it read (absent: the chain starts here)."""
    before = op.item.get(HEAD)
    item = {**op.item, HEAD: head}
    condition = op.condition
    names, values = dict(op.names), dict(op.values)
    if condition and "attribute_not_exists(pk)" not in condition:
        names["#chain_head"] = HEAD
        if before:
            values[":chain_head"] = before
            guard = "#chain_head = :chain_head"
        else:
            guard = "attribute_not_exists(#chain_head)"
        condition = f"({condition}) AND {guard}"
    return dataclasses.replace(op, item=item, condition=condition, names=names, values=values)


# ---- verification ------------------------------------------------------------------------------


@dataclass
class Break:
    item: dict[str, Any]
    reason: str  # content_changed | missing_link | not_on_chain


@dataclass
class Report:
    checked: int = 0
    unchained: int = 0
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first_broken(self) -> Break | None:
        """The earliest break: by the item's time (an event's `at`, an entry's `created_at`), then sk."""
        if not self.breaks:
            return None
        return min(self.breaks, key=lambda b: (_when(b.item), str(b.item.get("sk", ""))))


def _when(item: Mapping[str, Any]) -> str:
    return str(item.get("at") or item.get("created_at") or "")


def verify(items: Iterable[Mapping[str, Any]], heads: Iterable[str | None], *, since: str = "") -> Report:
    """Recomputes every chained item's hash and walks each chain from its head (`heads`: the profile's and
    the wallet's `chain_head`, read before `items`) back to GENESIS. Items written after the heads were read
    (descendants of a head, timed at or after `since`) count as checked. Pre-chain items (no `hash`) are
    counted as unchained."""
    report = Report()
    by_hash: dict[str, dict[str, Any]] = {}
    children: dict[str, list[dict[str, Any]]] = {}
    for raw in items:
        item = dict(raw)
        if _link_kind(item) is None:
            continue
        if "hash" not in item:
            report.unchained += 1
            continue
        if digest(item) != item["hash"]:
            report.breaks.append(Break(item, "content_changed"))
        by_hash[str(item["hash"])] = item
        if "prev_hash" in item:
            children.setdefault(str(item["prev_hash"]), []).append(item)
    reached: set[str] = set()
    for head in heads:
        if not head:
            continue
        _walk_back(head, by_hash, reached, report)
        _walk_forward(head, children, reached, since)
    for hash_, item in by_hash.items():
        if "prev_hash" not in item or hash_ in reached:
            continue  # sealed alone (no anchor in its transaction), or on a chain
        prev = str(item["prev_hash"])
        if prev != GENESIS and prev not in by_hash:
            report.breaks.append(Break(item, "missing_link"))
        elif not children.get(hash_):
            # The top of a fragment no head leads to: inserted, or re-hashed after an edit. The honest items
            # below it (each with a successor) were cut off by this break, not broken themselves.
            report.breaks.append(Break(item, "not_on_chain"))
    report.checked = len(by_hash)
    return report


def _walk_back(head: str, by_hash: Mapping[str, dict[str, Any]], reached: set[str], report: Report) -> None:
    current, after = head, None
    while current != GENESIS and current not in reached:
        item = by_hash.get(current)
        if item is None:
            # The item this link names is gone (deleted, or edited and re-hashed): the break is at its successor.
            report.breaks.append(Break(after or {"sk": "", "at": "~", "hash": current}, "missing_link"))
            return
        reached.add(current)
        after, current = item, str(item.get("prev_hash", GENESIS))


def _walk_forward(head: str, children: Mapping[str, list[dict[str, Any]]], reached: set[str], since: str) -> None:
    """Items chained after the head was read: only recent ones, so an item forged onto an old head is not."""
    frontier = [head]
    while frontier:
        for child in children.get(frontier.pop(), []):
            child_hash = str(child["hash"])
            if child_hash not in reached and _when(child) >= since:
                reached.add(child_hash)
                frontier.append(child_hash)
