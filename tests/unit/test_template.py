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


def _expected(route: template.Route) -> tuple[int, Any]:
    """What each route's sample event gets on an EMPTY table (the event names a player, brand and tenant that
    do not exist): its real status and the seed-shaped body, or (None: the body is checked elsewhere)."""
    key, path = route.route_key, route.path
    if key == "POST /v1/players":
        return 201, lambda b: b["player"]["username"] == "StarlordV7" and b["player"]["status"] == "active"
    if path.startswith("/v1/players/{key}"):  # seed 000: another tenant's / an unknown player is a 404
        return 404, lambda b: "player_not_found" in (b["error"]["code"], b["error"].get("reason"))
    if path == "/api/player/list":  # seed 001: an empty page
        return 200, lambda b: (b["total"], b["items"], b["page"]) == (0, [], 1)
    if path.startswith("/api/player/{player_id}"):
        return 404, lambda b: b["error"]["code"] == "player_not_found"
    if key == "GET /gateway/message-formats/{version}":  # issue 11 #9: no brand named, the defaults
        return 200, lambda b: b["language"] == "en" and b["formats"]["email_verified"]
    if path.startswith("/gateway/"):  # seed 002: "Status 400 ... invalid brand id" (brand 1 does not exist)
        return 400, lambda b: b == {"errMsg": "invalid input - invalid brand id"}
    if key in ("GET /v1/openapi.json", "GET /v1/docs", "GET /console/login", "GET /console/static/{asset}"):
        return 200, None
    if key == "POST /console/login":  # no CSRF cookie: the form is refused
        return 403, None
    if path.startswith("/console"):  # no console session: to the sign-in page
        return 303, None
    return 0, None  # a route this table does not know yet: its status must be one the document declares


@pytest.mark.parametrize("route", template.routes(), ids=lambda r: r.route_key)
def test_sample_events_run_through_their_handlers(moto_table: str, route: template.Route) -> None:
    """Issue 10 #7: each route's real answer, not "anything below 500"."""
    handler = load_handler(template.functions()[route.function], 1000)
    event = load_event(event_name(route.function, route.method, route.path))
    response = handler(event, LambdaContext(function_name=route.function))
    status, body = _expected(route)
    if status == 0:
        operation = _openapi()["paths"][route.path][route.method.lower()]
        assert str(response["statusCode"]) in operation["responses"] and response["statusCode"] < 500, response
        return
    assert response["statusCode"] == status, response
    if status == 303:
        assert response["headers"]["Location"].startswith("/console/login"), response
    if body is not None:
        assert body(json.loads(response["body"])), response["body"]


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


def test_access_logs_name_the_route_not_the_path() -> None:
    """Issue 10 #6: usernames appear in paths (/v1/players/{key}); the access log keeps the route key."""
    settings = template.load()["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]
    assert "$context.routeKey" in settings["Format"]
    assert "$context.path" not in settings["Format"] and "$context.resourcePath" not in settings["Format"]


def test_the_prod_stage_refuses_cors_from_any_origin() -> None:
    """Issue 10 #6: prod must name its front ends' origins; only dev and staging may keep the default `*`."""
    rule = template.load()["Rules"]["ProdCorsOrigins"]
    assert rule["RuleCondition"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
    [assertion] = rule["Assertions"]
    assert assertion["Assert"] == {"Fn::Not": [{"Fn::Contains": [{"Ref": "CorsAllowOrigins"}, "*"]}]}


def test_the_upserted_players_id_links_to_its_operations() -> None:
    """Issue 10 #7: schemathesis' stateful phase (and any client) follows these links; each must resolve."""
    spec = _openapi()
    upsert = spec["paths"]["/v1/players"]["post"]["responses"]
    for status in ("200", "201"):
        links = upsert[status]["links"]
        assert {"GetPlayer", "GetWallet", "Deposit", "Bet"} <= set(links)
        for link in links.values():
            path, method = link["operationRef"].removeprefix("#/paths/").rsplit("/", 1)
            assert method in spec["paths"][path.replace("~1", "/").replace("~0", "~")]
            assert link["parameters"] == {"key": "$response.body#/player/user_id"}
