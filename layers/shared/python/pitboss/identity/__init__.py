"""Shared identity kernel: the player entity, the status gates every domain asks, and the profile items.

Domains (players, wallet, gateway, backoffice) import this package; it imports no domain."""

from pitboss.identity.entity import Player, PlayerStatus
from pitboss.identity.profiles import (
    create_ops,
    email_swap_ops,
    exists,
    load,
    load_player,
    mutate,
    next_player_number,
    player_from,
    player_not_found,
    profile_key,
    resolve_user_id,
    unchanged,
    user_id_by_username,
    versioned_put,
)

__all__ = [
    "Player",
    "PlayerStatus",
    "create_ops",
    "email_swap_ops",
    "exists",
    "load",
    "load_player",
    "mutate",
    "next_player_number",
    "player_from",
    "player_not_found",
    "profile_key",
    "resolve_user_id",
    "unchanged",
    "user_id_by_username",
    "versioned_put",
]
