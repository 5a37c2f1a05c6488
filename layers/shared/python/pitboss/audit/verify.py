"""Verifying a player's hash chains: recompute every hash, walk each chain from its head (issue 14 §5)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from pitboss import chain, clock, identity
from pitboss.audit import repository
from pitboss.audit.models import BrokenLink, ChainVerification
from pitboss.tenancy import Principal

# Items chained after the heads were read still count when they descend from a head and are this recent.
RACE_WINDOW = timedelta(seconds=60)


def verify_player(principal: Principal, key: str, brand_id: int | None) -> ChainVerification:
    player = identity.load_player(principal, key, brand_id)
    return verify_user(principal.realm, player.user_id)


def verify_user(realm: str, user_id: str) -> ChainVerification:
    pk = repository.player_pk(realm, user_id)
    since = clock.iso(clock.now() - RACE_WINDOW)
    heads = repository.heads(pk)
    report = chain.verify(repository.chained_items(pk), heads, since=since)
    broken = report.first_broken
    return ChainVerification(
        ok=report.ok,
        checked=report.checked,
        unchained=report.unchained,
        first_broken=BrokenLink.of(broken) if broken else None,
    )


def verify_realm(realm: str, user_id: str | None = None) -> Iterator[tuple[str, ChainVerification]]:
    """`pitboss verify-chain`: one player, or every player of the realm."""
    for uid in [user_id] if user_id else repository.realm_players(realm):
        yield uid, verify_user(realm, uid)
