"""Password hashing (argon2id): the kernel's pitboss.passwords, which operators' console passwords use too.
The seed's password rules are in gateway.rules (`password_problems`)."""

from __future__ import annotations

from pitboss.passwords import hash_password, needs_rehash, verify

__all__ = ["hash_password", "needs_rehash", "verify"]
