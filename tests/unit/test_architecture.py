"""The allowed import arrows of the layer and the functions (docs/architecture.md, "Rooms and arrows"),
checked by reading every module's imports with `ast`:

    functions/<group>/app.py  ->  pitboss.http, domains, kernel      (never pitboss.store / pitboss.keys)
    domain flows              ->  own repository, own pure modules, kernel, other domains' pure modules
    domain repository.py      ->  pitboss.store, pitboss.keys, kernel
    kernel                    ->  kernel only (never a domain, never pitboss.http)

Pure modules (models, output, rules, entity) do no I/O: they import neither the store nor a repository. Only
pitboss.store (DynamoDB) and pitboss.bus (EventBridge) import boto3/botocore."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "shared" / "python"
FUNCTIONS = ROOT / "functions"

DOMAINS = frozenset(
    {
        "players",
        "wallet",
        "gateway",
        "backoffice",
        "operators",
        "console",
        "brands",
        "engines",
        "lootbox",
        "events",
        "webhooks",
        "audit",
        "reports",
        "games",
    }
)
PURE = frozenset({"models", "output", "rules", "entity"})
# A domain's published interface for other domains' flows (e.g. pitboss.wallet.port: the movement skeleton
# the engines post money through). Only flows may use a port; pure modules stay pure.
PORTS = frozenset({"port"})
# Kernel modules that may talk to AWS SDKs directly; everything else goes through them.
AWS_ADAPTERS = frozenset({"pitboss.store", "pitboss.bus"})
# Modules allowed to name table keys and build expressions: the store, the key schema, the kernel's own
# data-access modules and every domain's repository (pitboss.ops: the store's write operations).
DATA_ACCESS = frozenset({"pitboss.store", "pitboss.keys", "pitboss.ops"})


@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. pitboss.wallet.rounds or functions.wallet.app
    path: Path

    @property
    def parts(self) -> list[str]:
        return self.name.split(".")

    @property
    def domain(self) -> str | None:
        parts = self.parts
        return parts[1] if parts[0] == "pitboss" and len(parts) > 2 and parts[1] in DOMAINS else None

    @property
    def is_function(self) -> bool:
        return self.parts[0] == "functions"

    @property
    def is_http(self) -> bool:
        return self.parts[:2] == ["pitboss", "http"]

    @property
    def leaf(self) -> str:
        return self.parts[-1]

    @property
    def is_repository(self) -> bool:
        return "repository" in self.parts[2:]


def _modules(layer: Path, functions: Path) -> list[Module]:
    found = []
    for path in sorted((layer / "pitboss").rglob("*.py")):
        rel = path.relative_to(layer).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.append(Module(".".join(parts), path))
    for path in sorted(functions.glob("*/app.py")):
        found.append(Module(f"functions.{path.parent.name}.app", path))
    return found


def _imports(module: Module) -> set[str]:
    """Every module name imported (for `from a.b import c`, both a.b and a.b.c: c may be a submodule)."""
    tree = ast.parse(module.path.read_text(), filename=str(module.path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _domain_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if parts[0] == "pitboss" and len(parts) > 1 and parts[1] in DOMAINS else None


def _check(module: Module, imported: str) -> str | None:
    """Why `module` may not import `imported`, or None when the arrow is allowed."""
    top = imported.split(".", maxsplit=1)[0]
    if top in {"boto3", "botocore"} and module.name not in AWS_ADAPTERS:
        return "only pitboss.store and pitboss.bus talk to AWS"
    if top != "pitboss":
        return None
    target_domain = _domain_of(imported)
    if imported == "pitboss.http" or imported.startswith("pitboss.http."):
        if not (module.is_function or module.is_http):
            return "only functions/ (and the http package) use the HTTP layer"
        return None
    if module.is_function:
        if imported in DATA_ACCESS:
            return "a handler never talks to DynamoDB: route -> domain flow -> repository -> store"
        return None
    if module.is_http:
        return None
    if module.domain is None:  # kernel
        if target_domain is not None:
            return "the kernel never imports a domain"
        return None
    # A domain module.
    if module.leaf in PURE and (imported in DATA_ACCESS or imported.endswith(".repository")):
        return "pure modules (models, output, rules, entity) do no I/O"
    if imported in DATA_ACCESS and not module.is_repository:
        return "only a domain's repository names table keys and talks to the store"
    if target_domain is not None and target_domain != module.domain:
        rest = imported.split(".")[2:]
        if rest and rest[0] in PORTS and module.leaf in PURE:
            return "pure modules (models, output, rules, entity) do no I/O: they never use another domain's port"
        if rest and rest[0] not in PURE | PORTS:
            return f"another domain's internals ({imported}); only its {sorted(PURE | PORTS)} modules are public"
        if not rest:
            return f"import {imported}'s pure modules by name, not the package"
    return None


def violations(layer: Path = LAYER, functions: Path = FUNCTIONS) -> set[tuple[str, str]]:
    found = set()
    for module in _modules(layer, functions):
        for imported in _imports(module):
            if _check(module, imported) is not None:
                found.add((module.name, imported))
    return found


# Arrows that the restructure (issue 9) is still removing, one domain at a time. A test below fails when
# an entry is no longer needed, so this list only shrinks; it must end empty.
KNOWN_DEBT: set[tuple[str, str]] = set()


def test_import_arrows_hold() -> None:
    found = violations()
    new = sorted(found - KNOWN_DEBT)
    reasons = []
    for module_name, imported in new:
        module = next(m for m in _modules(LAYER, FUNCTIONS) if m.name == module_name)
        reasons.append(f"{module_name} -> {imported}: {_check(module, imported)}")
    assert not reasons, "forbidden imports:\n" + "\n".join(reasons)


def test_known_debt_only_shrinks() -> None:
    paid = sorted(KNOWN_DEBT - violations())
    assert not paid, f"these arrows are gone; remove them from KNOWN_DEBT: {paid}"


@pytest.mark.parametrize(
    ("path", "source", "reason"),
    [
        ("pitboss/wallet/rounds.py", "from pitboss.http import principal\n", "HTTP layer"),
        ("pitboss/wallet/rounds.py", "from pitboss.players.upsert import create\n", "internals"),
        ("pitboss/wallet/rounds.py", "from pitboss import store\n", "repository"),
        ("pitboss/wallet/rules.py", "from pitboss.wallet import repository\n", "no I/O"),
        ("pitboss/money.py", "from pitboss.wallet.models import BetIn\n", "kernel"),
        ("pitboss/gateway/status.py", "import boto3\n", "AWS"),
        ("pitboss/gateway/rules.py", "from pitboss.wallet.port import run\n", "no I/O"),
        ("pitboss/gateway/status.py", "from pitboss.wallet.movement import run\n", "internals"),
    ],
)
def test_a_forbidden_import_is_caught(tmp_path: Path, path: str, source: str, reason: str) -> None:
    """The checker itself: each forbidden arrow, dropped into a scratch copy of the tree, is reported."""
    layer = tmp_path / "layer"
    functions = tmp_path / "functions"
    functions.mkdir()
    target = layer / path
    target.parent.mkdir(parents=True)
    for parent in [target.parent, *target.parent.parents]:
        if parent == layer:
            break
        (parent / "__init__.py").touch()
    target.write_text(source)
    found = violations(layer, functions)
    assert found, f"{path}: {source!r} was not reported"
    module = next(m for m in _modules(layer, functions) if m.path == target)
    assert all(reason in (_check(module, imported) or "") for _, imported in found)


def test_allowed_arrows_are_not_reported(tmp_path: Path) -> None:
    layer = tmp_path / "layer"
    (layer / "pitboss" / "wallet").mkdir(parents=True)
    (layer / "pitboss" / "gateway").mkdir(parents=True)
    for pkg in ("pitboss", "pitboss/wallet", "pitboss/gateway"):
        (layer / pkg / "__init__.py").touch()
    (layer / "pitboss" / "wallet" / "repository.py").write_text("from pitboss import keys, store\n")
    (layer / "pitboss" / "wallet" / "rounds.py").write_text(
        "from pitboss import identity, money\nfrom pitboss.wallet import repository, rules\n"
    )
    (layer / "pitboss" / "gateway" / "status.py").write_text(
        "from pitboss.wallet.entity import Wallet\nfrom pitboss.wallet.port import run\n"
    )
    functions = tmp_path / "functions" / "wallet"
    functions.mkdir(parents=True)
    (functions / "app.py").write_text("from pitboss import http\nfrom pitboss.wallet import rounds\n")
    assert violations(layer, tmp_path / "functions") == set()
