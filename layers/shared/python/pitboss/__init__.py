"""Pitboss shared layer: domain models, validation, ledger, store, errors and auth for every function."""
