"""Back-office read models (seed 001): player listing, player detail with its wallet, transaction history."""
