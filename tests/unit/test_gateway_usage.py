"""Issue 14 §3: "Count, per tenant, per day, per mode: API requests by surface and operation class" - the
player gateway's requests too, in the realm of the brand their path names (live, or test with a publishable
test key)."""

from __future__ import annotations

from pitboss import clock
from pitboss.reports import usage
from tests.gateway_support import call, register
from tests.support import make_tenant, unique


def test_gateway_requests_are_metered_by_class_in_the_brands_realm(moto_table: str) -> None:
    t = make_tenant()
    today = clock.now().date().isoformat()

    def gateway() -> tuple[int, int]:
        requests = usage.realm_report(t.tenant_id, "live", today, today).total.requests.get("gateway")
        return (requests.read, requests.write) if requests else (0, 0)

    assert gateway() == (0, 0)
    created = register(t.brand_id, unique("meter"))  # one write
    assert gateway() == (0, 1)
    r = call("GET", f"/gateway/online-player/v1/player/{t.brand_id}/online/status", token=created["token"])
    assert (r.status, r.json()) == (401, {"result": "TNC_APPROVAL_REQUIRED"})  # answered, so counted
    assert gateway() == (1, 1)
    # the test realm is not billed for live traffic
    assert usage.realm_report(t.tenant_id, "test", today, today).total.requests.get("gateway") is None
