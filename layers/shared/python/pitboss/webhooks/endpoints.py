"""An operator's webhook endpoints: create (secret shown once), list, read, change, delete, rotate the secret.
Endpoints live in the caller's realm, so live and test endpoints are apart like the data."""

from __future__ import annotations

import secrets
import socket
from typing import Any
from urllib.parse import urlsplit

from pitboss import clock, ids, retry
from pitboss.errors import ConcurrentUpdate, NotFound, TransactionCancelled, Unprocessable
from pitboss.settings import get_settings
from pitboss.tenancy import Principal
from pitboss.webhooks import repository, rules
from pitboss.webhooks.models import WebhookIn, WebhookList, WebhookOut, WebhookPatch, WebhookSecret

MAX_ENDPOINTS = 20  # per realm: each event is fanned out to every matching endpoint


def resolve(host: str) -> list[str] | None:
    """Every address the host resolves to (all must be allowed, or a DNS answer could pick a private one)."""
    try:
        return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})
    except (OSError, UnicodeError):
        return None


def url_problem(url: str) -> str | None:
    local = get_settings().stage == "local"
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    return rules.url_problem(url, resolve(host) if host else None, local=local)


def _check_url(url: str) -> None:
    problem = url_problem(url)
    if problem is not None:
        raise Unprocessable(
            f"url can't receive events: {problem}",
            code="invalid_url",
            fields=[{"field": "url", "message": problem}],
        )


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def out(item: dict[str, Any]) -> WebhookOut:
    return WebhookOut(
        id=item["id"],
        url=item["url"],
        events=item["events"],
        description=item.get("description"),
        enabled=bool(item.get("enabled", True)),
        status=item.get("status", "ok"),
        created_at=item["created_at"],
        updated_at=item["updated_at"],
    )


def _fields(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in ("pk", "sk", "kind")}


def _too_many() -> Unprocessable:
    return Unprocessable(f"at most {MAX_ENDPOINTS} webhook endpoints per mode", code="too_many_webhooks")


def create(who: Principal, body: WebhookIn) -> WebhookSecret:
    _check_url(body.url)
    repository.ensure_count(who.realm)
    now = clock.iso(clock.now())
    endpoint = {
        "id": f"wh_{ids.ulid()}".lower(),
        "url": body.url,
        "events": body.events,
        "description": body.description,
        "enabled": True,
        "status": "ok",
        "secret": _new_secret(),
        "created_at": now,
        "updated_at": now,
    }
    for _attempt in retry.attempts(what="webhook_count"):
        try:
            if repository.add_endpoint(who.realm, endpoint, MAX_ENDPOINTS):
                return WebhookSecret(**out(endpoint).model_dump(), secret=endpoint["secret"])
        except TransactionCancelled as exc:
            if exc.is_conflict:
                continue  # another create or delete of this realm committed first: count again
            raise
        if not repository.reconcile_count(who.realm):
            raise _too_many()
        # the count had drifted from the endpoints; corrected, try again
    raise ConcurrentUpdate("the webhook endpoints kept changing; retry")


def _load(who: Principal, endpoint_id: str) -> dict[str, Any]:
    item = repository.get_endpoint(who.realm, endpoint_id)
    if item is None:
        raise NotFound("webhook not found", code="webhook_not_found")
    return _fields(item)


def list_all(who: Principal) -> WebhookList:
    items = sorted(repository.list_endpoints(who.realm), key=lambda i: str(i["created_at"]))
    return WebhookList(data=[out(i) for i in items])


def get(who: Principal, endpoint_id: str) -> WebhookOut:
    return out(_load(who, endpoint_id))


def _update(who: Principal, endpoint_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    item = repository.update_endpoint(who.realm, endpoint_id, {**changes, "updated_at": clock.iso(clock.now())})
    if item is None:
        raise NotFound("webhook not found", code="webhook_not_found")
    return _fields(item)


def change(who: Principal, endpoint_id: str, body: WebhookPatch) -> WebhookOut:
    changes: dict[str, Any] = {}
    if body.enabled is not None:
        changes["enabled"] = body.enabled
        if body.enabled:
            changes["status"] = "ok"  # re-enabling is the operator saying the receiver is fixed
    if body.events is not None:
        changes["events"] = body.events
    if "description" in body.model_fields_set:
        changes["description"] = body.description
    return out(_update(who, endpoint_id, changes))


def delete(who: Principal, endpoint_id: str) -> None:
    repository.ensure_count(who.realm)
    for _attempt in retry.attempts(what="webhook_count"):
        try:
            if not repository.delete_endpoint(who.realm, endpoint_id):
                raise NotFound("webhook not found", code="webhook_not_found")
        except TransactionCancelled as exc:
            if exc.is_conflict or (exc.failed(1) and repository.reconcile_count(who.realm)):
                continue  # a concurrent change, or a count that had drifted to 0 (corrected): again
            raise
        return
    raise ConcurrentUpdate("the webhook endpoints kept changing; retry")


def rotate_secret(who: Principal, endpoint_id: str) -> WebhookSecret:
    """A new secret at once; the old one stops signing (receivers update theirs, then accept both briefly)."""
    endpoint = _update(who, endpoint_id, {"secret": _new_secret()})
    return WebhookSecret(**out(endpoint).model_dump(), secret=endpoint["secret"])
