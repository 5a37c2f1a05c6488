"""What a generated client sees: answers validated against their output models, and an OpenAPI document that
declares every key the answers and the errors carry."""

from __future__ import annotations

import ast
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel

from pitboss import errors, http
from pitboss.http import openapi
from pitboss.http.v1 import ErrorDetail
from pitboss_local import template
from pitboss_local.runtime import LambdaContext, load_handler
from tests.conftest import load_event

LAYER = Path(__file__).resolve().parents[2] / "layers" / "shared" / "python" / "pitboss"


def _document() -> dict[str, Any]:
    docs = load_handler(template.functions()["DocsFunction"], 998)
    response = docs(load_event("docs__get__v1_openapi_json"), LambdaContext(function_name="DocsFunction"))
    assert response["statusCode"] == 200
    spec: dict[str, Any] = json.loads(response["body"])
    return spec


# ---- response validation -------------------------------------------------------------------------


class Thing(BaseModel):
    name: str
    size: int


def _app() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(**http.RESOLVER_OPTIONS)
    http.configure(app, surface="v1")

    @app.get("/good")
    def good() -> Thing:
        return Thing(name="a", size=1)

    @app.get("/drifted")
    def drifted() -> Thing:
        return {"name": "a", "size": "not a number"}  # type: ignore[return-value]

    return app


def _get(app: APIGatewayHttpResolver, path: str) -> dict[str, Any]:
    event = load_event("docs__get__v1_openapi_json")
    event = {**event, "rawPath": path, "routeKey": f"GET {path}"}
    event["requestContext"] = {**event["requestContext"], "http": {**event["requestContext"]["http"], "path": path}}
    result: dict[str, Any] = app.resolve(event, LambdaContext(function_name="test"))
    return result


def test_an_answer_that_matches_its_model_is_sent_as_the_model_says() -> None:
    response = _get(_app(), "/good")
    assert response["statusCode"] == 200 and json.loads(response["body"]) == {"name": "a", "size": 1}


def test_an_answer_that_does_not_match_its_model_is_a_500_not_a_422() -> None:
    """The caller sent nothing wrong: an answer that drifted from its model is our bug, answered as one."""
    response = _get(_app(), "/drifted")
    assert response["statusCode"] == 500
    assert json.loads(response["body"]) == {"error": {"code": "internal_error", "message": "internal server error"}}


# ---- the document ---------------------------------------------------------------------------------


def _details_passed_to_errors() -> dict[str, set[str]]:
    """keyword -> where: every detail a domain error is raised with, read from the layer's source."""
    names = {n for n, c in vars(errors).items() if isinstance(c, type) and issubclass(c, errors.PitbossError)}
    found: dict[str, set[str]] = {}
    for path in sorted(LAYER.rglob("*.py")):
        if path.parent.name in {"gateway", "operators", "console"} and path.parent.parent == LAYER:
            # The gateway surface answers {"errMsg": ...} and the console HTML pages: no detail of theirs
            # reaches a /v1 client.
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            called = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if called in names:
                for keyword in node.keywords:
                    if keyword.arg and keyword.arg != "code":
                        found.setdefault(keyword.arg, set()).add(f"{path.relative_to(LAYER)}:{node.lineno}")
    return found


def test_error_detail_declares_every_key_the_errors_carry() -> None:
    declared = set(ErrorDetail.model_fields)
    passed = _details_passed_to_errors()
    assert {"fields", "field", "available", "idempotency_key"} <= set(passed)  # the scan sees them
    missing = {k: sorted(v) for k, v in passed.items() if k not in declared}
    assert not missing, f"declare these in http.v1.ErrorDetail: {missing}"
    # The wallet surface's generic codes add these two to every 404/409.
    assert {"reason", "retryable"} <= declared


def test_error_bodies_of_the_surface_validate_as_error_body() -> None:
    samples = [
        errors.Unprocessable("bad", code="x", fields=[{"field": "a", "message": "b"}]),
        errors.IdempotencyConflict("reused", idempotency_key="k"),
        errors.LimitExceeded("over", limit="deposit_daily_limit", limit_value="10.00", used="5.00", remaining="5.00"),
        errors.Conflict("too many", code="too_many_bonuses", limit=20),
    ]
    for exc in samples:
        for generic in (False, True):
            body = http.error_body(exc, generic_codes=generic)
            assert http.ErrorBody.model_validate(body).model_dump(mode="json") == body


def test_the_document_tells_the_truth_about_players() -> None:
    spec = _document()
    schemas = spec["components"]["schemas"]
    detail = schemas["ErrorDetail"]["properties"]
    assert {"reason", "retryable", "fields", "available", "limit", "idempotency_key"} <= set(detail)
    validation = schemas.get("ValidationError")
    if validation is not None:  # still used by a surface: msg is declared, and required only if declared
        assert "msg" in validation["properties"]
        assert set(validation["required"]) <= set(validation["properties"])
    assert "ResponseValidationError" not in json.dumps(spec)
    event = schemas["TimelineEvent"]["properties"]["data"]
    assert event["$ref"].endswith("/EventData") and "changes" in schemas["EventData"]["properties"]
    limit = schemas["RgOut"]["properties"]["deposit_daily_limit"]
    assert (limit["type"], limit["format"]) == ("number", "decimal")
    for model in ("PlayerOut", "PlayerUpsert"):  # a date both ways
        kinds = schemas[model]["properties"]["date_of_birth"]["anyOf"]
        assert [(k["type"], k.get("format")) for k in kinds] == [("string", "date"), ("null", None)], model
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            internal = operation["responses"]["500"]["content"]["application/json"]["schema"]
            if path.startswith("/v1") or path.startswith("/api"):
                assert internal == {"$ref": "#/components/schemas/ErrorBody"}, f"{method} {path}"


def test_truthful_leaves_the_input_alone_and_drops_unused_powertools_bodies() -> None:
    doc: dict[str, Any] = {
        "paths": {
            "/v1/x": {
                "get": {
                    "responses": {
                        500: {
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/ResponseValidationError"}}
                            }
                        }
                    }
                }
            }
        },
        "components": {
            "schemas": {
                "ErrorBody": {"type": "object"},
                "ResponseValidationError": {
                    "properties": {"detail": {"items": {"$ref": "#/components/schemas/ValidationError"}}}
                },
                "ValidationError": {"properties": {"loc": {}, "type": {}}, "required": ["loc", "msg", "type"]},
            }
        },
    }
    before = copy.deepcopy(doc)
    fixed = openapi.truthful(doc)
    assert doc == before
    assert set(fixed["components"]["schemas"]) == {"ErrorBody"}
    assert fixed["paths"]["/v1/x"]["get"]["responses"][500]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }


@pytest.mark.parametrize(
    "model_name", ["PlayerEnvelope", "EventEnvelope", "TimelinePage", "PlayerOut", "RgOut", "TimelineEvent"]
)
def test_output_models_are_in_the_document(model_name: str) -> None:
    assert model_name in _document()["components"]["schemas"]
