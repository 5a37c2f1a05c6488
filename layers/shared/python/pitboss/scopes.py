"""What an API key may be allowed to do: its scopes, and the scopes that imply others."""

from __future__ import annotations

SCOPES = (
    "*",
    "players:read",
    "players:write",
    "wallet:read",
    "wallet:write",
    "backoffice:read",
    # Least privilege on the wallet (issue 10 #3): a game provider's credential needs only bets, a PSP's only
    # payments; `wallet:write` stays the union of the three (keys made before the split keep working).
    "wallet:bets",
    "wallet:payments",
    "wallet:bonuses",
    "webhooks:read",
    "webhooks:write",
    # issue 14 §3-4: usage metering and reports (GGR)
    "usage:read",
    "reports:read",
)
# Scopes that grant others: a key holding the left one may do what each on the right allows.
IMPLIED_SCOPES: dict[str, frozenset[str]] = {
    "wallet:write": frozenset({"wallet:bets", "wallet:payments", "wallet:bonuses"}),
}
WALLET_WRITE_SCOPES = ("wallet:bets", "wallet:payments", "wallet:bonuses")
