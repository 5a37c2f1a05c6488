"""Real races on DynamoDB Local: threads upserting one new player at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from pitboss import idempotency, tenancy
from pitboss.errors import ConcurrentUpdate
from pitboss.players import upsert as upserts
from pitboss.players.models import PlayerUpsert
from tests.support import make_tenant, unique


def test_concurrent_first_upserts_of_one_player_create_it_once(ddb_table: str) -> None:
    """The losers of the username race update the winner's player (200), never 409 `email_taken` on the
    email the winner itself just took."""
    t = make_tenant()
    who = tenancy.authenticate(f"Bearer {t.live_key}")
    name = unique("Race")
    body = {"username": name, "email": f"{name}@example.com"}
    barrier = Barrier(12)

    def upsert(_: int) -> int:
        barrier.wait()
        for _attempt in range(5):
            try:
                idem = idempotency.begin(who.realm, None, "POST", "/v1/players", body)
                return upserts.upsert_player(who, PlayerUpsert.model_validate(body), idem).status
            except ConcurrentUpdate:
                continue
        return 0

    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(upsert, range(12)))
    assert codes.count(201) == 1 and codes.count(200) == 11, codes
