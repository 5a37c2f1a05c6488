"""The reports domain's data access: sharded daily counters (usage), their read, and the stream sinks'
dedupe and "active today" markers. Every counter is N items `...#S{n}` in N partitions, one chosen at
random per write and summed on read (DESIGN.md "Counters and aggregates"): no hot item, no TTL on a
billing figure."""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from pitboss import keys, store
from pitboss.errors import TransactionCancelled

USAGE_SHARDS = 10  # 1,000 req/s of one tenant -> ~100 writes/s per partition, a tenth of its limit
SEEN_TTL_SECONDS = 3 * 24 * 3600  # longer than a stream record lives (24 h)
ACTIVE_TTL_SECONDS = 40 * 24 * 3600  # the day's counter keeps the figure; the marker only dedupes


def realm_of(pk: str) -> tuple[str, str] | None:
    """(realm, user_id) of a player partition key `T#{tenant}#{mode}#P#{user_id}`; None for any other."""
    parts = pk.split("#")
    if len(parts) != 5 or parts[0] != "T" or parts[3] != "P":
        return None
    return "#".join(parts[:3]), parts[4]


def realm_tenant(realm: str) -> tuple[str, str]:
    return keys.realm_tenant(realm)


def realm(tenant_id: str, mode: str) -> str:
    return keys.realm(tenant_id, mode)


def _shard() -> int:
    return random.randrange(USAGE_SHARDS)  # noqa: S311 - spreading writes, not a secret


def _usage_pk(realm_: str, day: str, shard: int) -> str:
    return f"{realm_}#USAGE#{day}#S{shard}"


def _adds(counts: Mapping[str, int]) -> tuple[str, dict[str, str], dict[str, Any]]:
    names = {f"#c{i}": name for i, name in enumerate(counts)}
    values = {f":c{i}": Decimal(v) for i, v in enumerate(counts.values())}
    return "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(counts))), names, values


def add_usage(realm_: str, day: str, counts: Mapping[str, int]) -> None:
    """One UpdateItem ADD on a random shard of the day (the request path's only cost)."""
    expression, names, values = _adds(counts)
    store.update(_usage_pk(realm_, day, _shard()), "USAGE", expression, names=names, values=values)


def add_usage_once(marker: str, realm_: str, day: str, counts: Mapping[str, int]) -> bool:
    """ADD on a random shard, exactly once per `marker` (a stream record's id): the marker and the counts
    commit together, so a redelivered record finds its marker and counts nothing. False: counted before."""
    expression, names, values = _adds(counts)
    return _once(
        store.Put(
            {"pk": f"SEEN#{marker}", "sk": "SEEN", "ttl": _ttl(SEEN_TTL_SECONDS)}, condition="attribute_not_exists(pk)"
        ),
        store.Update(_usage_pk(realm_, day, _shard()), "USAGE", expression, names=names, values=values),
    )


def mark_active(realm_: str, day: str, user_id: str, counter: str) -> bool:
    """The player's "active on this day" marker, and +1 to the day's `counter` when the marker is new."""
    return _once(
        store.Put(
            {"pk": f"{realm_}#ACTIVE#{day}", "sk": f"P#{user_id}", "ttl": _ttl(ACTIVE_TTL_SECONDS)},
            condition="attribute_not_exists(pk)",
        ),
        store.Update(
            _usage_pk(realm_, day, _shard()),
            "USAGE",
            "ADD #n :one",
            names={"#n": counter},
            values={":one": Decimal(1)},
        ),
    )


def _once(marker: store.Op, effect: store.Op) -> bool:
    try:
        store.transact([marker, effect])
    except TransactionCancelled as exc:
        if exc.failed(0):
            return False
        raise
    return True


def _ttl(seconds: int) -> int:
    return int(time.time()) + seconds


def usage_days(realm_: str, days: Iterable[str]) -> dict[str, dict[str, int]]:
    """Each day's counters, summed over its shards (BatchGetItem, eventually consistent: a report)."""
    wanted = [(_usage_pk(realm_, day, s), "USAGE", day) for day in days for s in range(USAGE_SHARDS)]
    return {day: {k: int(v) for k, v in sums.items()} for day, sums in _summed(wanted).items()}


def _summed(wanted: list[tuple[str, str, str]]) -> dict[str, dict[str, Decimal]]:
    """(pk, sk, day) shard keys -> per day, each attribute added up over the day's shards."""
    totals: dict[str, dict[str, Decimal]] = {day: {} for _, _, day in wanted}
    for start in range(0, len(wanted), 100):
        chunk = wanted[start : start + 100]
        found = store.batch_get([(pk, sk) for pk, sk, _ in chunk], consistent=False)
        for pk, sk, day in chunk:
            for name, value in (found.get((pk, sk)) or {}).items():
                if name not in ("pk", "sk"):
                    totals[day][name] = totals[day].get(name, Decimal(0)) + Decimal(value)
    return totals


# ---- reconciliation: wallets touched since the last run ----------------------------------------

RECON_SHARDS = 10


def _touched_pk(player_pk: str) -> str:
    shard = int(keys.sha256(player_pk)[:8], 16) % RECON_SHARDS
    return f"RECON#TOUCHED#S{shard}"


def mark_touched(player_pk: str, seq: int) -> None:
    """The sparse "touched" marker of a wallet the stream saw move (a newer seq wins; an older redelivery
    changes nothing)."""
    try:
        store.transact(
            [
                store.Put(
                    {"pk": _touched_pk(player_pk), "sk": player_pk, "seq": seq},
                    condition="attribute_not_exists(pk) OR #seq < :seq",
                    names={"#seq": "seq"},
                    values={":seq": seq},
                )
            ]
        )
    except TransactionCancelled as exc:
        if not exc.failed(0):
            raise


def touched() -> Iterator[dict[str, Any]]:
    """Every touched marker: one Query per shard (the markers are the whole partition; never a Scan)."""
    for shard in range(RECON_SHARDS):
        yield from store.query_all(f"RECON#TOUCHED#S{shard}", consistent=True)


def wallet_with_entries(player_pk: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The wallet (read first) and its entries up to the wallet's seq: a movement committing in between adds
    entries past it, which the next run checks."""
    wallet = store.get(player_pk, keys.WALLET)
    if wallet is None:
        return None, []
    seq = int(wallet.get("seq", 0))
    entries = [e for e in store.query_all(player_pk, sk_prefix="TX#", consistent=True) if int(e["seq"]) <= seq]
    return wallet, entries


def untouch(marker: dict[str, Any]) -> None:
    """Drops a marker once its wallet is checked, unless the wallet moved again meanwhile."""
    try:
        store.transact(
            [
                store.Delete(
                    str(marker["pk"]),
                    str(marker["sk"]),
                    condition="#seq = :seq",
                    names={"#seq": "seq"},
                    values={":seq": marker["seq"]},
                )
            ]
        )
    except TransactionCancelled as exc:
        if not exc.failed(0):
            raise


# ---- GGR: daily aggregates per brand, local day and currency -----------------------------------

GGR_SHARDS = 10


def _ggr_pk(realm_: str, brand_id: int, day: str, shard: int) -> str:
    return f"{realm_}#GGR#{brand_id}#{day}#S{shard}"


def add_ggr_once(marker: str, realm_: str, brand_id: int, day: str, amounts: Mapping[str, Decimal]) -> bool:
    """ADD the amounts (exact decimals: DynamoDB number arithmetic has 38 digits) to a random shard of the
    brand's day, exactly once per `marker`."""
    names = {f"#a{i}": name for i, name in enumerate(amounts)}
    values = {f":a{i}": v for i, v in enumerate(amounts.values())}
    expression = "ADD " + ", ".join(f"#a{i} :a{i}" for i in range(len(amounts)))
    return _once(
        store.Put(
            {"pk": f"SEEN#{marker}", "sk": "SEEN", "ttl": _ttl(SEEN_TTL_SECONDS)}, condition="attribute_not_exists(pk)"
        ),
        store.Update(
            _ggr_pk(realm_, brand_id, day, random.randrange(GGR_SHARDS)),  # noqa: S311 - spreading writes
            "GGR",
            expression,
            names=names,
            values=values,
        ),
    )


def mark_ggr_active(realm_: str, brand_id: int, day: str, currency: str, user_id: str) -> bool:
    """The player's "bet on this brand's local day in this currency" marker, +1 active when new."""
    return _once(
        store.Put(
            {
                "pk": f"{realm_}#GGRACTIVE#{brand_id}#{day}#{currency}",
                "sk": f"P#{user_id}",
                "ttl": _ttl(ACTIVE_TTL_SECONDS),
            },
            condition="attribute_not_exists(pk)",
        ),
        store.Update(
            _ggr_pk(realm_, brand_id, day, random.randrange(GGR_SHARDS)),  # noqa: S311 - spreading writes
            "GGR",
            "ADD #n :one",
            names={"#n": f"{currency}#active_players"},
            values={":one": Decimal(1)},
        ),
    )


def ggr_days(realm_: str, brand_id: int, days: Iterable[str]) -> dict[str, dict[str, Decimal]]:
    """Each local day's `{currency}#{figure}` sums over its shards."""
    return _summed([(_ggr_pk(realm_, brand_id, day, s), "GGR", day) for day in days for s in range(GGR_SHARDS)])


def profile_brand(player_pk: str) -> int | None:
    item = store.get(player_pk, keys.PROFILE, consistent=False)
    return int(item["brand_id"]) if item and item.get("brand_id") is not None else None
