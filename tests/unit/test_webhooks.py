"""Issue 14 §2, the parts that need no HTTP API: signatures, the SSRF guard, the retry schedule, and the
fan-out sink + delivery worker against a real loopback receiver (moto table)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from pitboss import clock, keys, store
from pitboss.errors import ConcurrentUpdate, NotFound, Unprocessable
from pitboss.settings import reset_settings
from pitboss.tenancy import Principal
from pitboss.webhooks import delivery, endpoints, repository, rules
from pitboss.webhooks.models import WebhookIn, WebhookPatch
from pitboss_local.receiver import Receiver

# ---- signatures -----------------------------------------------------------------------------------------


def test_the_signature_is_hmac_sha256_of_t_dot_body() -> None:
    """'Pitboss-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>'."""
    body = b'{"id":"evt_1"}'
    expected = hmac.new(b"whsec_x", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert rules.signature("whsec_x", 1700000000, body) == f"t=1700000000,v1={expected}"


def test_verify_accepts_the_signature_and_refuses_tampering_other_secrets_and_old_timestamps() -> None:
    body, now = b'{"id":"evt_1"}', 1700000000
    header = rules.signature("whsec_x", now, body)
    assert rules.verify("whsec_x", header, body, now + 10)
    assert not rules.verify("whsec_x", header, body + b" ", now)
    assert not rules.verify("whsec_y", header, body, now)
    assert not rules.verify("whsec_x", header, body, now + rules.SIGNATURE_TOLERANCE_SECONDS + 1)
    assert not rules.verify("whsec_x", "garbage", body, now)


# ---- where events may go ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "addresses", "allowed"),
    [
        ("https://crm.example.com/hook", ["93.184.216.34"], True),
        ("http://crm.example.com/hook", ["93.184.216.34"], False),  # https only on deploy
        ("https://internal.example.com/", ["10.0.0.5"], False),  # private
        ("https://internal.example.com/", ["93.184.216.34", "192.168.1.1"], False),  # EVERY address checked
        ("https://localhost/", ["127.0.0.1"], False),  # loopback
        ("https://metadata/", ["169.254.169.254"], False),  # link-local (instance metadata)
        ("https://v6/", ["::1"], False),
        ("https://v6/", ["fd00::1"], False),
        ("https://0/", ["0.0.0.0"], False),
        ("https://nowhere.invalid/", None, False),
        ("https://user:pw@crm.example.com/", ["93.184.216.34"], False),
        ("ftp://crm.example.com/", ["93.184.216.34"], False),
    ],
)
def test_deployed_only_https_to_public_addresses(url: str, addresses: list[str] | None, allowed: bool) -> None:
    """'on deploy refuse private/loopback/link-local addresses (resolve the host, check every address)'."""
    assert (rules.url_problem(url, addresses, local=False) is None) is allowed


def test_locally_http_is_allowed_for_a_loopback_receiver_only() -> None:
    assert rules.url_problem("http://127.0.0.1:9000/hook", ["127.0.0.1"], local=True) is None
    assert rules.url_problem("http://localhost:9000/", ["127.0.0.1", "::1"], local=True) is None
    assert rules.url_problem("http://crm.example.com/", ["93.184.216.34"], local=True) is not None


# ---- retries --------------------------------------------------------------------------------------------


def test_retry_delays_grow_exponentially_with_jitter_and_a_cap() -> None:
    """'exponential backoff with jitter'."""
    low = [rules.retry_delay(n, base=30, cap=3600, jitter=0.0) for n in range(1, 10)]
    high = [rules.retry_delay(n, base=30, cap=3600, jitter=0.999999) for n in range(1, 10)]
    assert low[:4] == [15, 30, 60, 120]
    assert all(h == pytest.approx(2 * lo, rel=1e-5) for lo, h in zip(low, high, strict=True))
    assert max(high) <= 3600


# ---- fan-out and the worker --------------------------------------------------------------------------------


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(port=0).start()
    yield r
    r.stop()


@pytest.fixture
def who(moto_table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Principal]:
    monkeypatch.setenv("WEBHOOK_RETRY_BASE_SECONDS", "60")
    monkeypatch.setenv("WEBHOOK_RETRY_WINDOW_SECONDS", "600")
    reset_settings()
    delivery._endpoints_cache.clear()
    yield Principal(tenant_id="t-hooks", mode="live", key_id="key_1", scopes=["*"], brand_ids=None, brands={})
    reset_settings()


def _event(n: int, mode: str = "live", type_: str = "player.created") -> dict[str, Any]:
    return {
        "id": f"evt_{n:032x}",
        "type": type_,
        "occurred_at": f"2026-11-30T10:00:0{n}.000000Z",
        "tenant_id": "t-hooks",
        "mode": mode,
        "brand_id": 1,
        "player": {"uuid": "u", "username": "x", "player_id": 1},
        "data": {},
    }


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 10, 0, 10, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_fan_out_then_deliveries_in_order_with_retries_until_the_window_ends(
    who: Principal, receiver: Receiver
) -> None:
    clk = Clock()
    clock.set_clock(clk)
    hook = endpoints.create(who, WebhookIn(url=receiver.url, events=["player.created"]))
    test_mode = Principal(tenant_id="t-hooks", mode="test", key_id="k", scopes=["*"], brand_ids=None, brands={})
    endpoints.create(test_mode, WebhookIn(url=receiver.url))

    def frozen_now() -> float:
        return clk.now.timestamp()

    receiver.secret, receiver.now = hook.secret, frozen_now
    receiver.fail_first = 1

    for n in (1, 2):
        delivery.fan_out(_event(n))
        delivery.fan_out(_event(n))  # a redelivered stream record adds nothing
    delivery.fan_out(_event(3, type_="player.updated"))  # not subscribed

    report = delivery.sweep()
    # the first (oldest) delivery failed, so the second waits behind it: order per endpoint
    assert (report.attempts, report.delivered) == (1, 0)
    assert [c["status"] for c in receiver.calls] == [500]
    clk.advance(61)
    report = delivery.sweep()
    assert (report.attempts, report.delivered) == (2, 2)
    assert [e["id"] for e in receiver.accepted] == [_event(1)["id"], _event(2)["id"]]
    page = delivery.list_deliveries(who, hook.id, 10, None)
    assert [(d.status, d.attempts) for d in page.data] == [("delivered", 1), ("delivered", 2)]

    # An endpoint that never answers 2xx: retried until the window (600 s here, 3 days deployed) is over.
    receiver.fail_first = 10_000
    delivery.fan_out(_event(4))
    sweeps = 0
    while endpoints.get(who, hook.id).status == "ok" and sweeps < 50:
        delivery.sweep()
        clk.advance(400)
        sweeps += 1
    assert endpoints.get(who, hook.id).status == "failing"
    failed = delivery.list_deliveries(who, hook.id, 1, None).data[0]
    assert failed.status == "failed" and failed.attempts >= 3 and failed.next_attempt_at is None
    assert not any(repository.due(s, "9999") for s in range(repository.DUE_SHARDS))

    # Re-sent: delivered once the receiver is back; the endpoint is ok again.
    receiver.fail_first = 0
    delivery.resend(who, hook.id, failed.id)
    delivery.sweep()
    assert receiver.accepted[-1]["id"] == _event(4)["id"]
    assert endpoints.get(who, hook.id).status == "ok"


def test_a_disabled_endpoint_gets_nothing_new_and_a_deleted_one_fails_its_queue(
    who: Principal, receiver: Receiver
) -> None:
    hook = endpoints.create(who, WebhookIn(url=receiver.url))
    endpoints.change(who, hook.id, WebhookPatch(enabled=False))
    delivery._endpoints_cache.clear()
    delivery.fan_out(_event(1))
    assert delivery.list_deliveries(who, hook.id, 10, None).data == []
    endpoints.change(who, hook.id, WebhookPatch(enabled=True))
    delivery._endpoints_cache.clear()
    delivery.fan_out(_event(2))
    endpoints.delete(who, hook.id)
    delivery.sweep()
    assert receiver.calls == []
    item = repository.pending(repository.deliveries_pk(keys.realm("t-hooks", "live"), hook.id))
    assert item == []


# ---- endpoint changes racing other writes ----------------------------------------------------------------


class _During:
    """A clock that, the first time the code under test reads it, lets another request write first."""

    def __init__(self, other: Any) -> None:
        self.other, self.done = other, False

    def __call__(self) -> datetime:
        if not self.done:
            self.done = True
            self.other()
        return datetime(2026, 11, 30, 10, 0, 10, tzinfo=UTC)


def test_a_patch_racing_a_delete_does_not_bring_the_endpoint_back(who: Principal, receiver: Receiver) -> None:
    """The PATCH used to read the endpoint, change it and put it whole: a DELETE between the two was undone (the
    operator's removed endpoint came back and got deliveries). It is 404 now, and the endpoint stays deleted."""
    hook = endpoints.create(who, WebhookIn(url=receiver.url))
    clock.set_clock(_During(lambda: endpoints.delete(who, hook.id)))
    with pytest.raises(NotFound):
        endpoints.change(who, hook.id, WebhookPatch(enabled=False))
    assert repository.get_endpoint(who.realm, hook.id) is None


def test_a_patch_racing_a_secret_rotation_keeps_the_new_secret(who: Principal, receiver: Receiver) -> None:
    """A rotation (say, after a leak) that lands while a PATCH is in flight must stand: the whole-item put wrote the
    old secret back. The PATCH changes only its own fields; the delivery worker's status mark is kept the same way."""
    hook = endpoints.create(who, WebhookIn(url=receiver.url, events=["player.created"]))
    rotated: list[str] = []

    def rotate_and_mark() -> None:
        rotated.append(endpoints.rotate_secret(who, hook.id).secret)
        repository.set_endpoint_status(who.realm, hook.id, "failing", "2026-11-30T10:00:09.000000Z")

    clock.set_clock(_During(rotate_and_mark))
    changed = endpoints.change(who, hook.id, WebhookPatch(events=["player.updated"]))
    assert changed.events == ["player.updated"] and changed.status == "failing"
    stored = repository.get_endpoint(who.realm, hook.id)
    assert stored is not None
    assert stored["secret"] == rotated[0] != hook.secret
    assert (stored["status"], stored["events"]) == ("failing", ["player.updated"])


# ---- the cap on endpoints per mode -----------------------------------------------------------------------


def test_the_twenty_first_endpoint_is_refused_and_a_delete_frees_its_place(who: Principal, receiver: Receiver) -> None:
    made = [endpoints.create(who, WebhookIn(url=receiver.url)) for _ in range(endpoints.MAX_ENDPOINTS)]
    with pytest.raises(Unprocessable) as refused:
        endpoints.create(who, WebhookIn(url=receiver.url))
    assert refused.value.code == "too_many_webhooks"
    assert refused.value.message == "at most 20 webhook endpoints per mode"
    endpoints.delete(who, made[0].id)
    endpoints.create(who, WebhookIn(url=receiver.url))
    with pytest.raises(Unprocessable):
        endpoints.create(who, WebhookIn(url=receiver.url))
    other_mode = Principal(tenant_id="t-hooks", mode="test", key_id="key_2", scopes=["*"], brand_ids=None, brands={})
    endpoints.create(other_mode, WebhookIn(url=receiver.url))  # the cap is per mode
    assert len(repository.list_endpoints(who.realm)) == endpoints.MAX_ENDPOINTS


def test_two_creates_racing_for_the_last_place_get_one_endpoint(who: Principal, receiver: Receiver) -> None:
    """The cap was a count read before the put: a create landing between another's count and its put made 21.
    The count is now a condition of the put's own transaction. (The rival runs when the create reads the clock,
    after its checks and before its write.)"""
    for _ in range(endpoints.MAX_ENDPOINTS - 1):
        endpoints.create(who, WebhookIn(url=receiver.url))
    clock.set_clock(_During(lambda: endpoints.create(who, WebhookIn(url=receiver.url))))
    with pytest.raises(Unprocessable) as refused:
        endpoints.create(who, WebhookIn(url=receiver.url))
    assert refused.value.code == "too_many_webhooks"
    assert len(repository.list_endpoints(who.realm)) == endpoints.MAX_ENDPOINTS


def _uncounted(who: Principal, endpoint_id: str, url: str) -> None:
    """An endpoint written without its count, as an older deploy wrote them."""
    stamp = "2026-11-01T00:00:00.000000Z"
    endpoint = {"id": endpoint_id, "url": url, "events": ["*"], "created_at": stamp, "updated_at": stamp}
    repository.put_endpoint(who.realm, endpoint)


def test_endpoints_made_before_the_count_existed_are_counted(who: Principal, receiver: Receiver) -> None:
    """A realm whose endpoints predate the stored count gets it from a listing on its next create or delete."""
    for n in range(endpoints.MAX_ENDPOINTS):
        _uncounted(who, f"wh_old{n}", receiver.url)
    with pytest.raises(Unprocessable):
        endpoints.create(who, WebhookIn(url=receiver.url))
    endpoints.delete(who, "wh_old0")
    endpoints.create(who, WebhookIn(url=receiver.url))
    with pytest.raises(Unprocessable):
        endpoints.create(who, WebhookIn(url=receiver.url))


def test_a_count_that_drifted_is_corrected_instead_of_failing(who: Principal, receiver: Receiver) -> None:
    """An endpoint written uncounted after the count existed (an older deploy still serving during a rollout) puts
    the count off. Too low, the realm's last endpoint could not be deleted (the count's `n > 0` failed: a 500); too
    high, the realm was capped early for good. A refusal now checks the count against a consistent listing."""
    made = endpoints.create(who, WebhookIn(url=receiver.url))
    _uncounted(who, "wh_uncounted", receiver.url)  # two endpoints, counted as one
    endpoints.delete(who, made.id)
    endpoints.delete(who, "wh_uncounted")
    assert repository.list_endpoints(who.realm) == []
    count_key = (repository.endpoints_pk(who.realm), repository.COUNT_SK)
    assert store.get(*count_key)["n"] == 0  # type: ignore[index]

    store.update(*count_key, "SET n = :n", values={":n": endpoints.MAX_ENDPOINTS})  # counted full, none there
    endpoints.create(who, WebhookIn(url=receiver.url))
    assert store.get(*count_key)["n"] == 1  # type: ignore[index]


def test_a_seed_landing_on_a_transaction_in_flight_is_409_not_500(
    who: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`put_if_absent` on a key inside another request's transaction (TransactionConflictException) raised the
    ClientError (a 500); it is ConcurrentUpdate (409, retryable) like `store.update`'s."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    with Stubber(client) as stubber:
        monkeypatch.setattr(store, "client", lambda: client)
        stubber.add_client_error("put_item", service_error_code="TransactionConflictException", http_status_code=400)
        with pytest.raises(ConcurrentUpdate) as raised:
            store.put_if_absent({"pk": repository.endpoints_pk(who.realm), "sk": repository.COUNT_SK, "n": 0})
        assert raised.value.status == 409
        stubber.assert_no_pending_responses()
