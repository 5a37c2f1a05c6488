"""`sam build` builds the shared layer with layers/shared/python/Makefile (BuildMethod: makefile): the pinned
requirements as arm64 wheels, pitboss, and bytecode for all of it. Lambda's /opt is read-only, so a layer
shipped without bytecode compiled itself on every cold start (docs/performance.md, "Cold start"). This runs
the recipe as sam does (make with ARTIFACTS_DIR), from the package registry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "shared" / "python"


def test_template_builds_the_layer_with_its_makefile() -> None:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    layer = yaml.load((ROOT / "template.yaml").read_text(), Loader=Loader)["Resources"]["SharedLayer"]
    assert layer["Metadata"] == {"BuildMethod": "makefile", "BuildArchitecture": "arm64"}
    assert layer["Properties"]["ContentUri"] == "layers/shared/python/"
    assert "build-SharedLayer:" in (LAYER / "Makefile").read_text()


def test_the_layer_recipe_ships_every_module_compiled_for_arm64(tmp_path: Path) -> None:
    artifacts = tmp_path / "SharedLayer"
    done = subprocess.run(
        ["make", "-f", str(LAYER / "Makefile"), "build-SharedLayer", f"PYTHON={sys.executable}"],
        cwd=LAYER,
        env={**os.environ, "ARTIFACTS_DIR": str(artifacts)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    python = artifacts / "python"
    sources = sorted(python.rglob("*.py"))
    assert len(sources) > 500 and (python / "pitboss" / "wallet" / "ledger.py") in sources
    tag = sys.implementation.cache_tag  # cpython-311
    missing = [s for s in sources if not (s.parent / "__pycache__" / f"{s.stem}.{tag}.pyc").exists()]
    assert missing == []
    # PEP 552 flags: bit 0 hash-based, bit 1 check_source; unchecked-hash is 0b01 (a zip's 2 s mtimes
    # would make timestamp-checked bytecode look stale).
    ledger = (python / "pitboss" / "wallet" / "__pycache__" / f"ledger.{tag}.pyc").read_bytes()
    assert int.from_bytes(ledger[4:8], "little") == 0b01
    assert sorted(p.name for p in python.rglob("_pydantic_core*.so")) == [
        "_pydantic_core.cpython-311-aarch64-linux-gnu.so"
    ]
    assert not (python / "bin").exists() and not list((python / "pitboss").rglob("*.cpython-311.pyc.*"))
