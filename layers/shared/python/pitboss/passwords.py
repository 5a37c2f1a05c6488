"""Password hashing with argon2id, for players' gateway passwords and operators' console passwords
(argon2-cffi's defaults: RFC 9106's low-memory profile, t=3, m=64 MiB, p=4). A check against no account
still costs one verification, so the time a refusal takes never tells whether the account exists."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher

# argon2-cffi (and cffi under it) is imported by the first hash or check, not with this module: the gateway
# imports it for a handful of its routes, and every cold start paid the import.


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return _hasher().verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("not-a-real-password-1")
