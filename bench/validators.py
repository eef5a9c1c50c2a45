"""Which validator for the render path, with figures: jsonschema (the reference, its validator built once),
nats_kplugin.spec.fast_check (the quick check the renderer uses), and fastjsonschema when it is installed
(not a dependency; `pip install fastjsonschema` to include it).

Three costs matter to a cold render: importing the validator, building it for our schema, and checking a
document. Imports are timed in fresh processes, on top of `python -S -c 'import yaml'` (a render has
loaded yaml first); building and checking in this process.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from processes import interleaved

IMPORTS = {
    "jsonschema": "from jsonschema import Draft202012Validator",
    "schema_check": "from nats_kplugin.spec import fast_check",
    "fastjsonschema": "import fastjsonschema",
}


def _median_seconds(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _validators(schema: dict[str, Any]) -> dict[str, tuple[Callable[[], Any], Callable[[Any], bool]]]:
    """name -> (build, check) for each validator available here."""
    from jsonschema import Draft202012Validator

    from nats_kplugin.spec import fast_check as schema_check

    found: dict[str, tuple[Callable[[], Any], Callable[[Any], bool]]] = {
        "jsonschema": (lambda: Draft202012Validator(schema), lambda v: v.is_valid),
        "schema_check": (lambda: schema, lambda s: lambda doc: schema_check.is_valid(doc, s)),
    }
    if importlib.util.find_spec("fastjsonschema"):
        import fastjsonschema

        found["fastjsonschema"] = (
            lambda: fastjsonschema.compile(schema, use_default=False),
            lambda compiled: lambda doc: _passes(compiled, doc),
        )
    return found


def _passes(compiled: Callable[[Any], Any], document: Any) -> bool:
    try:
        compiled(document)
    except Exception:  # fastjsonschema's JsonSchemaException
        return False
    return True


def compare(files: dict[str, Path], root: Path, runs: int) -> dict[str, Any]:
    schema = json.loads((root / "nats_kplugin" / "spec" / "nats.schema.json").read_text())
    documents = {name: yaml.safe_load(files[name].read_text()) for name in ("seed", "users-1000")}
    available = _validators(schema)
    # On top of `import yaml`, as in a render (which has re, and the rest yaml loads, already).
    cases = {"import_yaml": ([sys.executable, "-S", "-c", "import yaml"], None)}
    cases |= {
        name: ([sys.executable, "-S", "-c", f"import yaml; {IMPORTS[name]}"], None) for name in available
    }
    imports = interleaved(cases, runs, files["seed"].parent)
    figures: dict[str, Any] = {}
    for name, (build, check) in available.items():
        valid = check(build())
        figures[name] = {
            "import_ms": imports[name]["wall_ms"] - imports["import_yaml"]["wall_ms"],
            "build_ms": _median_seconds(build, 5) * 1000,
            "check_seed_us": _median_seconds(partial(valid, documents["seed"]), 201) * 1e6,
            "check_1000_users_ms": _median_seconds(partial(valid, documents["users-1000"]), 21) * 1000,
            "seed_valid": valid(documents["seed"]),
        }
    return figures


def table(figures: dict[str, Any]) -> str:
    lines = [
        f"{'validator':<15} {'import':>10} {'build':>10} {'seed':>10} {'1000 users':>12}",
        "-" * 61,
    ]
    for name, f in figures.items():
        lines.append(
            f"{name:<15} {f['import_ms']:>7.1f} ms {f['build_ms']:>7.2f} ms {f['check_seed_us']:>7.0f} us "
            f"{f['check_1000_users_ms']:>9.2f} ms"
        )
    return "\n".join(lines)
