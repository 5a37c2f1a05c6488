"""Who acts: the reference every audited write stores (`key:<key_id>`, `operator:<operator_id>`,
`system:scheduler`, `player:<uuid>`, `provider:<game provider>`), and for an operator the email and client IP
recorded beside it.

An `Actor` IS that reference string, so every flow, ledger entry and timeline event that already stores
`principal.actor` keeps doing so unchanged; the timeline (pitboss.timeline) reads the operator's details
off it and writes them next to the reference, in the same item and so in the same transaction."""

from __future__ import annotations

from typing import Literal

ActorKind = Literal["key", "operator", "system", "player", "provider"]


class Actor(str):
    """The actor reference (`kind:id`), carrying an operator's email and client IP when it is one."""

    kind: ActorKind
    id: str
    email: str | None
    ip: str | None

    def __new__(cls, kind: ActorKind, id: str, *, email: str | None = None, ip: str | None = None) -> Actor:
        self = super().__new__(cls, f"{kind}:{id}")
        self.kind, self.id, self.email, self.ip = kind, id, email, ip
        return self

    @property
    def is_operator(self) -> bool:
        return self.kind == "operator"

    def details(self) -> dict[str, str]:
        """What an event records beside the reference: an operator's email and client IP (none for a key)."""
        if not self.is_operator:
            return {}
        found = {"actor_email": self.email, "actor_ip": self.ip}
        return {k: v for k, v in found.items() if v}

    def __reduce__(self) -> tuple[object, ...]:  # copies and pickles keep the details
        return (_rebuild, (self.kind, self.id, self.email, self.ip))


def _rebuild(kind: ActorKind, id: str, email: str | None, ip: str | None) -> Actor:
    return Actor(kind, id, email=email, ip=ip)


def operator(operator_id: str, email: str, ip: str | None) -> Actor:
    return Actor("operator", operator_id, email=email, ip=ip)


def key(key_id: str) -> Actor:
    return Actor("key", key_id)


def provider(name: str) -> Actor:
    """A game provider acting through an operator's key (issue 11 #6: the player it authenticated first)."""
    return Actor("provider", name)
