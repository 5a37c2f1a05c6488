"""Real races on DynamoDB Local: providers authenticating one new username at once (issue 11 #6). Seed 001:
"Players are created by the platform when they first authenticate through a game provider"."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import pytest

from pitboss import idempotency, tenancy
from pitboss.errors import ConcurrentUpdate
from pitboss.games import authenticate, repository
from pitboss.games.models import GameSessionIn
from tests.support import make_tenant, unique

RACERS = 10


@pytest.mark.parametrize("trial", range(3))
def test_providers_racing_on_a_new_username_create_one_player(ddb_table: str, trial: int) -> None:
    """One provider creates the player (201, `created: true`); every other one finds it (200, `created: false`,
    the same player) and gets its own session: never a second player, a 409 `email_taken` on the placeholder
    email the winner just took, or a 5xx. A 409 `retryable` is retried with the same key, as a provider would."""
    tenant = make_tenant()
    who = tenancy.authenticate(f"Bearer {tenant.live_key}")
    name = unique("Race")
    barrier = Barrier(RACERS)

    def start(n: int) -> dict[str, Any]:
        body = {"brand_id": tenant.brand_id, "username": name, "provider": f"provider-{n}", "game_id": "slots-1"}
        parsed = GameSessionIn.model_validate(body)
        key = f"race-{n}"
        barrier.wait()
        for _attempt in range(5):
            try:
                idem = idempotency.begin(who, key, "POST", f"/v1/game-sessions:{parsed.brand_id}", body)
                outcome = authenticate.authenticate(who, parsed, idem)
                return {"status": outcome.status, **outcome.body}
            except ConcurrentUpdate:
                continue
        return {"status": 409}

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        answers = list(pool.map(start, range(RACERS)))
    statuses = sorted(a["status"] for a in answers)
    assert statuses == [200] * (RACERS - 1) + [201], statuses
    assert [a["created"] for a in answers].count(True) == 1
    assert len({a["player"]["user_id"] for a in answers}) == 1
    sessions = {a["game_session_id"] for a in answers}
    assert len(sessions) == RACERS
    for sid in sessions:
        stored = repository.find(who.realm, sid)
        assert stored is not None and stored.user_id == answers[0]["player"]["user_id"]
