"""Property-based HTTP fuzzing of the local stack from its own OpenAPI document (issue 10 #7): no 5xx, only
documented status codes, no response that breaks its documented schema, and the stateful phase follows the
document's links (an upserted player's id into its dossier, wallet, movements...)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent


def test_no_server_errors_and_responses_match_the_schema(local_stack: Any, tmp_path: Path) -> None:
    t = local_stack.tenant()
    max_examples = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")
    cmd = [
        str(BIN / "schemathesis"),
        "run",
        f"{local_stack.url}/v1/openapi.json",
        "--url",
        local_stack.url,
        "--checks",
        "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance",
        "--max-examples",
        max_examples,
        "--seed",
        "20261123",
        "--generation-database",
        "none",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "-H",
        f"Authorization: Bearer {t.test_key}",
        "--no-color",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1200, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]
