"""Helpers for the console's tests over HTTP: an operator's browser-like session (cookies, the CSRF token
read off the page, forms posted as a browser posts them), operators made with the CLI."""

from __future__ import annotations

import json
import re
from typing import Any

import requests

from tests.support import LocalStackProcess, unique

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
FORM_KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


class ConsoleClient:
    """One operator's session against the local stack (no redirects followed unless asked)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self.csrf = ""

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        return self.http.get(self.base_url + path, timeout=30, **kwargs)

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        form = dict(data or {})
        if csrf and "csrf" not in form:
            form["csrf"] = self.csrf
        return self.http.post(self.base_url + path, data=form, timeout=30, **kwargs)

    def sign_in(self, email: str, password: str) -> requests.Response:
        page = self.get("/console/login")
        assert page.status_code == 200, page.text
        done = self.post("/console/login", {"email": email, "password": password, "csrf": csrf_of(page.text)})
        if done.status_code == 303:
            landing = self.get(done.headers["location"])
            if landing.status_code == 200 and CSRF.search(landing.text):
                self.csrf = csrf_of(landing.text)
        return done


def create_operator(stack: LocalStackProcess, tenant_id: str, role: str) -> dict[str, Any]:
    """`pitboss create-operator --tenant T --email E --role R --json`, as issue 12 writes it."""
    email = f"{unique(role)}@example.com"
    done = stack.cli("create-operator", "--tenant", tenant_id, "--email", email, "--role", role, "--json")
    assert done.returncode == 0, done.stderr
    created: dict[str, Any] = json.loads(done.stdout)
    return created


def signed_in(stack: LocalStackProcess, tenant_id: str, role: str) -> tuple[ConsoleClient, dict[str, Any]]:
    operator = create_operator(stack, tenant_id, role)
    client = ConsoleClient(stack.url)
    assert client.sign_in(operator["email"], operator["password"]).status_code == 303
    return client, operator
