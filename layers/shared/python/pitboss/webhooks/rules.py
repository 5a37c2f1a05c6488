"""Pure webhook decisions: signatures, which URLs may receive events, which events an endpoint takes, and
the retry schedule (exponential backoff with jitter inside a window). No I/O, no clock reads."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

SIGNATURE_HEADER = "Pitboss-Signature"
SIGNATURE_TOLERANCE_SECONDS = 300
RECENT_ATTEMPTS = 10


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`: the header value for one attempt."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = SIGNATURE_TOLERANCE_SECONDS) -> bool:
    """What a receiver checks: a v1 signature over this body, made with this secret, recently."""
    parts: dict[str, list[str]] = {}
    for piece in header.split(","):
        name, _, value = piece.strip().partition("=")
        parts.setdefault(name, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, v) for v in parts.get("v1", []))


def url_problem(url: str, addresses: Iterable[str] | None, *, local: bool) -> str | None:
    """Why `url` may not receive events, or None. `addresses` are what its host resolves to (None when it
    does not resolve). Deployed: https only, and every address public (no private, loopback, link-local,
    ...: the SSRF guard). Locally (`make dev`): http is fine for a loopback receiver."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # a malformed port raises here
    except ValueError:
        return "not a URL"
    if parts.scheme not in ("https", "http") or not host:
        return "not an http(s) URL"
    if parts.username or parts.password:
        return "credentials in the URL are not allowed"
    found = list(addresses or [])
    if not found:
        return "the host does not resolve"
    ips = [ipaddress.ip_address(a.split("%", 1)[0]) for a in found]
    if local:
        if parts.scheme == "http" and not all(ip.is_loopback for ip in ips):
            return "http is only allowed for a loopback receiver; use https"
        return None
    if parts.scheme != "https":
        return "only https URLs receive events"
    if not all(ip.is_global and not ip.is_multicast for ip in ips):
        return "the host resolves to a private, loopback or reserved address"
    return None


def takes(subscribed: Any, event_type: str) -> bool:
    return subscribed == "*" or event_type in (subscribed or [])


def retry_delay(attempt: int, *, base: float, cap: float, jitter: float) -> float:
    """Seconds before attempt `attempt + 1` after `attempt` failures: base·2^(n-1), capped, with full jitter
    over its upper half (`jitter` in [0, 1)), so endpoints that failed together do not retry together."""
    delay = min(cap, base * 2.0 ** max(0, attempt - 1))
    return delay * (0.5 + jitter / 2)


def success(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300
