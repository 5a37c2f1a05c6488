"""The merged OpenAPI document, corrected where powertools' generated parts don't say what Pitboss answers.

* Response validation (http.RESOLVER_OPTIONS) makes powertools document a 500 `ResponseValidationError`
  body on every operation; Pitboss answers that case like any unexpected error, with the surface's own
  500 body, so the document says that instead.
* powertools' `ValidationError` lists `msg` as required without declaring it (its 422 body hides the
  message on purpose); the document declares it, optional.
* Schemas of powertools' own bodies that no operation uses any more are dropped.
* Links say which operations an answer's id feeds (LINKS).
* Every gateway operation declares the optional `x-pitboss-key` header (a publishable brand key, issue 11 #12)
  and the 401 an unknown one gets."""

from __future__ import annotations

import copy
import json
from typing import Any

from aws_lambda_powertools.event_handler.openapi.compat import model_json
from aws_lambda_powertools.event_handler.openapi.models import OpenAPI

from pitboss.errors import InvalidPublishableKey
from pitboss.http import gateway as gateway_bodies
from pitboss.http import v1 as v1_bodies
from pitboss.http.wire import JSON

SCHEMAS = "#/components/schemas/"
POWERTOOLS_BODIES = ("ResponseValidationError", "HTTPValidationError", "ValidationError")
INTERNAL_ERROR = "Internal error (logged), including an answer that did not match its documented model"


def _gateway_internal_error() -> dict[str, Any]:
    _status, body = gateway_bodies.Bodies().unexpected()
    return {
        "type": "object",
        "properties": {name: {"type": "string"} for name in body},
        "required": sorted(body),
        "example": body,
    }


def _internal_error(path: str) -> dict[str, Any]:
    if path.startswith("/gateway"):
        schema = _gateway_internal_error()
    else:
        schema = {"$ref": f"{SCHEMAS}{v1_bodies.ErrorBody.__name__}"}
    return {"description": INTERNAL_ERROR, "content": {JSON: {"schema": schema}}}


def _is_powertools_500(response: Any) -> bool:
    return f"{SCHEMAS}ResponseValidationError" in json.dumps(response, default=str)


def _validation_error(schemas: dict[str, Any]) -> None:
    found = schemas.get("ValidationError")
    if not found:
        return
    fixed = copy.deepcopy(found)
    fixed.setdefault("properties", {})["msg"] = {
        "title": "Message",
        "type": "string",
        "description": "Left out by the validator, so as not to leak internals",
    }
    fixed["required"] = [name for name in fixed.get("required", []) if name != "msg"]
    schemas["ValidationError"] = fixed


def _drop_unused(document: dict[str, Any]) -> None:
    schemas = document.get("components", {}).get("schemas", {})
    # ValidationError is used only through the other two, so check it last.
    for name in POWERTOOLS_BODIES:
        if name not in schemas:
            continue
        rest = {k: v for k, v in document.items() if k != "components"}
        others = {k: v for k, v in schemas.items() if k != name}
        if f'"{SCHEMAS}{name}"' not in json.dumps([rest, others], default=str):
            del schemas[name]


# OpenAPI links: where an answer's id feeds other operations (clients and schemathesis' stateful phase follow
# them). The upserted player's user_id opens its dossier, timeline, wallet and money movements.
PLAYER_ID = "$response.body#/player/user_id"
LINKS: dict[tuple[str, str], dict[str, tuple[str, str]]] = {
    ("/v1/players", "post"): {
        "GetPlayer": ("/v1/players/{key}", "get"),
        "GetTimeline": ("/v1/players/{key}/timeline", "get"),
        "GetWallet": ("/v1/players/{key}/wallet", "get"),
        "ListTransactions": ("/v1/players/{key}/transactions", "get"),
        "Deposit": ("/v1/players/{key}/deposits", "post"),
        "Bet": ("/v1/players/{key}/bets", "post"),
        "SetRg": ("/v1/players/{key}/rg", "post"),
        "ChangeStatus": ("/v1/players/{key}/status", "patch"),
    },
}


def _operation_ref(path: str, method: str) -> str:
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


def _links(paths: dict[str, Any]) -> None:
    for (path, method), targets in LINKS.items():
        operation = paths.get(path, {}).get(method)
        if not operation:
            continue
        links = {
            name: {"operationRef": _operation_ref(*target), "parameters": {"key": PLAYER_ID}}
            for name, target in targets.items()
            if target[1] in paths.get(target[0], {})
        }
        for status in (200, 201, "200", "201"):  # powertools keys responses by int, a loaded document by str
            if status in operation.get("responses", {}):
                operation["responses"][status]["links"] = links


# The gateway reads it on every route (pitboss.gateway.publishable): absent is live; a brand's wpk_test_ key is
# the brand's test realm; anything else is 401 "invalid input - invalid publishable key".
PUBLISHABLE_KEY = {
    "name": gateway_bodies.PUBLISHABLE_KEY_HEADER,
    "in": "header",
    "required": False,
    "description": "A publishable brand key (`wpk_live_...` or `wpk_test_...`, safe to ship in a browser): it only "
    "selects the brand's mode, `wpk_test_` its test realm (its own players, sessions and wallets). Without it "
    "the request is live. Another brand's, a revoked or an unknown key: 401 `invalid input - invalid "
    "publishable key`",
    "schema": {"type": "string", "maxLength": 100, "pattern": "^wpk_(live|test)_[A-Za-z0-9_-]+$"},
}
INVALID_PUBLISHABLE_KEY = gateway_bodies.ERR_MSG[InvalidPublishableKey]
ERR_MSG_REF = f"{SCHEMAS}GwErrMsg"
# Gateway routes that name no brand, so there is no brand mode to select: the header is not read there.
WITHOUT_BRAND = frozenset({"/gateway/message-formats/{version}"})


def _publishable_key(paths: dict[str, Any]) -> None:
    for path, item in paths.items():
        if not path.startswith("/gateway/") or path in WITHOUT_BRAND:
            continue
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            operation["parameters"] = [*operation.get("parameters", []), dict(PUBLISHABLE_KEY)]
            responses = operation["responses"]
            status = next((s for s in (401, "401") if s in responses), None)
            if status is None:
                schema = {"$ref": ERR_MSG_REF}
                responses[401] = {"description": INVALID_PUBLISHABLE_KEY, "content": {JSON: {"schema": schema}}}
                continue
            media = responses[status].setdefault("content", {}).setdefault(JSON, {})
            current = media.get("schema")
            if ERR_MSG_REF not in json.dumps(current, default=str):
                media["schema"] = {"anyOf": [current, {"$ref": ERR_MSG_REF}]} if current else {"$ref": ERR_MSG_REF}
            responses[status]["description"] += f"; or {INVALID_PUBLISHABLE_KEY}"


def truthful(document: dict[str, Any]) -> dict[str, Any]:
    """A corrected copy of a merged document (the input, powertools' cached one, is left as it was)."""
    fixed = copy.deepcopy(document)
    for path, item in fixed.get("paths", {}).items():
        for operation in item.values():
            responses = operation.get("responses") if isinstance(operation, dict) else None
            if not responses:
                continue
            for status in (500, "500"):
                if status in responses and _is_powertools_500(responses[status]):
                    responses[status] = _internal_error(path)
    _validation_error(fixed.get("components", {}).get("schemas", {}))
    _links(fixed.get("paths", {}))
    _publishable_key(fixed.get("paths", {}))
    _drop_unused(fixed)
    return fixed


def document_json(document: dict[str, Any]) -> str:
    """The corrected document as JSON, serialised the way powertools serialises its own."""
    text: str = model_json(OpenAPI(**truthful(document)), by_alias=True, exclude_none=True, indent=2)
    return text
