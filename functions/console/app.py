"""The back-office console (issue 12): server-rendered pages under /console for an operator's team. Each
route reads the form or query, calls the domain flows the JSON API calls (with the operator as the actor),
and renders a page or redirects (303) after a form. Permissions: the operator's role (operators.rules)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from pitboss import tenancy
from pitboss.console import search
from pitboss.console.models import SearchIn
from pitboss.errors import NotFound, PitbossError, SignInRefused, Unprocessable
from pitboss.gateway import support
from pitboss.http import console as web_
from pitboss.http import console_views as views
from pitboss.http.console import Form
from pitboss.idempotency import Outcome
from pitboss.identity.entity import LIMIT_FIELDS
from pitboss.observability import logger, metrics
from pitboss.operators import accounts, administration, approvals, audit, auth, rules
from pitboss.operators.models import AuditQuery, CodeIn, LoginIn, OperatorIn, PasswordChangeIn, RoleIn
from pitboss.players import compliance, lifecycle, limits, writes
from pitboss.players.models import FlagsChange, KycChange, NoteIn, RgUpdate, StatusChange, TagsChange
from pitboss.wallet import queries as wallet_queries

HERE = Path(__file__).resolve().parent
app = APIGatewayHttpResolver()  # HTML forms, not JSON: each route parses its form into the flow's input model
web = web_.Web(app, HERE / "templates", HERE / "static")
web_.install(web)


def _page(console: auth.Console, template: str, status: int = 200, **context: Any) -> Response[str]:
    """A page with the header's context: who is signed in, what they may do, live or test."""
    done = views.done_message(app.current_event.get_query_string_value("done"))
    return web.page(template, status, me=console, mode=console.session.mode, done=done, **context)


def _number(raw: str) -> int:
    """A numeric path segment (the player's number); anything else names no player."""
    if not raw.isdigit() or len(raw) > 12:
        raise NotFound("player not found", code="player_not_found")
    return int(raw)


def _query(name: str) -> str | None:
    value = app.current_event.get_query_string_value(name)
    return value.strip() if value and value.strip() else None


# ---- signing in and out --------------------------------------------------------------------------


@app.get("/console", include_in_schema=False)
def home() -> Response[str]:
    web.console()
    return web.redirect("/console/players")


@app.get("/console/login", include_in_schema=False)
def login_page() -> Response[str]:
    stage = None
    if web.cookie(web_.SESSION_COOKIE):
        try:
            stage = web.console(stage=True).session.stage
        except PitbossError:
            stage = None
        if stage == "ready":
            return web.redirect("/console/players")
        if stage in ("enrol", "password"):
            return web.redirect("/console/account")
    return _login_form(stage)


def _login_form(stage: str | None, status: int = 200, error: str | None = None, **extra: Any) -> Response[str]:
    if stage == "totp":
        console = web.console(stage=True)
        return web.page("login.html", status, stage="totp", csrf=console.csrf, error=error, email="", me=None, **extra)
    secret, cookie = web.login_secret()
    return web.page(
        "login.html",
        status,
        cookies=[cookie] if cookie else None,
        stage="password",
        csrf=web_.login_token(secret),
        error=error,
        me=None,
        **{"email": "", "tenants": None, **extra},
    )


@app.post("/console/login", include_in_schema=False)
def login() -> Response[str]:
    form = web.form()
    web.check_login_csrf(form)
    try:
        credentials = LoginIn.model_validate({"email": form.get("email"), "password": form.get("password")})
        started = auth.login(credentials, web.client_ip(), tenant_id=form.get("tenant") or None)
    except SignInRefused as exc:
        return _refused(exc, form.get("email"))
    cookie = web.session_cookie(started.token)
    target = {"ready": "/console/players", "totp": "/console/login"}.get(started.stage, "/console/account")
    return web.redirect(target, cookies=[cookie])


def _refused(exc: SignInRefused, email: str) -> Response[str]:
    if exc.code == "locked":
        minutes = max(1, (exc.retry_after or 60) // 60)
        message = f"Too many failed attempts. This account is locked for {minutes} more minute(s)."
        return _login_form(None, 429, message, email=email)
    if exc.code == "choose_tenant":
        tenants = exc.details.get("tenants") or {}
        return _login_form(
            None, 401, "This email signs in to several organisations: choose one.", email=email, tenants=tenants
        )
    return _login_form(None, 401, "Wrong email or password.", email=email)


@app.post("/console/login/totp", include_in_schema=False)
def login_totp() -> Response[str]:
    form = web.form()
    console = web.console(form=form, stage=True)
    if console.session.stage != "totp":
        return web.redirect("/console/login")
    try:
        stage = auth.second_factor(console, CodeIn.model_validate({"totp": form.get("totp")}).totp)
    except SignInRefused as exc:
        message = "Too many failed attempts: the account is locked." if exc.code == "locked" else "Wrong code."
        return _login_form("totp", 401, message)
    return web.redirect("/console/players" if stage == "ready" else "/console/account")


@app.post("/console/logout", include_in_schema=False)
def logout() -> Response[str]:
    web.console(form=web.form(), stage=True)
    auth.logout(web.cookie(web_.SESSION_COOKIE))
    return web.redirect("/console/login", cookies=[web.cleared()])


@app.post("/console/mode", include_in_schema=False)
def switch_mode() -> Response[str]:
    """The header's live/test switch: every page after it reads and writes that mode's data."""
    form = web.form()
    console = web.console(form=form)
    auth.switch_mode(console, "test" if form.get("mode") == "test" else "live")
    back = form.get("back")
    return web.redirect(back if back.startswith("/console/") and "//" not in back else "/console/players")


# ---- the operator's own account (and the sign-in stages: set a password, set up a second factor) ---


@app.get("/console/account", include_in_schema=False)
def account() -> Response[str]:
    console = web.console(stage=True)
    setup = accounts.setup_in_progress(console)
    return _page(
        console,
        "account.html",
        setup=setup,
        qr=views_qr(setup.uri) if setup else None,
        required=accounts.policy(console.operator.tenant_id).totp_required,
    )


def views_qr(uri: str) -> str:
    import segno

    return str(segno.make(uri, error="m").svg_inline(scale=4, dark="#111", light="#fff"))


@app.post("/console/account/password", include_in_schema=False)
def change_password() -> Response[str]:
    form = web.form()
    console = web.console(form=form, stage=True)
    if console.session.stage not in ("ready", "password"):
        return web.redirect("/console/account")
    body = {"current_password": form.get("current_password"), "new_password": form.get("new_password")}
    accounts.change_password(console, PasswordChangeIn.model_validate(body))
    return web.redirect("/console/account?done=password")


@app.post("/console/account/totp", include_in_schema=False)
def start_totp() -> Response[str]:
    form = web.form()
    console = web.console(form=form, stage=True)
    if console.session.stage not in ("ready", "enrol"):
        return web.redirect("/console/account")
    accounts.start_totp(console)
    return web.redirect("/console/account#totp")


@app.post("/console/account/totp/confirm", include_in_schema=False)
def confirm_totp() -> Response[str]:
    form = web.form()
    console = web.console(form=form, stage=True)
    accounts.confirm_totp(console, CodeIn.model_validate({"totp": form.get("totp")}))
    return web.redirect("/console/account?done=totp")


# ---- players ---------------------------------------------------------------------------------------


@app.get("/console/players", include_in_schema=False)
def players() -> Response[str]:
    console = web.console("players.read")
    brand = _query("brand_id")
    query = SearchIn.model_validate(
        {"q": _query("q") or "", "brand_id": brand, "status": _query("status"), "cursor": _query("cursor")}
    )
    result = search.search(console.principal, query)
    return _page(console, "players.html", query=query, result=result, statuses=views.STATUSES)


@app.get("/console/players/<player_id>", include_in_schema=False)
def player(player_id: str, **extra: Any) -> Response[str]:
    console = web.console("players.read")
    page = views.player_page(console, _number(player_id), _query("tx"), _query("events"))
    return _page(
        console,
        "player.html",
        p=page,
        statuses=views.STATUSES,
        limit_names=LIMIT_FIELDS,
        form_key=views.new_form_key(),
        **extra,
    )


def _dossier_write(
    player_id: str, permission: rules.Permission, *, action: str, model: Any, flow: Any, body: Any
) -> Response[str]:
    """A dossier form: the same idempotent, audited flow as the /v1 route, with the operator as actor."""
    form = web.form()
    console = web.console(permission, form=form)
    row = search.locate(console.principal, _number(player_id))
    payload = body(form)
    parsed = model.model_validate(payload)
    route = f"/console/players/{{key}}/{action}"
    user_id, idem = writes.begin(console.principal, row.user_id, None, method="POST", route=route, body=payload)
    outcome: Outcome = flow(console.principal, user_id, parsed, idem)
    assert outcome.status < 300
    return web.redirect(f"/console/players/{player_id}?done={action}#{action}")


# The dossier's forms, each posted to /console/players/<player_id>/<action>: (permission, the /v1 route's
# input model, its flow, the form -> body mapping). Each runs exactly as its /v1 route does (_dossier_write).
DOSSIER_FORMS: dict[str, tuple[rules.Permission, Any, Any, Any]] = {
    "status": ("players.status", StatusChange, lifecycle.change_status, views.status_body),
    "rg": ("players.rg", RgUpdate, limits.set_rg, views.rg_body),
    "exclusion": ("players.rg", RgUpdate, limits.set_rg, views.exclusion_body),
    "kyc": ("players.kyc", KycChange, compliance.set_kyc, views.kyc_body),
    "flags": ("players.flags", FlagsChange, compliance.set_flags, views.flags_body),
    "tags": ("players.flags", TagsChange, compliance.change_tags, views.tags_body),
    "notes": ("players.notes", NoteIn, compliance.add_note, views.note_body),
}


def _dossier_route(action: str) -> None:
    permission, model, flow, body = DOSSIER_FORMS[action]

    def route(player_id: str) -> Response[str]:
        return _dossier_write(player_id, permission, action=action, model=model, flow=flow, body=body)

    route.__name__ = f"dossier_{action}"
    app.post(f"/console/players/<player_id>/{action}", include_in_schema=False)(route)


for _action in DOSSIER_FORMS:
    _dossier_route(_action)


def _support(player_id: str, permission: rules.Permission) -> tuple[auth.Console, Form, Any, Any]:
    """A player support form: the signed-in operator (permission and the form's CSRF checked), the form, the
    player's row and entity."""
    form = web.form()
    console = web.console(permission, form=form)
    row, entity = views.load_player(console, _number(player_id))
    return console, form, row, entity


@app.post("/console/players/<player_id>/sessions/end", include_in_schema=False)
def end_sessions(player_id: str) -> Response[str]:
    """One gateway session (by its id), or all of them."""
    console, form, _, entity = _support(player_id, "players.sessions")
    support.end_sessions(entity, console.actor, form.get("session_id") or None)
    return web.redirect(f"/console/players/{player_id}?done=sessions#sessions")


@app.post("/console/players/<player_id>/password-reset", include_in_schema=False)
def password_reset(player_id: str) -> Response[str]:
    console, _, _, entity = _support(player_id, "players.access")
    from pitboss.gateway import recovery  # a rare action: cold starts do not pay for it

    recovery.send_password_reset(entity, console.actor)
    return web.redirect(f"/console/players/{player_id}?done=reset#access")


@app.post("/console/players/<player_id>/temporary-password", include_in_schema=False)
def temporary_password(player_id: str) -> Response[str]:
    """Shown once, on the page this answers (never in a URL): the player's next login must change it."""
    console, _, row, entity = _support(player_id, "players.access")
    from pitboss.gateway import recovery  # a rare action: cold starts do not pay for it

    password = recovery.issue_temporary_password(entity, console.principal.brands[row.brand_id], console.actor)
    return player(player_id, temporary_password=password)


@app.post("/console/players/<player_id>/activation", include_in_schema=False)
def resend_activation(player_id: str) -> Response[str]:
    console, _, _, entity = _support(player_id, "players.access")
    from pitboss.gateway import recovery  # a rare action: cold starts do not pay for it

    sent = recovery.resend_activation(entity, console.actor)
    return web.redirect(f"/console/players/{player_id}?done={'activation' if sent else 'verified'}#access")


# ---- withdrawals -----------------------------------------------------------------------------------


@app.get("/console/withdrawals", include_in_schema=False)
def withdrawals() -> Response[str]:
    console = web.console("withdrawals.read")
    queue = wallet_queries.withdrawal_queue(console.principal, cursor=_query("cursor"))
    waiting = {
        w.id: approvals.approver(console.principal, w.user_id, w.id)
        for w in queue.withdrawals
        if approvals.needs_second(console.principal.brands[w.brand_id], w.amount)
    }
    return _page(console, "withdrawals.html", queue=queue, waiting=waiting, form_key=views.new_form_key())


@app.post("/console/withdrawals/<player_id>/<withdrawal_id>/complete", include_in_schema=False)
def complete_withdrawal(player_id: str, withdrawal_id: str) -> Response[str]:
    """Above the brand's threshold the first operator's "complete" is an approval; a second completes it."""
    form = web.form()
    console = web.console("withdrawals.decide", form=form)
    who = console.principal
    row = search.locate(who, _number(player_id))
    withdrawal = wallet_queries.get_withdrawal(who, row.user_id, withdrawal_id)
    if approvals.completion_step(who, row.user_id, who.brands[row.brand_id], withdrawal) == "approved":
        return web.redirect("/console/withdrawals?done=approved")
    first = approvals.approver(who, row.user_id, withdrawal_id)
    memo = f"approved by {first}; completed by {console.operator.email}" if first else f"by {console.operator.email}"
    _settle(console, row.user_id, withdrawal_id, outcome="complete", form=form, memo=memo)
    return web.redirect("/console/withdrawals?done=completed")


@app.post("/console/withdrawals/<player_id>/<withdrawal_id>/cancel", include_in_schema=False)
def cancel_withdrawal(player_id: str, withdrawal_id: str) -> Response[str]:
    form = web.form()
    console = web.console("withdrawals.decide", form=form)
    text = form.get("reason").strip()
    if not text:
        raise Unprocessable("a reason is required to cancel a withdrawal", code="reason_required")
    row = search.locate(console.principal, _number(player_id))
    _settle(console, row.user_id, withdrawal_id, outcome="cancel", form=form, memo=text[:500])
    return web.redirect("/console/withdrawals?done=cancelled")


def _settle(console: auth.Console, user_id: str, withdrawal_id: str, *, outcome: str, form: Form, memo: str) -> None:
    from pitboss.wallet import payments  # rare actions: cold starts do not pay for them
    from pitboss.wallet.models import WithdrawalOutcomeIn

    body = {"memo": memo, "idempotency_key": form.get("idempotency_key") or None}
    route = f"/console/withdrawals/{{key}}/{withdrawal_id}/{outcome}"
    _, idem = writes.begin(console.principal, user_id, None, method="POST", route=route, body=body)
    payments.settle_withdrawal(console.principal, user_id, withdrawal_id, outcome, WithdrawalOutcomeIn(memo=memo), idem)


# ---- API keys, operators, brand settings, audit -----------------------------------------------------


@app.get("/console/keys", include_in_schema=False)
def keys_page(created: administration.NewKey | None = None) -> Response[str]:
    console = web.console("keys.manage")
    return _page(
        console,
        "keys.html",
        keys=administration.list_keys(console),
        created=created,
        scopes=tenancy.SCOPES,
        brands=sorted(console.principal.brands.values(), key=lambda b: b.brand_id),
    )


@app.post("/console/keys", include_in_schema=False)
def create_key() -> Response[str]:
    """The new key is shown once, on the page this answers (never stored, never in a URL)."""
    form = web.form()
    console = web.console("keys.manage", form=form)
    body = {
        "name": form.get("name").strip(),
        "mode": form.get("mode") or console.session.mode,
        "scopes": form.all("scopes") or ["*"],
        "brand_ids": [int(b) for b in form.all("brand_ids") if b.isdigit()],
    }
    return keys_page(created=administration.create_key(console, administration.KeyIn.model_validate(body)))


@app.post("/console/keys/<key_id>/revoke", include_in_schema=False)
def revoke_key(key_id: str) -> Response[str]:
    console = web.console("keys.manage", form=web.form())
    administration.revoke_key(console, key_id)
    return web.redirect("/console/keys?done=revoked")


@app.get("/console/operators", include_in_schema=False)
def operators_page(invited: Any = None) -> Response[str]:
    console = web.console("operators.manage")
    return _page(
        console,
        "operators.html",
        operators=accounts.list_operators(console.operator.tenant_id),
        roles=rules.assignable_roles(console.operator.role),
        invited=invited,
    )


@app.post("/console/operators", include_in_schema=False)
def invite_operator() -> Response[str]:
    """The one-time password is shown once, here; the invited operator sets their own at first sign-in."""
    form = web.form()
    console = web.console("operators.manage", form=form)
    body = {
        "email": form.get("email").strip(),
        "role": form.get("role"),
        "display_name": form.get("display_name") or None,
    }
    return operators_page(invited=accounts.invite(console, OperatorIn.model_validate(body)))


@app.post("/console/operators/<operator_id>/role", include_in_schema=False)
def change_role(operator_id: str) -> Response[str]:
    form = web.form()
    console = web.console("operators.manage", form=form)
    accounts.change_role(console, operator_id, RoleIn.model_validate({"role": form.get("role")}))
    return web.redirect("/console/operators?done=role")


@app.post("/console/operators/<operator_id>/disable", include_in_schema=False)
def disable_operator(operator_id: str) -> Response[str]:
    console = web.console("operators.manage", form=web.form())
    accounts.disable(console, operator_id)
    return web.redirect("/console/operators?done=disabled")


@app.get("/console/settings", include_in_schema=False)
def settings_page() -> Response[str]:
    console = web.console("settings.manage")
    brands = sorted(console.principal.brands.values(), key=lambda b: b.brand_id)
    forms = [(b, views.setting_fields(b.settings)) for b in brands]
    return _page(console, "settings.html", forms=forms, policy=accounts.policy(console.operator.tenant_id))


@app.post("/console/settings/<brand_id>", include_in_schema=False)
def save_settings(brand_id: str) -> Response[str]:
    form = web.form()
    console = web.console("settings.manage", form=form)
    brand = console.principal.brand(_number(brand_id))
    changes = views.settings_changes(form, brand.settings)
    if changes:
        administration.update_brand_settings(console, brand.brand_id, changes)
    return web.redirect(f"/console/settings?done=settings#brand-{brand_id}")


@app.post("/console/settings/security", include_in_schema=False)
def save_security() -> Response[str]:
    form = web.form()
    console = web.console("settings.manage", form=form)
    accounts.set_policy(console, totp_required=form.get("totp_required") == "yes")
    return web.redirect("/console/settings?done=security#security")


@app.get("/console/audit", include_in_schema=False)
def audit_page() -> Response[str]:
    console = web.console("audit.read")
    query = AuditQuery.model_validate(
        {k: _query(k) for k in ("operator_id", "date_from", "date_to", "cursor") if _query(k)}
    )
    page = audit.page(console.principal, query)
    return _page(
        console, "audit.html", page=page, query=query, operators=accounts.list_operators(console.operator.tenant_id)
    )


@app.get("/console/static/<asset>", include_in_schema=False)
def static(asset: str) -> Response[Any]:
    return web.asset(asset)


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId", clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
