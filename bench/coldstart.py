"""Cold start on paper: for each function in template.yaml, `import app` plus creating the DynamoDB client,
in a fresh interpreter, against a bare `import boto3; boto3.client("dynamodb")` measured in the same run.

Each round runs the floor and every function once, in fresh subprocesses, interleaved; a function's figure
is the median over the rounds of its time divided by that round's floor. The figure uses the process's CPU
time, which a machine shared with other work disturbs far less than wall time (imports with warm page
caches are CPU-bound); wall time is printed next to it. Interpreter start-up is not counted (both sides
pay it alike): the timers start at the first import. Lambda's environment variables are set as
template.yaml's Globals set them.

    make coldstart                  (python -m bench.coldstart [--rounds 9] [--importtime FUNCTION])

`--against DIR` (a checkout of another revision, e.g. `git archive main functions layers | tar -x -C DIR`)
measures each function from both trees in the same rounds, against the same floor: an A/B that the
machine's load cannot tilt. `--only NAME,...` limits the run to some functions.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LAYER = ROOT / "layers" / "shared" / "python"
RESULTS = ROOT / "bench" / "results"
TARGET = 1.30

FLOOR = "import boto3\nboto3.client('dynamodb')\n"
# What a cold Lambda does before its first request can run: the handler module, then (on the first call)
# the store's DynamoDB client, with the store's own settings and config.
FUNCTION = "import importlib\nimportlib.import_module({module!r})\nfrom pitboss import store\nstore.client()\n"
# The DynamoDB client as the functions create it: botocore's, without boto3's package (pitboss.store).
SDK = "import botocore.session\nbotocore.session.get_session().create_client('dynamodb')\n"
# The stack every HTTP function is built on, with nothing of ours: the floor a function cannot go below while
# it keeps pydantic and powertools (the design's choice). Timed like a function, in the same rounds.
STACK = SDK + (
    "import pydantic\n"
    "from aws_lambda_powertools import Logger\n"
    "Logger()\n"
    "class Body(pydantic.BaseModel):\n"
    "    amount: str\n"
)
REFERENCES = {
    "stack: botocore client": SDK,
    "stack: pydantic + Logger": STACK,
    "stack: + validating resolver": STACK
    + (
        "from typing import Annotated\n"
        "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver\n"
        "from aws_lambda_powertools.event_handler.openapi.params import Body as B\n"
        "app = APIGatewayHttpResolver(enable_validation=True)\n"
        "@app.post('/x')\n"
        "def x(body: Annotated[Body, B()]) -> dict:\n"
        "    return {}\n"
    ),
}
TIMED = (
    "import time\n_w, _c = time.perf_counter(), time.process_time()\n{body}"
    "print(time.process_time() - _c, time.perf_counter() - _w)\n"
)


def _functions() -> dict[str, tuple[Path, str]]:
    sys.path.insert(0, str(ROOT / "local"))
    from pitboss_local import template

    found = {}
    for name, fn in template.functions().items():
        module = fn.handler.rpartition(".")[0].replace("/", ".")  # as Lambda's bootstrap reads Handler
        found[name] = (fn.code_uri, module)
    return found


def _env(code_uri: Path | None, layer: Path = LAYER) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PITBOSS_", "DYNAMODB_", "POWERTOOLS_"))}
    # Every module loads from bytecode, as from the built layer (`make build` compiles it): the untimed pass
    # writes it here, outside the tree, even where the shell sets PYTHONDONTWRITEBYTECODE (it would leave
    # the layer's modules compiled from source in every timed run: about 0.3x of the wallet's figure).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(RESULTS / "pycache")
    env.update(
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="coldstart",
        AWS_SECRET_ACCESS_KEY="coldstart",
        TABLE_NAME="pitboss",
        STAGE="dev",
        IDEMPOTENCY_TTL_DAYS="120",
        POWERTOOLS_SERVICE_NAME="pitboss",
        POWERTOOLS_METRICS_NAMESPACE="Pitboss",
        POWERTOOLS_LOG_LEVEL="INFO",
        PYDANTIC_DISABLE_PLUGINS="__all__",
        PYTHONPATH=os.pathsep.join([str(code_uri), str(layer)]) if code_uri else "",
    )
    env.pop("TABLE", None)
    return env


def _run(body: str, code_uri: Path | None, cwd: Path, layer: Path = LAYER) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of `body` in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", TIMED.format(body=body)],
        env=_env(code_uri, layer),
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"cold start run failed:\n{done.stderr[-2000:]}")
    cpu, wall = done.stdout.strip().splitlines()[-1].split()
    return float(cpu), float(wall)


def _variants(only: set[str] | None, against: Path | None) -> dict[str, tuple[Path | None, str, Path]]:
    """What to time: name -> (code dir, body, layer dir); with `against`, each function twice, the other
    tree's copy named `NAME@against`. The stack's references come first."""
    variants: dict[str, tuple[Path | None, str, Path]] = {
        name: (None, body, LAYER) for name, body in REFERENCES.items()
    }
    for name, (code_uri, module) in _functions().items():
        if only and name not in only:
            continue
        variants[name] = (code_uri, FUNCTION.format(module=module), LAYER)
        if against is not None:
            variants[f"{name}@against"] = (
                against / code_uri.relative_to(ROOT),
                FUNCTION.format(module=module),
                against / LAYER.relative_to(ROOT),
            )
    return variants


def measure(rounds: int, only: set[str] | None = None, against: Path | None = None) -> dict[str, Any]:
    functions = _variants(only, against)
    empty = ROOT / "bench"  # a cwd with nothing importable named app
    floors: dict[str, list[float]] = {"cpu": [], "wall": []}
    times: dict[str, dict[str, list[float]]] = {name: {"cpu": [], "wall": []} for name in functions}
    ratios: dict[str, dict[str, list[float]]] = {name: {"cpu": [], "wall": []} for name in functions}
    # One untimed pass fills the bytecode caches, as a deployed package ships them compiled.
    _run(FLOOR, None, empty)
    for code_uri, body, layer in functions.values():
        _run(body, code_uri, empty, layer)
    for _ in range(rounds):
        floor = dict(zip(("cpu", "wall"), _run(FLOOR, None, empty), strict=True))
        for kind, value in floor.items():
            floors[kind].append(value)
        for name, (code_uri, body, layer) in functions.items():
            took = _run(body, code_uri, empty, layer)
            for kind, value in zip(("cpu", "wall"), took, strict=True):
                times[name][kind].append(value)
                ratios[name][kind].append(value / floor[kind])
    return {
        "command": "make coldstart  (python -m bench.coldstart)",
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "against": str(against) if against else None,
        "rounds": rounds,
        "figure": "median over the rounds of (function / floor of the same round), CPU time of the process",
        "floor_ms": {kind: round(statistics.median(v) * 1000, 1) for kind, v in floors.items()},
        "target_ratio": TARGET,
        "functions": {
            name: {
                "median_cpu_ms": round(statistics.median(times[name]["cpu"]) * 1000, 1),
                "ratio": round(statistics.median(ratios[name]["cpu"]), 2),
                "median_wall_ms": round(statistics.median(times[name]["wall"]) * 1000, 1),
                "wall_ratio": round(statistics.median(ratios[name]["wall"]), 2),
            }
            for name in functions
        },
    }


def importtime(function: str, top: int) -> None:
    """The heaviest imports of one function's cold start (python -X importtime, cumulative microseconds)."""
    code_uri, module = _functions()[function]
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", FUNCTION.format(module=module)],
        env=_env(code_uri),
        cwd=ROOT / "bench",
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative_us, name = line.split("|", 2)
        rows.append((int(cumulative_us), name.rstrip()))
    for cumulative, name in sorted(rows, reverse=True)[:top]:
        print(f"{cumulative / 1000:8.1f} ms  {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=9, help="paired rounds (the figure is their median)")
    parser.add_argument("--importtime", metavar="FUNCTION", help="show one function's heaviest imports instead")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--only", metavar="NAME,...", help="time only these functions")
    parser.add_argument("--against", metavar="DIR", type=Path, help="also time the functions of this checkout")
    args = parser.parse_args(argv)
    if args.importtime:
        importtime(args.importtime, args.top)
        return 0
    only = set(args.only.split(",")) if args.only else None
    against = args.against.resolve() if args.against else None
    result = measure(max(1, min(args.rounds, 99)), only, against)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "coldstart.json").write_text(json.dumps(result, indent=2) + "\n")
    floor = result["floor_ms"]
    print(f"\nCold start: import app + DynamoDB client, median of {result['rounds']} paired rounds")
    print(f"  bare floor (import boto3; boto3.client('dynamodb')): {floor['cpu']} ms CPU, {floor['wall']} ms wall\n")
    print(f"  load average at the end: {result['load_average']}")
    print(f"  {'function':32} {'CPU ms':>8} {'x floor':>8}   {'wall ms':>8} {'x floor':>8}   target <= {TARGET:.2f}")
    over = 0
    stack = result["functions"]["stack: + validating resolver"]["ratio"]
    for name, row in result["functions"].items():
        reference = name in REFERENCES
        flag = (
            "(reference)"
            if reference
            else ""
            if row["ratio"] <= TARGET
            else f"over ({row['ratio'] - stack:+.2f} on the stack)"
        )
        over += not reference and row["ratio"] > TARGET
        print(
            f"  {name:32} {row['median_cpu_ms']:>8.1f} {row['ratio']:>8.2f}"
            f"   {row['median_wall_ms']:>8.1f} {row['wall_ratio']:>8.2f}   {flag}"
        )
    functions = len(result["functions"]) - len(REFERENCES)
    print(f"\n{over} of {functions} over the target (CPU ratio); written: {RESULTS / 'coldstart.json'}")
    print(f"the stack alone (botocore's client, pydantic, Logger, the validating resolver, one route) is {stack:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
