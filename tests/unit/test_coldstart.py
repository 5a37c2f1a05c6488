"""What keeps cold starts short (bench/coldstart.py measures them): the authorizer's imports, the store's
own reading of the environment, and the layer's own ULIDs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _fresh_python(code: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TABLE_NAME", "DYNAMODB_"))}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in paths)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)


def test_the_authorizer_imports_neither_pydantic_nor_ulid() -> None:
    """pydantic's import alone costs about half a bare boto3 client's cold start (bench/coldstart.py)."""
    done = _fresh_python(
        "import sys, app\n"
        "from pitboss import store\n"
        "store.client()\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'pydantic_core', 'ulid'}))",
        ROOT / "functions" / "authorizer",
        ROOT / "layers" / "shared" / "python",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"TABLE_NAME": "pitboss-prod", "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-2"},
        {"AWS_DEFAULT_REGION": "eu-central-1", "DYNAMODB_ENDPOINT_URL": "http://127.0.0.1:8000"},
        {"DYNAMODB_ENDPOINT_URL": ""},
    ],
)
def test_the_store_reads_the_environment_as_the_settings_do(env: dict[str, str]) -> None:
    """store.connection() reads three variables itself (to keep the settings model off the authorizer's
    cold start): both readings must agree."""
    names = ("TABLE_NAME", "AWS_REGION", "AWS_DEFAULT_REGION", "DYNAMODB_ENDPOINT_URL")
    code = (
        "from pitboss import store\nfrom pitboss.settings import get_settings\nimport json\n"
        "c, s = store.connection(), get_settings()\n"
        "print(json.dumps([[c.table_name, c.endpoint_url, c.region],"
        " [s.table_name, s.dynamodb_endpoint_url, s.aws_region]]))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in names}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env, "PYTHONPATH": str(ROOT / "layers" / "shared" / "python")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    ours, settings = json.loads(done.stdout)
    assert ours == settings


def test_ids_are_ulids_in_order() -> None:
    from pitboss import ids

    made = [ids.ulid() for _ in range(2000)]
    assert made == sorted(made) and len(set(made)) == len(made)
    assert all(len(i) == 26 and set(i) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for i in made)
    assert ids.ulid(at_ms=1_700_000_000_000)[:10] == "01HF7YAT00"  # the 48-bit time, as python-ulid writes it


def test_the_layer_sets_the_collector_for_long_lived_heaps() -> None:
    done = _fresh_python("import gc, pitboss\nprint(gc.get_threshold())", ROOT / "layers" / "shared" / "python")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(10000, 20, 20)"


def _recipe(makefile: str, target: str) -> list[str]:
    lines = makefile.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


@pytest.mark.parametrize("target", ["build", "template"])
def test_the_build_ships_bytecode(target: str) -> None:
    """sam build ships sources only, and Lambda cannot write bytecode (read-only /opt and /var/task): every
    cold start compiled the whole layer, the wallet's 1.7x a bare boto3 client's becoming 3.2x
    (docs/performance.md). Both builds compile .aws-sam/build after sam build, with the runtime's Python,
    as unchecked-hash bytecode (a zip rounds mtimes to 2 s: timestamp-checked bytecode would look stale)."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = _recipe(makefile, target)
    assert recipe.index("$(BYTECODE)") > next(i for i, line in enumerate(recipe) if "sam build" in line)
    command = " ".join(line for line in makefile.splitlines() if "BYTECODE =" in line or "compileall" in line)
    assert "(3, 11)" in command and "--invalidation-mode unchecked-hash .aws-sam/build" in command
    assert "Runtime: python3.11" in (ROOT / "template.yaml").read_text()  # the runtime the bytecode is for


@pytest.mark.parametrize("function", ["players", "gateway", "wallet", "backoffice", "console"])
def test_functions_import_email_validation_password_hashing_and_settings_sources_on_first_use(
    function: str,
) -> None:
    """email-validator, argon2 (with cffi) and pydantic-settings each cost a visible share of a cold start
    (docs/performance.md) and serve a few routes: they are imported when first used, not with the app."""
    done = _fresh_python(
        "import sys, app\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'email_validator', 'argon2', 'pydantic_settings'}))",
        ROOT / "functions" / function,
        ROOT / "layers" / "shared" / "python",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "value",
    ["Foo@Example.COM", "bad", "a" * 250 + "@x.com", "x@" + "a" * 300 + ".com", "Name <x@y.com>", 5, "", " a@b.com ",
     "a@b", "ü@bücher.de"],
)  # fmt: skip
def test_email_address_is_email_str_imported_late(value: object) -> None:
    from typing import Annotated

    from pydantic import BaseModel, EmailStr, Field, ValidationError

    from pitboss.types import EmailAddress

    class Before(BaseModel):
        email: Annotated[EmailStr, Field(max_length=254, description="d")]

    class After(BaseModel):
        email: Annotated[EmailAddress, Field(max_length=254, description="d")]

    answers: list[object] = []
    for model in (Before, After):
        try:
            answers.append(model.model_validate({"email": value}).email)
        except ValidationError as exc:
            answers.append([(e["type"], e["msg"], e["loc"]) for e in exc.errors()])
    assert answers[0] == answers[1]
    assert Before.model_json_schema()["properties"] == After.model_json_schema()["properties"]


def test_importing_the_gateway_builds_none_of_the_layers_models() -> None:
    """Every model of the layer derives from pitboss.types.Model (defer_build): importing a function must not
    build their validators; a request builds the few it uses (docs/performance.md, "Cold start")."""
    done = _fresh_python(
        "import app, json, pydantic\n"
        "seen, todo = set(), [pydantic.BaseModel]\n"
        "while todo:\n"
        "    for sub in todo.pop().__subclasses__():\n"
        "        if sub not in seen:\n"
        "            seen.add(sub); todo.append(sub)\n"
        "ours = [m for m in seen if m.__module__.startswith('pitboss.') and m.__module__ != 'pitboss.settings']\n"
        "print(json.dumps([len(ours), sorted(m.__qualname__ for m in ours if m.__pydantic_complete__)]))",
        ROOT / "functions" / "gateway",
        ROOT / "layers" / "shared" / "python",
    )
    assert done.returncode == 0, done.stderr
    count, built = json.loads(done.stdout.strip().splitlines()[-1])
    # RateLimits' defaults are RateLimit instances, made (so built) where the class is declared.
    assert count > 100 and built == ["RateLimit"]


def test_every_model_of_the_layer_defers_its_build() -> None:
    from pitboss.types import Model

    layer = ROOT / "layers" / "shared" / "python"
    eager = [
        f"{path.relative_to(layer)}: {line.strip()}"
        for path in sorted(layer.rglob("*.py"))
        if path.name != "settings.py"
        for line in path.read_text().splitlines()
        if line.startswith("class ") and "(BaseModel)" in line and not line.startswith("class Model(")
    ]
    assert eager == [], "derive from pitboss.types.Model (defer_build), not BaseModel"
    assert Model.model_config.get("defer_build") is True


@pytest.mark.parametrize(
    "function",
    sorted(p.parent.name for p in (ROOT / "functions").glob("*/app.py") if p.parent.name != "docs"),
)
def test_no_function_imports_the_openapi_models_at_init(function: str) -> None:
    """powertools' OpenAPI models (~40 pydantic classes, built on import: 0.35x of the floor) are for the
    document, which only the docs function serves; the gateway declared its security scheme with them."""
    done = _fresh_python(
        "import sys, app\nprint('aws_lambda_powertools.event_handler.openapi.models' in sys.modules)",
        ROOT / "functions" / function,
        ROOT / "layers" / "shared" / "python",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_no_function_imports_boto3() -> None:
    """boto3's package imports s3transfer and multiprocessing before any client (about 0.1x of a bare boto3
    client's cold start, docs/performance.md): the store and the bus use botocore's client, and the layer
    converts attribute values itself (pitboss.attrvalues). Every function's app, then its DynamoDB client."""
    functions = sorted(p.parent for p in (ROOT / "functions").glob("*/app.py"))
    assert len(functions) >= 10
    done = _fresh_python(
        "import importlib, json, sys\n"
        "from pitboss import store\n"
        "found = {}\n"
        f"for path in {[str(p) for p in functions]!r}:\n"
        "    sys.path.insert(0, path)\n"
        "    importlib.import_module('app')\n"
        "    store.client()\n"
        "    found[path] = sorted({m.split('.')[0] for m in sys.modules} & {'boto3', 's3transfer'})\n"
        "    del sys.modules['app']\n"
        "    sys.path.remove(path)\n"
        "print(json.dumps(found))",
        ROOT / "layers" / "shared" / "python",
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {str(p): [] for p in functions}


def test_a_client_made_before_moto_was_imported_does_not_outlive_reset_clients() -> None:
    """moto intercepts through handlers a botocore session picks up when it is created. The store keeps one
    session; reset_clients (which every test's fixture calls) must forget it, or a session made before moto's
    import would send a later mocked test's calls to AWS itself."""
    done = _fresh_python(
        "import os\n"
        "os.environ.update(AWS_ACCESS_KEY_ID='t', AWS_SECRET_ACCESS_KEY='t', AWS_DEFAULT_REGION='us-east-1')\n"
        "from pitboss import store\n"
        "store.client()\n"
        "from moto import mock_aws\n"
        "with mock_aws():\n"
        "    store.reset_clients()\n"
        "    store.client().create_table(TableName='moto-sees-it', BillingMode='PAY_PER_REQUEST',\n"
        "        AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'}],\n"
        "        KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}])\n"
        "    print(store.client().list_tables()['TableNames'])",
        ROOT / "layers" / "shared" / "python",
    )
    assert done.returncode == 0, done.stderr[-800:]
    assert done.stdout.strip() == "['moto-sees-it']"


def test_the_event_bus_client_comes_from_the_stores_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """One botocore session per process: the EventBridge client does not load botocore's endpoint and retry
    data a second time."""
    import botocore.session

    from pitboss import bus, store

    made: list[object] = []
    real = botocore.session.get_session

    def counted() -> botocore.session.Session:
        made.append(real())
        return made[-1]  # type: ignore[return-value]

    monkeypatch.setattr(botocore.session, "get_session", counted)
    monkeypatch.setattr(bus, "_clients", {})
    store.reset_clients()
    try:
        dynamodb = store.client()
        events = bus._client()
        assert len(made) == 1
        assert (dynamodb.meta.service_model.service_name, events.meta.service_model.service_name) == (
            "dynamodb",
            "events",
        )
    finally:
        store.reset_clients()
