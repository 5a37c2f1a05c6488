"""The wallet ledger: four rails (real, bonus, winz, xp), balanced immutable entries, optimistic concurrency."""
