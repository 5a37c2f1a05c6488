"""DynamoDB access: the one module that talks to DynamoDB (through botocore's client; boto3 is not imported,
see pitboss.attrvalues); turns ClientError into domain exceptions.

Items cross this boundary as plain Python dicts (numbers as Decimal). Every write that protects an invariant
carries its condition; TransactWriteItems cancellations are read item by item. The write operations a
transaction is made of (Put, Update, Delete, Check) are described in pitboss.ops, re-exported here as
store.Put & co. for the repositories that build them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

from pitboss import attrvalues, chain, retry
from pitboss.errors import ConcurrentUpdate, Conflict, TransactionCancelled
from pitboss.ops import Assignments as Assignments  # noqa: PLC0414
from pitboss.ops import Check as Check  # noqa: PLC0414
from pitboss.ops import Delete as Delete  # noqa: PLC0414
from pitboss.ops import Op as Op  # noqa: PLC0414
from pitboss.ops import Put as Put  # noqa: PLC0414
from pitboss.ops import Update as Update  # noqa: PLC0414
from pitboss.ops import assignments as assignments  # noqa: PLC0414
from pitboss.ops import conditions, encoded, encoded_values
from pitboss.ops import key as key  # noqa: PLC0414

Item = dict[str, Any]

_to_attr = attrvalues.serialize
_from_attr = attrvalues.deserialize
_lock = threading.Lock()
_clients: dict[tuple[str | None, str], Any] = {}
_sessions: list[botocore.session.Session] = []  # one at a time, as boto3's default session: made with the
# first client, forgotten by reset_clients
UNPROCESSED_ATTEMPTS = 8


class RoundTrips(threading.local):
    """Counts DynamoDB requests per thread, so tests and benchmarks can assert round trips."""

    def __init__(self) -> None:
        self.count = 0
        self.consumed_rcu = 0.0
        self.consumed_wcu = 0.0


round_trips = RoundTrips()


@dataclass(frozen=True)
class Connection:
    table_name: str
    endpoint_url: str | None
    region: str


@lru_cache(maxsize=1)
def connection() -> Connection:
    """The table and endpoint, from the variables template.yaml and Lambda set: TABLE_NAME,
    DYNAMODB_ENDPOINT_URL (local stacks only), AWS_REGION or AWS_DEFAULT_REGION; empty means unset.

    Read here, not through pitboss.settings, which is the one exception to "configuration comes from the
    settings model": that model's import costs more than the boto3 client itself at cold start, and the
    authorizer, which needs nothing but the table, must not pay it. A unit test holds both readings equal."""
    env = os.environ
    table = env.get("TABLE_NAME") or "pitboss"
    if len(table) < 3:
        raise ValueError(f"TABLE_NAME {table!r} is not a DynamoDB table name")
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
    return Connection(table_name=table, endpoint_url=env.get("DYNAMODB_ENDPOINT_URL") or None, region=region)


def client() -> Any:
    """The DynamoDB client for the current connection, created on first use and then reused."""
    found = connection()
    cache_key = (found.endpoint_url, found.region)
    client_ = _clients.get(cache_key)
    if client_ is not None:
        return client_
    with _lock:
        client_ = _clients.get(cache_key)
        if client_ is None:
            client_ = _session().create_client(
                "dynamodb",
                endpoint_url=found.endpoint_url,
                region_name=found.region,
                config=Config(
                    retries={"max_attempts": 3, "mode": "standard"},
                    connect_timeout=2,
                    read_timeout=5,
                    max_pool_connections=50,
                    # Requests are built here, typed, never from raw input, and DynamoDB checks the same
                    # shapes itself (a ValidationException); botocore's client-side pass was about a sixth
                    # of each call's CPU.
                    parameter_validation=False,
                ),
            )
            _clients[cache_key] = client_
    return client_


def _session() -> botocore.session.Session:
    """The process's botocore session (call with _lock held): made once, shared by every client."""
    if not _sessions:
        _sessions.append(botocore.session.get_session())
    return _sessions[0]


def aws_client(*, service: str, **options: Any) -> Any:
    """A new client of another AWS service (pitboss.bus: EventBridge) from the same session as the DynamoDB
    client, so the endpoint and retry data botocore loads are loaded once per process. (`service` by name: a
    store call's first positional literal is a partition key to tests/unit/test_iam.py's scan.)"""
    with _lock:
        return _session().create_client(service, **options)


def reset_clients() -> None:
    """Forget the connection, its clients and the botocore session (tests and the local stack change the
    environment; a session also keeps the credentials it resolved and the event handlers it was created with,
    such as moto's, which a session made before moto was imported would never have)."""
    with _lock:
        _clients.clear()
        _sessions.clear()
        connection.cache_clear()


def table_name() -> str:
    return connection().table_name


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return encoded(item, _to_attr)


def deserialize(raw: Mapping[str, Any]) -> Item:
    return {k: _from_attr(v) for k, v in raw.items()}


def item_size(item: Mapping[str, Any]) -> int:
    """An item's size as DynamoDB counts it (write units are billed per started KB of it, 2 per KB in a
    transaction; read units per 4 KB): attribute names plus values. Strings and binaries by length,
    numbers about one byte per two significant digits plus one, maps and lists 3 bytes plus one per
    element, booleans and nulls one byte."""
    return sum(len(name.encode()) + _value_size(value) for name, value in serialize(item).items())


def _value_size(value: Mapping[str, Any]) -> int:
    ((kind, raw),) = value.items()
    if kind == "S":
        return len(raw.encode())
    if kind == "B":
        return len(bytes(getattr(raw, "value", raw)))
    if kind == "N":
        digits = raw.lstrip("-").replace(".", "").strip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) + 1 for k, v in raw.items())
    if kind == "L":
        return 3 + sum(_value_size(v) + 1 for v in raw)
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: v}) for v in raw)
    return 1  # BOOL, NULL


def _values(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return encoded_values(values, _to_attr)


def _account(response: Mapping[str, Any], kind: str = "read") -> None:
    round_trips.count += 1
    consumed = response.get("ConsumedCapacity")
    if not consumed:
        return
    caps = consumed if isinstance(consumed, list) else [consumed]
    units = sum(float(c.get("CapacityUnits", 0) or 0) for c in caps)  # float ok: capacity units, not money
    if kind == "read":
        round_trips.consumed_rcu += units
    else:
        round_trips.consumed_wcu += units


# ---- reads -------------------------------------------------------------------------------------


def get(pk: str, sk: str, *, consistent: bool = True) -> Item | None:
    response = client().get_item(
        TableName=table_name(),
        Key=serialize(key(pk, sk)),
        ConsistentRead=consistent,
        ReturnConsumedCapacity="TOTAL",
    )
    _account(response)
    raw = response.get("Item")
    return deserialize(raw) if raw else None


def batch_get(keys: Iterable[tuple[str, str]], *, consistent: bool = True) -> dict[tuple[str, str], Item]:
    """Reads up to 100 items in one round trip (more only if DynamoDB hands back unprocessed keys)."""
    wanted = list(dict.fromkeys(keys))
    found: dict[tuple[str, str], Item] = {}
    if not wanted:
        return found
    request: dict[str, Any] = {
        table_name(): {"Keys": [serialize(key(pk, sk)) for pk, sk in wanted], "ConsistentRead": consistent}
    }
    for _attempt in retry.attempts(UNPROCESSED_ATTEMPTS, what="unprocessed_keys"):
        response = client().batch_get_item(RequestItems=request, ReturnConsumedCapacity="TOTAL")
        _account(response)
        for raw in response.get("Responses", {}).get(table_name(), []):
            item = deserialize(raw)
            found[(item["pk"], item["sk"])] = item
        request = response.get("UnprocessedKeys") or {}
        if not request:
            return found
    raise ConcurrentUpdate("the database is busy; retry the request")


@dataclass
class Page:
    items: list[Item]
    last_key: dict[str, Any] | None


def query(
    pk: str,
    *,
    sk_prefix: str | None = None,
    sk_between: tuple[str, str] | None = None,
    index: str | None = None,
    pk_name: str = "pk",
    sk_name: str = "sk",
    limit: int | None = None,
    forward: bool = True,
    start_key: dict[str, Any] | None = None,
    consistent: bool = False,
    filter_expression: str | None = None,
    names: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    select_count: bool = False,
) -> Page:
    expr_names: dict[str, str] = {"#pk": pk_name, **(names or {})}
    expr_values: dict[str, Any] = {":pk": pk, **(values or {})}
    condition = "#pk = :pk"
    if sk_prefix is not None:
        expr_names["#sk"] = sk_name
        expr_values[":skp"] = sk_prefix
        condition += " AND begins_with(#sk, :skp)"
    elif sk_between is not None:
        expr_names["#sk"] = sk_name
        expr_values[":sklo"], expr_values[":skhi"] = sk_between
        condition += " AND #sk BETWEEN :sklo AND :skhi"
    params: dict[str, Any] = {
        "TableName": table_name(),
        "KeyConditionExpression": condition,
        "ExpressionAttributeNames": expr_names,
        "ExpressionAttributeValues": _values(expr_values),
        "ScanIndexForward": forward,
        "ReturnConsumedCapacity": "TOTAL",
    }
    if index:
        params["IndexName"] = index
    else:
        params["ConsistentRead"] = consistent
    if limit:
        params["Limit"] = limit
    if start_key:
        params["ExclusiveStartKey"] = serialize(start_key)
    if filter_expression:
        params["FilterExpression"] = filter_expression
    if select_count:
        params["Select"] = "COUNT"
    response = client().query(**params)
    _account(response)
    if select_count:
        return Page(items=[{"count": response.get("Count", 0)}], last_key=_last(response))
    return Page(items=[deserialize(i) for i in response.get("Items", [])], last_key=_last(response))


def _last(response: Mapping[str, Any]) -> dict[str, Any] | None:
    raw = response.get("LastEvaluatedKey")
    return deserialize(raw) if raw else None


def query_all(pk: str, **kwargs: Any) -> Iterator[Item]:
    start: dict[str, Any] | None = None
    while True:
        page = query(pk, start_key=start, **kwargs)
        yield from page.items
        if not page.last_key:
            return
        start = page.last_key


def count(pk: str, **kwargs: Any) -> int:
    total = 0
    start: dict[str, Any] | None = None
    while True:
        page = query(pk, start_key=start, select_count=True, **kwargs)
        total += int(page.items[0]["count"])
        if not page.last_key:
            return total
        start = page.last_key


# ---- writes ------------------------------------------------------------------------------------


def transact(ops: list[Op]) -> None:
    """All-or-nothing write of up to 100 operations. Raises TransactionCancelled with per-item reasons."""
    if not ops:
        return
    # Timeline events and ledger entries are hash-chained here, the one door every transaction passes.
    ops = chain.seal(ops)
    try:
        response = client().transact_write_items(
            TransactItems=[op.request(table_name(), _to_attr) for op in ops],
            ReturnConsumedCapacity="TOTAL",
        )
    except ClientError as exc:
        round_trips.count += 1
        error = exc.response.get("Error", {})
        if error.get("Code") == "TransactionCanceledException":
            reasons = [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]
            raise TransactionCancelled(reasons) from exc
        if error.get("Code") in {"TransactionConflictException", "TransactionInProgressException"}:
            raise TransactionCancelled(["TransactionConflict"] * len(ops)) from exc
        raise
    _account(response, "write")


def put_if_absent(item: Item) -> bool:
    """Puts the item unless its key exists; returns False (and writes nothing) when it does."""
    try:
        response = client().put_item(
            TableName=table_name(),
            Item=serialize(item),
            ConditionExpression="attribute_not_exists(pk)",
            ReturnConsumedCapacity="TOTAL",
        )
    except ClientError as exc:
        round_trips.count += 1
        code = exc.response.get("Error", {}).get("Code")
        if code == "ConditionalCheckFailedException":
            return False
        if code == "TransactionConflictException":  # the key is part of an in-flight transaction
            raise ConcurrentUpdate("the item is being changed by a transaction; retry") from exc
        raise
    _account(response, "write")
    return True


def put(item: Item) -> None:
    response = client().put_item(TableName=table_name(), Item=serialize(item), ReturnConsumedCapacity="TOTAL")
    _account(response, "write")


def update(
    pk: str,
    sk: str,
    expression: str,
    *,
    condition: str | None = None,
    names: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    conflict_message: str = "the item changed or does not exist",
) -> Item:
    """UpdateItem returning the new item; a failed condition becomes Conflict."""
    params: dict[str, Any] = {
        "TableName": table_name(),
        "Key": serialize(key(pk, sk)),
        "UpdateExpression": expression,
        "ReturnValues": "ALL_NEW",
        "ReturnConsumedCapacity": "TOTAL",
    }
    conditions(params, condition, names or {}, values or {}, _to_attr)
    try:
        response = client().update_item(**params)
    except ClientError as exc:
        round_trips.count += 1
        code = exc.response.get("Error", {}).get("Code")
        if code == "ConditionalCheckFailedException":
            raise Conflict(conflict_message) from exc
        if code == "TransactionConflictException":  # the item is part of an in-flight transaction
            raise ConcurrentUpdate("the item is being changed by a transaction; retry") from exc
        raise
    _account(response, "write")
    return deserialize(response.get("Attributes", {}))


def next_counter(pk: str, sk: str, name: str = "value") -> int:
    """Atomically increments an integer counter item (never used for money) and returns the new value."""
    item = update(pk, sk, "ADD #v :one", names={"#v": name}, values={":one": 1})
    return int(item[name])
