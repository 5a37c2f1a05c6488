"""Idempotent writes: the record of a request is written in the SAME transaction as its effect.

A write reads its items and the idempotency record in one consistent BatchGetItem, decides, and commits
one TransactWriteItems whose last operation puts the record with attribute_not_exists. A replay (same key,
same request) answers the stored body with 200 and "deduped": true; the same key with another request is
409. A crash between decide and write leaves nothing; a lost race on the record answers the winner's body.
Stored answers are compressed JSON (`pack`), so a record stays near one write unit whatever the answer holds.

A record also names the brand of the player its answer is about (issue 10 #2): idempotency keys are shared by
every API key of a realm, so a replay is answered only to a caller that may see that brand. Anyone else gets
what the request earns without the key: the flow's own refusal (404 for a player it can't see), else a 409,
never the stored answer.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from pitboss import clock, ids, keys, observability, retry, store
from pitboss.errors import ConcurrentUpdate, IdempotencyConflict, PitbossError, TransactionCancelled
from pitboss.settings import get_settings

MAX_KEY_LENGTH = 255
MAX_ATTEMPTS = 6


class Caller(Protocol):
    """Who sends the request (a tenancy.Principal): its realm and the brands it may see."""

    @property
    def realm(self) -> str: ...

    def visible_brand_ids(self) -> list[int]: ...


@dataclass(frozen=True)
class IdemRequest:
    realm: str
    key: str
    fingerprint: str
    supplied: bool
    # The brands the caller may see; None: every brand of the realm (an internal caller, e.g. the scheduler).
    brands: frozenset[int] | None = None

    @property
    def item_key(self) -> tuple[str, str]:
        return (keys.idempotency_pk(self.realm, self.key), "IDEM")

    def may_see(self, brand_id: int | None) -> bool:
        """A stored answer about a player of `brand_id` (None: not about one player) may go to this caller."""
        return brand_id is None or self.brands is None or brand_id in self.brands


def fingerprint(method: str, route: str, body: Any) -> str:
    """What makes two requests "the same": method, route and body, minus the idempotency key itself."""
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k != "idempotency_key"}
    canonical = json.dumps([method.upper(), route, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def begin(caller: Caller | str, idempotency_key: str | None, method: str, route: str, body: Any) -> IdemRequest:
    """The request's idempotency: its key (the caller's, or `auto-<ulid>`), its fingerprint, and who may see
    its replays. Routes pass the Principal; a bare realm is an internal caller that sees every brand."""
    supplied = bool(idempotency_key)
    key = idempotency_key if idempotency_key else f"auto-{ids.ulid()}"
    realm, brands = (caller, None) if isinstance(caller, str) else (caller.realm, frozenset(caller.visible_brand_ids()))
    return IdemRequest(
        realm=realm, key=key, fingerprint=fingerprint(method, route, body), supplied=supplied, brands=brands
    )


@dataclass
class Outcome:
    status: int
    body: dict[str, Any]
    deduped: bool = False
    # The key the request was recorded under (the caller's, or the `auto-` one), answered with the body so a
    # client that sent none can still retry safely (issue 10 #6). Set by `execute`; not part of `body`.
    idempotency_key: str | None = None

    def response_body(self) -> dict[str, Any]:
        body = {**self.body, "deduped": True} if self.deduped else self.body
        return body if self.idempotency_key is None else {**body, "idempotency_key": self.idempotency_key}


@dataclass
class Decision:
    """What a write decided, given what it read: the operations and the answer if they commit.

    `on_cancel` maps a cancelled transaction to a domain error, or returns None to re-read and retry
    (a lost optimistic-lock race). The idempotency record is appended by `execute`, not here."""

    ops: list[store.Op]
    status: int
    body: dict[str, Any]
    on_cancel: Callable[[TransactionCancelled], PitbossError | None] = field(default=lambda _exc: None)
    after_commit: Callable[[], None] | None = None
    # The brand of the player the answer is about, when no PROFILE item was read (e.g. a player created now).
    brand_id: int | None = None


def pack(body: dict[str, Any]) -> bytes:
    """An answer as stored: compact JSON, zlib-compressed (a binary attribute). Answers repeat their keys
    (a wallet view, its bonuses and open rounds), so they shrink about five-fold, and write units follow size."""
    return zlib.compress(json.dumps(body, separators=(",", ":"), default=str).encode())


def unpack(stored: Any) -> dict[str, Any]:
    """An answer stored by `pack`, or as JSON text (as records were written before answers were packed)."""
    if not isinstance(stored, str):
        stored = zlib.decompress(bytes(stored))  # the store hands back bytes (boto3 handed back a Binary)
    body: dict[str, Any] = json.loads(stored)
    return body


def replay(record: dict[str, Any], request: IdemRequest) -> Outcome:
    if record.get("fingerprint") != request.fingerprint:
        raise _key_used(request)
    observability.count("IdempotentReplay")
    return Outcome(status=200, body=unpack(record["response"]), deduped=True)


def record_op(request: IdemRequest, status: int, body: dict[str, Any], brand_id: int | None = None) -> store.Put:
    created = clock.now()
    ttl_days = get_settings().idempotency_ttl_days
    pk, sk = request.item_key
    item: dict[str, Any] = {
        "pk": pk,
        "sk": sk,
        "fingerprint": request.fingerprint,
        "status": status,
        "response": pack(body),
        "created_at": clock.iso(created),
        "ttl": int((created + timedelta(days=ttl_days)).timestamp()),
    }
    if brand_id is not None:
        item["brand_id"] = brand_id
    return store.Put(item, condition="attribute_not_exists(pk)")


def _profile_brand(items: dict[tuple[str, str], dict[str, Any]]) -> int | None:
    """The brand of the player profile among the items a write read (dossier writes and movements read it)."""
    for (_pk, sk), item in items.items():
        if sk == keys.PROFILE and item.get("brand_id") is not None:
            return int(item["brand_id"])
    return None


def _record_brand(record: dict[str, Any], items: dict[tuple[str, str], dict[str, Any]]) -> int | None:
    """The brand a stored answer is about: written on the record, or (a record from before brands were
    written) the profile read with it, which is the same player since the fingerprint names the player."""
    stored = record.get("brand_id")
    return int(stored) if stored is not None else _profile_brand(items)


def _key_used(request: IdemRequest) -> IdempotencyConflict:
    """The key answers another request: the caller's own with another body, or one it may not see (same words,
    so the answer tells nothing about the other request)."""
    return IdempotencyConflict(
        "this idempotency_key was already used with a different request", idempotency_key=request.key
    )


def execute(
    request: IdemRequest,
    read_keys: list[tuple[str, str]],
    decide: Callable[[dict[tuple[str, str], dict[str, Any]]], Decision | Outcome],
    *,
    attempts: int = MAX_ATTEMPTS,
) -> Outcome:
    """Read (1 round trip), decide, commit (1 round trip); re-read on a lost race (pitboss.retry).

    `decide` may also return an Outcome directly (e.g. a no-op that needs no write). Every outcome carries
    the request's idempotency key, which a retry of the same request may send to get the same answer."""
    outcome = _execute(request, read_keys, decide, attempts)
    outcome.idempotency_key = request.key
    return outcome


def _execute(
    request: IdemRequest,
    read_keys: list[tuple[str, str]],
    decide: Callable[[dict[tuple[str, str], dict[str, Any]]], Decision | Outcome],
    attempts: int,
) -> Outcome:
    for _attempt in retry.attempts(attempts, what="idempotent_write"):
        items = store.batch_get([*read_keys, request.item_key])
        record = items.pop(request.item_key, None)
        if record is not None and request.may_see(_record_brand(record, items)):
            return replay(record, request)
        # No record, or one about a player this caller may not see: decide as if the key were new, so the
        # caller gets the flow's own answer (404 for a player it can't see) and nothing of the stored one.
        decision = decide(items)
        if isinstance(decision, Outcome):
            return decision
        if record is not None:
            raise _key_used(request)
        brand_id = decision.brand_id if decision.brand_id is not None else _profile_brand(items)
        ops = [*decision.ops, record_op(request, decision.status, decision.body, brand_id)]
        try:
            store.transact(ops)
        except TransactionCancelled as exc:
            if exc.failed(len(ops) - 1):
                winner = store.get(*request.item_key)
                if winner is not None:
                    if not request.may_see(_record_brand(winner, items)):
                        raise _key_used(request) from exc
                    return replay(winner, request)
            error = None if exc.is_conflict else decision.on_cancel(exc)
            if error is not None:
                raise error from exc
            continue
        if decision.after_commit is not None:
            decision.after_commit()
        return Outcome(status=decision.status, body=decision.body)
    raise ConcurrentUpdate("too many concurrent changes to this record; retry with the same idempotency_key")
