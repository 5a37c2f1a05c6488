"""What the console's pages show, gathered from the same domain flows the JSON API calls (never the API over
HTTP), and its forms turned into those flows' input models. Presentation only: every decision stays in the
domain flows; every permission is the operator's role (pitboss.operators.rules)."""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, get_args, get_origin

from pitboss import identity, ids, money
from pitboss.console import search
from pitboss.console.models import PlayerRow
from pitboss.errors import Unprocessable
from pitboss.gateway import support
from pitboss.http.console import Form
from pitboss.identity.entity import LIMIT_FIELDS, MINUTE_LIMITS, PlayerStatus
from pitboss.operators import accounts
from pitboss.operators.auth import Console
from pitboss.players import queries
from pitboss.tenancy import BrandSettings
from pitboss.wallet import queries as wallet_queries

PAGE_EVENTS = 15
PAGE_TRANSACTIONS = 15
STATUSES: tuple[str, ...] = get_args(PlayerStatus)  # the status select, in the entity's order

# After a form: the message the page shows (a fixed table: nothing from the query string is echoed).
DONE = {
    "status": "Status changed; the reason is on the dossier and the timeline.",
    "rg": "Limit saved. A raise or removal waits for the brand's delay.",
    "exclusion": "Cool-off / self-exclusion saved.",
    "kyc": "KYC decision recorded.",
    "flags": "Risk flags saved.",
    "tags": "Tags saved.",
    "notes": "Note added.",
    "sessions": "Gateway sessions ended.",
    "reset": "Password reset link sent to the player.",
    "activation": "Activation email sent again.",
    "verified": "The player's email is already verified: nothing was sent.",
    "approved": "Approved. A second operator must now complete this withdrawal.",
    "completed": "Withdrawal completed.",
    "cancelled": "Withdrawal cancelled.",
    "revoked": "API key revoked.",
    "role": "Role changed.",
    "disabled": "Operator disabled: their sessions have ended.",
    "settings": "Brand settings saved.",
    "security": "Console security saved.",
    "password": "Password changed. Your other sessions have ended.",
    "totp": "Two-factor authentication is on.",
}


def new_form_key() -> str:
    """Each rendered form carries its own idempotency key, so a double submit is applied once."""
    return f"console-{ids.ulid()}"


def done_message(code: str | None) -> str | None:
    return DONE.get(code or "")


# ---- the player page ------------------------------------------------------------------------------


@dataclass
class PlayerPage:
    row: PlayerRow
    dossier: Any
    currency: str
    exponent: int
    wallet: Any | None
    transactions: Any | None
    timeline: Any
    sessions: list[support.PlayerSession]
    emails: dict[str, str]
    limits: list[dict[str, Any]] = field(default_factory=list)


def player_page(console: Console, player_id: int, tx_cursor: str | None, events_cursor: str | None) -> PlayerPage:
    who = console.principal
    row = search.locate(who, player_id)
    dossier = queries.get_dossier(who, row.user_id, None).player
    brand = who.brands[row.brand_id]
    wallet = transactions = None
    if console.can("wallet.read"):
        wallet = wallet_queries.get_wallet(who, row.user_id).wallet
        cursor = int(tx_cursor) if tx_cursor and tx_cursor.isdigit() else None
        transactions = wallet_queries.list_transactions(who, row.user_id, PAGE_TRANSACTIONS, cursor)
    timeline = queries.get_timeline(who, row.user_id, None, PAGE_EVENTS, events_cursor)
    emails = {f"operator:{o.operator_id}": o.email for o in accounts.list_operators(who.tenant_id)}
    page = PlayerPage(
        row=row,
        dossier=dossier,
        currency=brand.currency,
        exponent=money.exponent(brand.currency),
        wallet=wallet,
        transactions=transactions,
        timeline=timeline,
        sessions=support.sessions(who.realm, row.user_id),
        emails=emails,
    )
    page.limits = limit_rows(dossier, brand.currency)
    return page


def limit_rows(dossier: Any, currency: str) -> list[dict[str, Any]]:
    """Each RG limit in force and its pending change (with when it takes effect), money in the currency."""
    rg = dossier.rg.model_dump()
    rows = []
    for name in LIMIT_FIELDS:
        pending = dossier.rg.pending.get(name)

        def shown(value: Any, name: str = name) -> str:
            if value is None:
                return "—"
            return (
                f"{value} min"
                if name in MINUTE_LIMITS
                else f"{money.fmt(money.to_decimal(value), money.exponent(currency))} {currency}"
            )

        rows.append(
            {
                "name": name,
                "label": name.replace("_", " ").capitalize(),
                "value": shown(rg.get(name)),
                "pending": shown(pending.value) if pending is not None else None,
                "pending_removal": pending is not None and pending.value is None,
                "effective_at": pending.effective_at if pending is not None else None,
            }
        )
    return rows


# ---- forms -> the flows' input models --------------------------------------------------------------


def _body(form: Form, **fields: Any) -> dict[str, Any]:
    """A flow's body: the fields given, plus the form's idempotency key."""
    body = {k: v for k, v in fields.items() if v is not None}
    key = form.get("idempotency_key").strip()
    if key:
        body["idempotency_key"] = key[:255]
    return body


def status_body(form: Form) -> dict[str, Any]:
    return _body(form, status=form.get("status"), reason=form.get("reason"))


def rg_body(form: Form) -> dict[str, Any]:
    """One limit per submit: a value sets it, an empty value removes it (the brand's delay applies)."""
    name = form.get("limit")
    if name not in LIMIT_FIELDS:
        raise Unprocessable("choose a limit", code="validation_error")
    raw = form.get("value").strip()
    value: Any = None  # an empty value removes the limit (null, as the API takes it)
    if raw:
        value = _int(raw, name) if name in MINUTE_LIMITS else raw
    return {**_body(form, reason=form.get("reason").strip() or None), name: value}


def exclusion_body(form: Form) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in ("cooloff_until", "self_exclusion_until"):
        raw = form.get(name).strip()
        if raw:
            fields[name] = _utc(raw, name)
    if form.get("self_exclusion_permanent") == "yes":
        fields["self_exclusion_permanent"] = True
    if not fields:
        raise Unprocessable("give a cool-off end, a self-exclusion end or a permanent self-exclusion")
    return _body(form, **fields, reason=form.get("reason").strip() or None)


def kyc_body(form: Form) -> dict[str, Any]:
    level = form.get("kyc_level").strip()
    return _body(
        form,
        kyc_status=form.get("kyc_status") or None,
        kyc_level=_int(level, "kyc_level") if level else None,
        reason=form.get("reason"),
    )


def flags_body(form: Form) -> dict[str, Any]:
    def flag(name: str) -> bool | None:
        value = form.get(name)
        return {"yes": True, "no": False}.get(value)

    return _body(
        form,
        risk_band=form.get("risk_band") or None,
        is_pep=flag("is_pep"),
        is_sanctioned=flag("is_sanctioned"),
        reason=form.get("reason"),
    )


def tags_body(form: Form) -> dict[str, Any]:
    def split(name: str) -> list[str]:
        return [t.strip() for t in form.get(name).replace(",", " ").split() if t.strip()]

    return _body(form, add=split("add"), remove=split("remove"))


def note_body(form: Form) -> dict[str, Any]:
    return _body(form, text=form.get("text"))


def _int(raw: str, name: str) -> int:
    if not raw.isdigit():
        raise Unprocessable(f"{name.replace('_', ' ')}: a whole number", code="validation_error")
    return int(raw)


def _utc(raw: str, name: str) -> str:
    """A datetime-local input, read as UTC (the form says so)."""
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise Unprocessable(f"{name.replace('_', ' ')}: a date and time", code="validation_error") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.isoformat()


# ---- brand settings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingField:
    name: str
    kind: str  # bool, int, choice, list, text
    value: Any
    choices: tuple[str, ...] = ()


def setting_fields(settings: BrandSettings) -> list[SettingField]:
    """Every brand setting as a form field, by its type (the same settings `pitboss brand-settings` edits)."""
    fields = []
    values = settings.model_dump()
    for name, info in BrandSettings.model_fields.items():
        if _structured(info.annotation):
            continue  # message_formats, vip_levels: JSON documents with their own API routes (issue 13)
        kind, choices = _kind(info.annotation)
        value = values[name]
        if kind == "list":
            value = ", ".join(str(v) for v in value)
        fields.append(SettingField(name=name, kind=kind, value=value, choices=choices))
    return fields


def _structured(annotation: Any) -> bool:
    args = get_args(annotation)
    return get_origin(annotation) is dict or (
        get_origin(annotation) is list and bool(args) and get_origin(args[0]) is dict
    )


def _kind(annotation: Any) -> tuple[str, tuple[str, ...]]:
    if annotation is bool:
        return "bool", ()
    if annotation is int:
        return "int", ()
    if get_origin(annotation) is typing.Literal:
        return "choice", tuple(str(a) for a in get_args(annotation))
    if get_origin(annotation) is list:
        return "list", ()
    return "text", ()


def settings_changes(form: Form, settings: BrandSettings) -> dict[str, Any]:
    """The settings the form changes, typed as the model wants them (only what differs is sent)."""
    current = settings.model_dump()
    changes: dict[str, Any] = {}
    for spec in setting_fields(settings):
        if spec.name not in form.fields:
            continue
        raw = form.get(spec.name).strip()
        value: Any
        if spec.kind == "bool":
            value = raw == "yes"
        elif spec.kind == "int":
            value = _int(raw, spec.name)
        elif spec.kind == "list":
            value = [v.strip() for v in raw.replace(",", " ").split() if v.strip()]
        else:
            value = raw or (None if current[spec.name] is None else raw)
        if value != current[spec.name]:
            changes[spec.name] = value
    return changes


def load_player(console: Console, player_id: int) -> tuple[PlayerRow, Any]:
    """The player a form acts on (404 in another tenant or mode), and its entity for the gateway seam."""
    row = search.locate(console.principal, player_id)
    return row, identity.load_player(console.principal, row.user_id, None)
