"""Idempotent writes: the record of a request is written in the SAME transaction as its effect.

A write reads its items and the idempotency record in one consistent BatchGetItem, decides, and commits
one TransactWriteItems whose last operation puts the record with attribute_not_exists. A replay (same key,
same request) answers the stored body with 200 and "deduped": true; the same key with another request is
409. A crash between decide and write leaves nothing; a lost race on the record answers the winner's body.
Stored answers are compressed JSON (`pack`), so a record stays near one write unit whatever the answer holds.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pitboss import clock, ids, keys, observability, retry, store
from pitboss.errors import ConcurrentUpdate, IdempotencyConflict, PitbossError, TransactionCancelled
from pitboss.settings import get_settings

MAX_KEY_LENGTH = 255
MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class IdemRequest:
    realm: str
    key: str
    fingerprint: str
    supplied: bool

    @property
    def item_key(self) -> tuple[str, str]:
        return (keys.idempotency_pk(self.realm, self.key), "IDEM")


def fingerprint(method: str, route: str, body: Any) -> str:
    """What makes two requests "the same": method, route and body, minus the idempotency key itself."""
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k != "idempotency_key"}
    canonical = json.dumps([method.upper(), route, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def begin(realm: str, idempotency_key: str | None, method: str, route: str, body: Any) -> IdemRequest:
    supplied = bool(idempotency_key)
    key = idempotency_key if idempotency_key else f"auto-{ids.ulid()}"
    return IdemRequest(realm=realm, key=key, fingerprint=fingerprint(method, route, body), supplied=supplied)


@dataclass
class Outcome:
    status: int
    body: dict[str, Any]
    deduped: bool = False

    def response_body(self) -> dict[str, Any]:
        return {**self.body, "deduped": True} if self.deduped else self.body


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


def pack(body: dict[str, Any]) -> bytes:
    """An answer as stored: compact JSON, zlib-compressed (a binary attribute). Answers repeat their keys
    (a wallet view, its bonuses and open rounds), so they shrink about five-fold, and write units follow size."""
    return zlib.compress(json.dumps(body, separators=(",", ":"), default=str).encode())


def unpack(stored: Any) -> dict[str, Any]:
    """An answer stored by `pack`, or as JSON text (as records were written before answers were packed)."""
    if not isinstance(stored, str):
        stored = zlib.decompress(bytes(getattr(stored, "value", stored)))  # boto3 hands back a Binary
    body: dict[str, Any] = json.loads(stored)
    return body


def replay(record: dict[str, Any], request: IdemRequest) -> Outcome:
    if record.get("fingerprint") != request.fingerprint:
        raise IdempotencyConflict(
            "this idempotency_key was already used with a different request",
            idempotency_key=request.key,
        )
    observability.count("IdempotentReplay")
    return Outcome(status=200, body=unpack(record["response"]), deduped=True)


def record_op(request: IdemRequest, status: int, body: dict[str, Any]) -> store.Put:
    created = clock.now()
    ttl_days = get_settings().idempotency_ttl_days
    pk, sk = request.item_key
    return store.Put(
        {
            "pk": pk,
            "sk": sk,
            "fingerprint": request.fingerprint,
            "status": status,
            "response": pack(body),
            "created_at": clock.iso(created),
            "ttl": int((created + timedelta(days=ttl_days)).timestamp()),
        },
        condition="attribute_not_exists(pk)",
    )


def execute(
    request: IdemRequest,
    read_keys: list[tuple[str, str]],
    decide: Callable[[dict[tuple[str, str], dict[str, Any]]], Decision | Outcome],
    *,
    attempts: int = MAX_ATTEMPTS,
) -> Outcome:
    """Read (1 round trip), decide, commit (1 round trip); re-read on a lost race (pitboss.retry).

    `decide` may also return an Outcome directly (e.g. a no-op that needs no write)."""
    for _attempt in retry.attempts(attempts, what="idempotent_write"):
        items = store.batch_get([*read_keys, request.item_key])
        record = items.pop(request.item_key, None)
        if record is not None:
            return replay(record, request)
        decision = decide(items)
        if isinstance(decision, Outcome):
            return decision
        ops = [*decision.ops, record_op(request, decision.status, decision.body)]
        try:
            store.transact(ops)
        except TransactionCancelled as exc:
            if exc.failed(len(ops) - 1):
                winner = store.get(*request.item_key)
                if winner is not None:
                    return replay(winner, request)
            error = None if exc.is_conflict else decision.on_cancel(exc)
            if error is not None:
                raise error from exc
            continue
        if decision.after_commit is not None:
            decision.after_commit()
        return Outcome(status=decision.status, body=decision.body)
    raise ConcurrentUpdate("too many concurrent changes to this record; retry with the same idempotency_key")
