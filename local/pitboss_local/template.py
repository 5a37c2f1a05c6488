"""Reads template.yaml (the one source of truth) for the table definition, functions and routes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """A YAML loader that keeps CloudFormation short-form tags (!Ref, !Sub, ...) as plain values."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {f"Fn::{suffix}" if suffix not in ("Ref", "Condition") else suffix: value}


_CfnLoader.add_multi_constructor("!", _tag)


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    with TEMPLATE.open() as fh:
        data: dict[str, Any] = yaml.load(fh, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    return data


def table_definition(table_name: str) -> dict[str, Any]:
    """CreateTable parameters from the template's Table resource (what DynamoDB Local and moto accept)."""
    props = load()["Resources"]["Table"]["Properties"]
    params: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        params["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    if props.get("StreamSpecification"):
        params["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    return params


def ttl_attribute() -> str | None:
    spec = load()["Resources"]["Table"]["Properties"].get("TimeToLiveSpecification") or {}
    return spec.get("AttributeName") if spec.get("Enabled") else None


@dataclass(frozen=True)
class Cors:
    """The HttpApi's CorsConfiguration, with parameters resolved to their defaults (or PITBOSS_CORS_ORIGINS)."""

    allow_origins: tuple[str, ...]
    allow_methods: tuple[str, ...]
    allow_headers: tuple[str, ...]
    expose_headers: tuple[str, ...]
    allow_credentials: bool
    max_age: int | None

    def origin_header(self, origin: str) -> str | None:
        """The Access-Control-Allow-Origin value for a request from `origin`, or None when not allowed."""
        if "*" in self.allow_origins:
            return "*"
        return origin if origin.lower() in {o.lower() for o in self.allow_origins} else None


def _resolve(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"Ref"}:
        param = (load().get("Parameters") or {}).get(value["Ref"]) or {}
        default = param.get("Default")
        if param.get("Type") == "CommaDelimitedList" and isinstance(default, str):
            return [v.strip() for v in default.split(",") if v.strip()]
        return default
    return value


def cors(origins_override: str | None = None) -> Cors | None:
    api = next((r for r in load()["Resources"].values() if r.get("Type") == "AWS::Serverless::HttpApi"), None)
    config = (api or {}).get("Properties", {}).get("CorsConfiguration")
    if not config:
        return None

    def names(key: str) -> tuple[str, ...]:
        value = _resolve(config.get(key)) or []
        return tuple(str(v) for v in ([value] if isinstance(value, str) else value))

    origins = names("AllowOrigins")
    if origins_override:
        origins = tuple(o.strip() for o in origins_override.split(",") if o.strip())
    max_age = _resolve(config.get("MaxAge"))
    return Cors(
        allow_origins=origins,
        allow_methods=names("AllowMethods"),
        allow_headers=names("AllowHeaders"),
        expose_headers=names("ExposeHeaders"),
        allow_credentials=bool(_resolve(config.get("AllowCredentials"))),
        max_age=None if max_age is None else int(max_age),
    )


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway template, e.g. /v1/players/{key}
    function: str  # logical id
    authorized: bool
    pattern: re.Pattern[str]

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_uri: Path
    handler: str  # module path inside code_uri + attribute, e.g. app.lambda_handler
    environment: dict[str, Any]
    timeout: float = 10.0  # seconds, as the template says (the context's remaining time counts from it)


def _compile(path: str) -> re.Pattern[str]:
    regex = ""
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            regex += f"(?P<{name.rstrip('+')}>.+)" if name.endswith("+") else f"(?P<{name}>[^/]+)"
        else:
            regex += re.escape(part)
    return re.compile(f"^{regex}$")


def functions() -> dict[str, Function]:
    found = {}
    default_timeout = ((load().get("Globals") or {}).get("Function") or {}).get("Timeout", 10)
    for logical_id, res in load()["Resources"].items():
        if res.get("Type") != "AWS::Serverless::Function":
            continue
        props = res["Properties"]
        env = (props.get("Environment") or {}).get("Variables") or {}
        found[logical_id] = Function(
            logical_id=logical_id,
            code_uri=(ROOT / props["CodeUri"]).resolve(),
            handler=props["Handler"],
            environment={k: v for k, v in env.items() if isinstance(v, str | int)},
            timeout=float(props.get("Timeout", default_timeout)),
        )
    return found


def routes() -> list[Route]:
    found = []
    for logical_id, res in load()["Resources"].items():
        if res.get("Type") != "AWS::Serverless::Function":
            continue
        for event in (res["Properties"].get("Events") or {}).values():
            if event.get("Type") != "HttpApi":
                continue
            p = event["Properties"]
            auth = (p.get("Auth") or {}).get("Authorizer")
            found.append(
                Route(
                    method=str(p["Method"]).upper(),
                    path=p["Path"],
                    function=logical_id,
                    authorized=auth != "NONE",
                    pattern=_compile(p["Path"]),
                )
            )
    # API Gateway prefers the most specific route: literal segments before parameters.
    found.sort(key=lambda r: (r.path.count("{"), -len(r.path)))
    return found


def schedules() -> dict[str, list[str]]:
    """Function logical id -> schedule expressions (for the local stack's scheduler loop)."""
    found: dict[str, list[str]] = {}
    for logical_id, res in load()["Resources"].items():
        if res.get("Type") != "AWS::Serverless::Function":
            continue
        for event in (res["Properties"].get("Events") or {}).values():
            if event.get("Type") in ("Schedule", "ScheduleV2"):
                found.setdefault(logical_id, []).append(
                    event["Properties"].get("Schedule") or event["Properties"].get("ScheduleExpression")
                )
    return found
