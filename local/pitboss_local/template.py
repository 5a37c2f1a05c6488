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
