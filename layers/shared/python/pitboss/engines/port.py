"""The engines' published port: what another engine (lootboxes) uses to record a payout instruction for a
plug_in brand in its own transaction (`instruction_ops`), instead of writing engines items itself."""

from __future__ import annotations

from pitboss.engines.payouts import instruction_ops

__all__ = ["instruction_ops"]
