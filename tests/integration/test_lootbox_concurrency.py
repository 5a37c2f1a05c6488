"""Real races on DynamoDB Local: one lootbox open sent 20 times at once with the same idempotency key."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from pitboss import store
from pitboss.errors import ConcurrentUpdate
from pitboss.lootbox import repository
from tests.lootbox_support import Boxes
from tests.wallet_support import assert_ledger_consistent


def test_twenty_parallel_opens_with_one_key_draw_one_prize(ddb_table: str) -> None:
    """issue 13 / seed 003: "Second call (same key): 200 with the SAME reward + deduped": 20 parallel opens
    with the same key are one 201, the rest 200 deduped (or 409 concurrent_update, retryable), one prize."""
    b = Boxes()
    box_id = b.box_id(prizes=[{"weight": 1, "rail": "winz", "amount": "10"}], cost={"rail": "winz", "amount": "4"})
    b.call("winz", {"action": "grant", "amount": "100"})
    barrier = Barrier(20)

    def send(_i: int) -> tuple[int, bool, dict[str, object] | None]:
        barrier.wait()
        try:
            out = b.open(box_id, key="open-2025-05-19-uniq-abc")
        except ConcurrentUpdate:
            return 409, False, None
        return out.status, out.deduped, out.body["reward"]

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(send, range(20)))
    assert [s for s, deduped, _ in results if s == 201 and not deduped] == [201], results
    assert all((s == 200 and deduped) or s == 409 for s, deduped, _ in results if not (s == 201 and not deduped))
    rewards = [r for _, _, r in results if r is not None]
    assert all(r == rewards[0] for r in rewards)  # the SAME reward
    assert b.wallet()["balances"]["winz"] == "106.00"  # 100 - 4 + 10: bought once, paid once
    assert store.get(*repository.nonce_key(b.who.realm, b.user_id))["next"] == 1  # drawn once
    assert len(b.entries()) == 3  # the winz grant, one purchase, one prize
    assert_ledger_consistent(b)
