"""Deliveries: the fan-out sink (one delivery per matching endpoint per event), the worker's sweep (POST,
signed, in event-time order per endpoint, retried with backoff for the window), listing and re-sending."""

from __future__ import annotations

import base64
import json
import random
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pitboss import clock
from pitboss.errors import NotFound, Unprocessable
from pitboss.observability import count
from pitboss.settings import get_settings
from pitboss.tenancy import Principal
from pitboss.webhooks import endpoints, repository, rules
from pitboss.webhooks.models import AttemptOut, DeliveryList, DeliveryOut

# Endpoints of a realm, cached for a second by the stream consumer: one Query per realm per second at most,
# whatever the event rate; an endpoint receives events from about a second after it is created.
ENDPOINTS_CACHE_SECONDS = 1.0
_endpoints_cache: dict[str, tuple[float, list[Item]]] = {}
_cache_lock = threading.Lock()
Item = dict[str, Any]
USER_AGENT = "Pitboss-Webhooks/1"


def _endpoints(realm: str) -> list[Item]:
    now = time.monotonic()
    with _cache_lock:
        found = _endpoints_cache.get(realm)
    if found is not None and now - found[0] < ENDPOINTS_CACHE_SECONDS:
        return found[1]
    items = repository.list_endpoints(realm, consistent=False)
    with _cache_lock:
        _endpoints_cache[realm] = (now, items)
    return items


def body_of(event: dict[str, Any]) -> str:
    """The exact bytes sent and signed: compact JSON, keys sorted."""
    return json.dumps(event, separators=(",", ":"), sort_keys=True, default=str)


def fan_out(event: dict[str, Any]) -> None:
    """A domain-events subscriber: one delivery per enabled endpoint of the event's realm that takes its
    type. Put if absent, so a redelivered stream record adds nothing."""
    realm = repository.realm_of(event["tenant_id"], event["mode"])
    targets = [e for e in _endpoints(realm) if e.get("enabled", True) and rules.takes(e.get("events"), event["type"])]
    if not targets:
        return
    body, now = body_of(event), clock.iso(clock.now())
    for endpoint in targets:
        repository.add_delivery(realm, str(endpoint["id"]), event, body, now)


# ---- the worker ---------------------------------------------------------------------------------------


@dataclass
class Sweep:
    endpoints: int = 0
    attempts: int = 0
    delivered: int = 0
    failed: int = 0


def sweep(keep_going: Any = None) -> Sweep:
    """Every endpoint with a due delivery gets its pending deliveries sent, oldest event first; an endpoint
    stops at its first failure (later events wait behind it, so each endpoint sees events in order)."""
    report = Sweep()
    now_iso = clock.iso(clock.now())
    partitions: list[str] = []
    for shard in range(repository.DUE_SHARDS):
        for pk, _sk in repository.due(shard, now_iso):
            if pk not in partitions:
                partitions.append(pk)
    for pk in partitions:
        if keep_going is not None and not keep_going():
            break
        report.endpoints += 1
        _send_pending(pk, report)
    return report


def _send_pending(pk: str, report: Sweep) -> None:
    realm, endpoint_id = repository.split_deliveries_pk(pk)
    endpoint = repository.get_endpoint(realm, endpoint_id)
    for item in repository.pending(pk):
        now = clock.now()
        if str(item.get("next_attempt_at", "")) > clock.iso(now):
            return  # the oldest pending event is waiting for its retry: later ones wait behind it
        if endpoint is None:
            _finish(item, now, status="failed", error="endpoint deleted")
            continue
        if not endpoint.get("enabled", True):
            return  # paused: deliveries wait (PATCH enabled=true resumes them)
        report.attempts += 1
        status_code, error = post(endpoint, item)
        if rules.success(status_code):
            report.delivered += 1
            _finish(item, now, status="delivered", status_code=status_code)
            if endpoint.get("status") == "failing":
                repository.set_endpoint_status(realm, endpoint_id, "ok", clock.iso(now))
            continue
        if _retry_or_fail(item, now, status_code, error):
            report.failed += 1
            count("WebhookEndpointFailing")
            repository.set_endpoint_status(realm, endpoint_id, "failing", clock.iso(now))
        return


def post(endpoint: Item, item: Item) -> tuple[int | None, str | None]:
    """One signed POST; (status code, None) or (None, why there was no answer)."""
    url = str(endpoint["url"])
    problem = endpoints.url_problem(url)  # again at send time: DNS may have changed since creation
    if problem is not None:
        return None, f"url not allowed: {problem}"
    body = str(item["body"]).encode()
    timestamp = int(clock.now().timestamp())
    request = urllib.request.Request(  # noqa: S310 - scheme checked by url_problem (http(s) only)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            rules.SIGNATURE_HEADER: rules.signature(str(endpoint["secret"]), timestamp, body),
            "Pitboss-Event-Id": str(item["event_id"]),
        },
    )
    try:
        with _opener.open(request, timeout=get_settings().webhook_timeout_seconds) as response:
            return int(response.status), None
    except urllib.error.HTTPError as exc:
        return int(exc.code), None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return None, type(getattr(exc, "reason", exc)).__name__


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer (3xx = not delivered), never followed: it could point anywhere (SSRF)."""

    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _attempt(now: datetime, status_code: int | None, error: str | None) -> dict[str, Any]:
    return {"at": clock.iso(now), "status_code": status_code, "error": error}


def _recent(item: Item, attempt: dict[str, Any]) -> list[dict[str, Any]]:
    return [*(item.get("recent") or []), attempt][-rules.RECENT_ATTEMPTS :]


def _finish(
    item: Item, now: datetime, *, status: str, status_code: int | None = None, error: str | None = None
) -> None:
    changes: dict[str, Any] = {
        "status": status,
        "attempts": int(item["attempts"]) + (0 if error == "endpoint deleted" else 1),
        "next_attempt_at": None,
        "recent": _recent(item, _attempt(now, status_code, error)),
        "ttl": repository.ttl_for(int(now.timestamp())),
    }
    if status == "delivered":
        changes["delivered_at"] = clock.iso(now)
    repository.record_attempt(item, changes, keep_due=False)


def _retry_or_fail(item: Item, now: datetime, status_code: int | None, error: str | None) -> bool:
    """Schedules the next attempt, or fails the delivery once the window is over; True when it failed."""
    settings = get_settings()
    attempts = int(item["attempts"]) + 1
    delay = rules.retry_delay(
        attempts,
        base=settings.webhook_retry_base_seconds,
        cap=settings.webhook_retry_max_seconds,
        jitter=random.random(),  # noqa: S311 - jitter, not a secret
    )
    next_at = now + timedelta(seconds=delay)
    window_end = clock.parse_iso(str(item.get("window_from") or item["created_at"])) + timedelta(
        seconds=settings.webhook_retry_window_seconds
    )
    if next_at > window_end:
        _finish(item, now, status="failed", status_code=status_code, error=error)
        return True
    changes = {
        "attempts": attempts,
        "next_attempt_at": clock.iso(next_at),
        "recent": _recent(item, _attempt(now, status_code, error)),
    }
    repository.record_attempt(item, changes, keep_due=True)
    return False


# ---- the API: deliveries of one endpoint ------------------------------------------------------------


def delivery_id(sk: str) -> str:
    return "dlv_" + base64.urlsafe_b64encode(sk.encode()).decode().rstrip("=")


def _sk_of(delivery_id_: str) -> str:
    try:
        raw = delivery_id_.removeprefix("dlv_")
        sk = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotFound("delivery not found", code="delivery_not_found") from exc
    if not sk.startswith(repository.DELIVERY_PREFIX):
        raise NotFound("delivery not found", code="delivery_not_found")
    return sk


def delivery_out(item: Item) -> DeliveryOut:
    return DeliveryOut(
        id=delivery_id(str(item["sk"])),
        event_id=item["event_id"],
        event_type=item["event_type"],
        occurred_at=item["occurred_at"],
        status=item["status"],
        attempts=int(item["attempts"]),
        next_attempt_at=item.get("next_attempt_at") if item["status"] == "pending" else None,
        delivered_at=item.get("delivered_at"),
        recent_attempts=[AttemptOut(**a) for a in item.get("recent") or []],
    )


def _endpoint_pk(who: Principal, endpoint_id: str) -> str:
    if repository.get_endpoint(who.realm, endpoint_id) is None:
        raise NotFound("webhook not found", code="webhook_not_found")
    return repository.deliveries_pk(who.realm, endpoint_id)


def list_deliveries(who: Principal, endpoint_id: str, limit: int, cursor: str | None) -> DeliveryList:
    items, next_cursor = repository.deliveries_page(_endpoint_pk(who, endpoint_id), limit, cursor)
    return DeliveryList(data=[delivery_out(i) for i in items], next_cursor=next_cursor)


def resend(who: Principal, endpoint_id: str, delivery_id_: str) -> DeliveryOut:
    """Queues the delivery again at once, with a fresh retry window (the receiver dedupes on event id)."""
    pk = _endpoint_pk(who, endpoint_id)
    item = repository.get_delivery(pk, _sk_of(delivery_id_))
    if item is None:
        raise NotFound("delivery not found", code="delivery_not_found")
    now = clock.iso(clock.now())
    changes = {"status": "pending", "next_attempt_at": now, "window_from": now}
    if not repository.record_attempt(item, changes, keep_due=True):
        raise Unprocessable("the delivery is being attempted right now; try again", code="delivery_busy")
    item.update(changes)
    return delivery_out(item)
