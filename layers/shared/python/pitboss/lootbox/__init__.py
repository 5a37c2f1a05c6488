"""Lootboxes (issue 13 §4): definitions, grants, provably fair opening through the wallet port."""
