"""template.yaml, the functions' routes, the OpenAPI document and events/ must agree (no drift)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pitboss_local import template
from pitboss_local.runtime import LambdaContext, load_handler
from pitboss_local.sample_events import EVENTS, event_name
from tests.conftest import load_event

DOC_ROUTES = {"GET /v1/openapi.json", "GET /v1/docs"}
# The console's HTML pages are a web app, not API: the OpenAPI document leaves them out (README: Console).
HTML_FUNCTIONS = {"ConsoleFunction"}


def _openapi() -> dict[str, Any]:
    docs = load_handler(template.functions()["DocsFunction"], 999)
    event = load_event("docs__get__v1_openapi_json")
    response = docs(event, LambdaContext(function_name="DocsFunction"))
    assert response["statusCode"] == 200
    spec: dict[str, Any] = json.loads(response["body"])
    return spec


def test_template_routes_and_openapi_paths_agree() -> None:
    spec = _openapi()
    documented = {f"{m.upper()} {p}" for p, ops in spec["paths"].items() for m in ops}
    routed = {r.route_key for r in template.routes() if r.function not in HTML_FUNCTIONS} - DOC_ROUTES
    assert documented == routed
    pages = {r.route_key for r in template.routes() if r.function in HTML_FUNCTIONS}
    assert pages and all(p.split(" ", 1)[1].startswith("/console") for p in pages)
    assert not pages & documented


def test_every_route_has_a_sample_event() -> None:
    for route in template.routes():
        path = EVENTS / f"{event_name(route.function, route.method, route.path)}.json"
        assert path.exists(), f"missing {path.name}: run python -m pitboss_local.sample_events"
        assert json.loads(path.read_text())["routeKey"] == route.route_key
    for name in template.schedules():
        assert (EVENTS / f"{name.removesuffix('Function').lower()}__schedule.json").exists()


@pytest.mark.parametrize("route", template.routes(), ids=lambda r: r.route_key)
def test_sample_events_run_through_their_handlers(moto_table: str, route: template.Route) -> None:
    handler = load_handler(template.functions()[route.function], 1000)
    event = load_event(event_name(route.function, route.method, route.path))
    response = handler(event, LambdaContext(function_name=route.function))
    assert response["statusCode"] < 500, response


def test_every_function_has_a_log_group_with_retention() -> None:
    resources = template.load()["Resources"]
    for name, res in resources.items():
        if res["Type"] == "AWS::Serverless::Function":
            group = resources.get(f"{name}Logs")
            assert group and group["Type"] == "AWS::Logs::LogGroup" and group["Properties"]["RetentionInDays"]


def test_cors_configuration_is_read_from_the_template() -> None:
    cors = template.cors()
    assert cors is not None
    assert cors.allow_origins == ("*",) and cors.origin_header("https://casino.example") == "*"
    # + x-pitboss-key: the gateway's publishable brand key (issue 11 #12)
    assert set(cors.allow_headers) == {"content-type", "x-auth-token", "authorization", "x-pitboss-key"}
    assert (cors.max_age, cors.allow_credentials) == (600, False)
    narrow = template.cors("https://casino.example, https://m.casino.example")
    assert narrow is not None
    assert narrow.origin_header("https://M.Casino.example") == "https://M.Casino.example"
    assert narrow.origin_header("https://evil.example") is None
