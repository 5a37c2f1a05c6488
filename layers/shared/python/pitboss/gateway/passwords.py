"""Password hashing (argon2id) and the seed's password rules (its change-password 422 codes)."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8
MAX_LENGTH = 15
MIN_DISTINCT = 4
MAX_RUN = 2  # three identical characters in a row is "too many repeating characters"


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    # argon2-cffi's defaults are RFC 9106's low-memory profile of argon2id (t=3, m=64 MiB, p=4).
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; a missing hash still costs one verification (no timing oracle)."""
    try:
        return _hasher().verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("not-a-real-password-1")


def _longest_run(value: str) -> int:
    longest = run = 0
    previous = None
    for ch in value:
        run = run + 1 if ch == previous else 1
        previous = ch
        longest = max(longest, run)
    return longest


def problems(password: str, *, username: str, email: str) -> list[str]:
    """The seed's error codes for a new password, in the seed's order (empty: acceptable)."""
    codes: list[str] = []
    if len(password) < MIN_LENGTH:
        codes.append("password_short")
    if len(password) > MAX_LENGTH:
        codes.append("password_long")
    folded = password.casefold()
    local_part = email.partition("@")[0].casefold()
    if folded in {username.casefold(), email.casefold(), local_part} or (
        len(username) >= 3 and username.casefold() in folded
    ):
        codes.append("password_match_user_name")
    if len(set(password)) < MIN_DISTINCT or _longest_run(password) > MAX_RUN:
        codes.append("password_same_letters")
    if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
        codes.append("password_mix_characters")
    return codes
