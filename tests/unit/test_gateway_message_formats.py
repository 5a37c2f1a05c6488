"""Issue 11 #9: seed 002 "Message format to be displayed taken from Message Format" and "If a brand_id is not
provided, all message formats will be fetched from default storage": GET /gateway/message-formats/{version}
[/{brand_id}] -> {"language": "en", "formats": {...}} for every message_format key the gateway answers,
?language= picking a language and falling back to English; a brand overrides per language."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pitboss import errors, tenancy
from pitboss.gateway import rules
from tests.gateway_support import call
from tests.support import make_tenant

GATEWAY = Path(__file__).resolve().parents[2] / "layers/shared/python/pitboss/gateway"


def _answered_keys() -> set[str]:
    """Every message_format the gateway code can answer: GwMessageFormat(message_format="...") and constants
    passed to it, and the codes of the MessageFormat errors the gateway surface renders."""
    found: set[str] = set()
    for path in GATEWAY.rglob("*.py"):
        tree = ast.parse(path.read_text())
        constants = {
            t.id: n.value.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "message_format":
                if isinstance(node.value, ast.Constant):
                    found.add(str(node.value.value))
                elif isinstance(node.value, ast.Name) and node.value.id in constants:
                    found.add(str(constants[node.value.id]))
    for item in vars(errors).values():
        if isinstance(item, type) and issubclass(item, errors.MessageFormat) and item is not errors.MessageFormat:
            found.add(item.code)
    return found | {errors.TncApprovalRequired.code}


def test_the_table_names_every_message_format_the_gateway_answers() -> None:
    assert _answered_keys() == set(rules.MESSAGE_FORMAT_KEYS)


def test_defaults_without_a_brand_and_a_brands_own_texts_per_language(moto_table: str) -> None:
    r = call("GET", "/gateway/message-formats/v1")
    assert (r.status, r.json()) == (200, {"language": "en", "formats": rules.MESSAGE_FORMAT_KEYS})
    assert call("GET", "/gateway/message-formats/v1", query={"language": "de"}).json()["language"] == "en"
    t = make_tenant()
    tenancy.update_brand_settings(
        t.tenant_id,
        t.brand_id,
        {"message_formats": {"en": {"email_verified": "Done!"}, "de": {"forgot_email_sent": "Gesendet."}}},
    )
    path = f"/gateway/message-formats/v1/{t.brand_id}"
    en = call("GET", path).json()
    assert en["language"] == "en" and en["formats"]["email_verified"] == "Done!"
    assert set(en["formats"]) == set(rules.MESSAGE_FORMAT_KEYS)
    de = call("GET", path, query={"language": "DE"}).json()
    assert de["language"] == "de" and de["formats"]["forgot_email_sent"] == "Gesendet."
    assert de["formats"]["email_verified"] == "Done!"  # a key without German text falls back to English
    fr = call("GET", path, query={"language": "fr"}).json()
    assert fr == en  # no French texts at all: English
    assert call("GET", "/gateway/message-formats/v1/999999999").json() == {"errMsg": "invalid input - invalid brand id"}
    assert call("GET", "/gateway/message-formats/v9").json() == {"errMsg": "invalid input - invalid version"}


@pytest.mark.parametrize(
    "bad", [{"EN!": {"email_verified": "x"}}, {"en": {"Email Verified": "x"}}, {"en": {"email_verified": "x" * 2001}}]
)
def test_the_setting_is_validated(moto_table: str, bad: dict[str, dict[str, str]]) -> None:
    t = make_tenant()
    with pytest.raises(Exception, match="message_formats"):
        tenancy.update_brand_settings(t.tenant_id, t.brand_id, {"message_formats": bad})
