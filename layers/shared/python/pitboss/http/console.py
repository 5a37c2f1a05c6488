"""The console's HTML surface: pages from Jinja2 templates (autoescaped), the security headers every answer
carries (a strict Content-Security-Policy: scripts, styles and images only from the console itself, no
inline script or style), the session cookie (HttpOnly, SameSite=Strict, Secure unless served on loopback),
one CSRF token per session checked on every POST, form bodies, and errors mapped to pages, once, here."""

from __future__ import annotations

import hashlib
import hmac
import mimetypes
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pydantic import ValidationError

from pitboss import money, observability
from pitboss.errors import Forbidden, PitbossError, SessionEnded, Unprocessable
from pitboss.observability import logger
from pitboss.operators import auth
from pitboss.operators.auth import Console
from pitboss.operators.rules import Permission

HTML = "text/html; charset=utf-8"
SESSION_COOKIE = "pitboss_console"
LOGIN_COOKIE = "pitboss_login"  # the login form's CSRF secret (there is no session yet)
COOKIE_PATH = "/console"
MAX_FORM_BYTES = 64 * 1024
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

# No inline script or style anywhere: htmx is served by the function and configured by a <meta> tag.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class CsrfRefused(Forbidden):
    code = "csrf_refused"

    def __init__(self) -> None:
        super().__init__("the form's security token is missing or wrong: reload the page and try again")


class NotReady(PitbossError):
    """A session still in a sign-in stage asked for a page: it goes to the stage's page instead."""

    status = 303
    code = "sign_in_unfinished"

    def __init__(self, location: str) -> None:
        super().__init__("finish signing in first")
        self.location = location


@dataclass
class Form:
    """An application/x-www-form-urlencoded body: every field's values, in order."""

    fields: dict[str, list[str]]

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0] if values else default

    def all(self, name: str) -> list[str]:
        return list(self.fields.get(name, []))

    def data(self, *names: str) -> dict[str, str]:
        """The named fields that were sent non-empty (an empty input means "not given")."""
        return {n: self.get(n).strip() for n in names if self.get(n).strip()}


def display_money(value: Any, currency: str) -> str:
    """An amount as the brand shows it: its currency's decimals, thousands separated, and the code."""
    if value is None or value == "":
        return ""
    amount = money.to_decimal(value) if not isinstance(value, Decimal) else value
    places = money.exponent(currency)
    return f"{amount:,.{places}f} {currency}"


class Web:
    """The console's pages and assets, and what it reads off a request (cookies, form, client IP)."""

    def __init__(self, app: APIGatewayHttpResolver, templates: Path, static: Path) -> None:
        self.app = app
        self.static = static
        self.env = Environment(
            loader=FileSystemLoader(str(templates)),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["money"] = display_money

    @property
    def event(self) -> APIGatewayProxyEventV2:
        event: APIGatewayProxyEventV2 = self.app.current_event
        return event

    # ---- answers --------------------------------------------------------------------------------

    def page(
        self, template: str, status: int = 200, cookies: list[Cookie] | None = None, **context: Any
    ) -> Response[str]:
        body = self.env.get_template(template).render(**context)
        return Response(
            status_code=status, content_type=HTML, body=body, headers=dict(SECURITY_HEADERS), cookies=cookies
        )

    def redirect(self, location: str, cookies: list[Cookie] | None = None) -> Response[str]:
        """303 See Other: after a form, the browser GETs the page (a reload never re-posts)."""
        headers = {**SECURITY_HEADERS, "Location": location}
        return Response(status_code=303, content_type=HTML, body="", headers=headers, cookies=cookies)

    def asset(self, name: str) -> Response[Any]:
        """A file of the console's static folder, by its plain name only (no paths), cached by the browser."""
        path = self.static / name
        if "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
            return self.page("error.html", 404, title="Not found", message="No such file.", back="/console", me=None)
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        etag = '"' + hashlib.sha256(path.read_bytes()).hexdigest()[:32] + '"'
        headers = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=3600", "ETag": etag}
        if (self.event.headers or {}).get("if-none-match") == etag:
            return Response(status_code=304, body="", headers=headers)
        return Response(status_code=200, content_type=kind, body=path.read_bytes(), headers=headers)

    # ---- the request ----------------------------------------------------------------------------

    def cookie(self, name: str) -> str | None:
        for raw in self.event.cookies or []:
            key, _, value = raw.strip().partition("=")
            if key == name:
                return value
        return None

    def client_ip(self) -> str | None:
        return self.event.request_context.http.source_ip or None

    def secure(self) -> bool:
        """Cookies are Secure except when the console is served on loopback (the local stack, over HTTP)."""
        host = (self.event.headers or {}).get("host") or self.event.request_context.domain_name or ""
        hostname = urlsplit(f"//{host}").hostname or host
        return hostname not in LOOPBACK

    def form(self) -> Form:
        """The posted form; anything that is not a form (or too big) is refused as bad input."""
        kind = (self.event.headers or {}).get("content-type", "").split(";")[0].strip().lower()
        raw = self.event.decoded_body or ""
        if kind != "application/x-www-form-urlencoded" or len(raw) > MAX_FORM_BYTES:
            raise Unprocessable("send the form as the page does", code="not_a_form")
        return Form(parse_qs(raw, keep_blank_values=True, max_num_fields=200))

    def session_cookie(self, token: str) -> Cookie:
        return Cookie(
            SESSION_COOKIE,
            token,
            path=COOKIE_PATH,
            secure=self.secure(),
            http_only=True,
            same_site=SameSite.STRICT_MODE,
        )

    def cleared(self, name: str = SESSION_COOKIE, path: str = COOKIE_PATH) -> Cookie:
        return Cookie(
            name, "", path=path, secure=self.secure(), http_only=True, same_site=SameSite.STRICT_MODE, max_age=0
        )

    # ---- who is asking ----------------------------------------------------------------------------

    def console(
        self, permission: Permission | None = None, *, form: Form | None = None, stage: bool = False
    ) -> Console:
        """The signed-in operator (SessionEnded otherwise); a POST's form must carry the session's CSRF token
        (checked before anything else is looked at); `permission`: what the role must allow (403)."""
        console = auth.authenticate(self.cookie(SESSION_COOKIE), self.client_ip())
        logger.append_keys(tenant_id=console.operator.tenant_id, operator_id=console.operator.operator_id)
        if form is not None and not hmac.compare_digest(form.get("csrf"), console.csrf):
            raise CsrfRefused()
        if not console.ready and not stage:
            raise NotReady("/console/login" if console.session.stage == "totp" else "/console/account")
        if permission is not None:
            console.require(permission)
        return console

    # ---- the login form's CSRF (before any session exists) --------------------------------------

    def login_secret(self) -> tuple[str, Cookie | None]:
        """The login form's secret: the one in its cookie, or a new one (and the cookie to set)."""
        found = self.cookie(LOGIN_COOKIE)
        if found and len(found) <= 100:
            return found, None
        secret = secrets.token_urlsafe(32)
        cookie = Cookie(
            LOGIN_COOKIE, secret, path=COOKIE_PATH, secure=self.secure(), http_only=True, same_site=SameSite.STRICT_MODE
        )
        return secret, cookie

    def check_login_csrf(self, form: Form) -> None:
        secret = self.cookie(LOGIN_COOKIE)
        if not secret or not hmac.compare_digest(form.get("csrf"), login_token(secret)):
            raise CsrfRefused()


def login_token(secret: str) -> str:
    return hmac.new(secret.encode(), b"pitboss-console-login", hashlib.sha256).hexdigest()


def back_of(path: str) -> str:
    """Where "back" goes from a failed form: the page the form is on."""
    parts = path.rstrip("/").split("/")
    for cut in range(len(parts), 2, -1):
        candidate = "/".join(parts[:cut])
        if candidate.count("/") in (2, 3) and not candidate.endswith(("/complete", "/cancel", "/revoke")):
            return candidate
    return "/console"


def install(web: Web) -> None:
    """Maps every error to a page, once: an ended session goes to the login page, a refusal is a page with
    its status and the domain's message, anything unexpected a logged 500 with no detail."""
    app = web.app

    def refused(status: int, title: str, message: str, code: str) -> Response[str]:
        observability.count("Refused" if status < 500 else "Failed", surface="console", code=code)
        back = back_of(web.event.raw_path or "/console")
        return web.page("error.html", status, title=title, message=message, back=back, me=None)

    @app.exception_handler(SessionEnded)
    def _ended(_exc: SessionEnded) -> Response[str]:
        return web.redirect("/console/login", cookies=[web.cleared()])

    @app.exception_handler(NotReady)
    def _stage(exc: NotReady) -> Response[str]:
        return web.redirect(exc.location)

    @app.exception_handler(PitbossError)
    def _domain(exc: PitbossError) -> Response[str]:
        titles = {403: "Not allowed", 404: "Not found", 409: "Refused", 422: "Check the form"}
        return refused(exc.status, titles.get(exc.status, "Refused"), exc.message, exc.code)

    @app.exception_handler(ValidationError)
    def _invalid(exc: ValidationError) -> Response[str]:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in exc.errors())
        return refused(422, "Check the form", problems, "validation_error")

    @app.not_found
    def _nowhere(_exc: Exception) -> Response[str]:
        return refused(404, "Not found", "There is no such page.", "no_route")

    @app.exception_handler(Exception)
    def _unexpected(_exc: Exception) -> Response[str]:
        logger.exception("unhandled error")
        return refused(500, "Something went wrong", "The error was logged. Try again.", "unexpected")
