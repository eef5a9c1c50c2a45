"""The limits' figures (docs/performance.md, "Input near the limits"), with one command:

    .venv/bin/python bench/limits.py          # about two minutes; each case runs once, in a fresh process

Each case is what a hostile or merely large repository gives the renderer, run as the console script
does (see run.py) through the wait4 launcher (processes.py) for its wall time and peak RSS: the largest
inputs within the limits must render or be reported in time and memory that grow linearly and fit the
Argo CD sidecar's 256 Mi (deploy/argocd-repo-server-patch.yaml); inputs past a limit must be refused
quickly. Results go to bench/results/limits-*.json and to a table on stdout; `--check` exits 1 when a
case exceeds the sidecar's memory.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from processes import run_once
from run import RENDER, RESULTS, machine

SIDECAR_MIB = 256
MINIMAL = "apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata:\n  name: n{index:05d}\n"
USERS_HEAD = "apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata:\n  name: users\nspec:\n  users:\n"


def minimal_objects(count: int) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_text("---\n".join(MINIMAL.format(index=index) for index in range(count)))

    return write


def users(count: int) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_text(USERS_HEAD + "".join(f"    user-{index:05d}: {{}}\n" for index in range(count)))

    return write


def node_files(files: int) -> Callable[[Path], None]:
    """`files` files of five documents of 199,999 nodes: each under both limits, together over 1M."""

    def write(folder: Path) -> None:
        folder.mkdir()
        document = b"---\na: [" + b"1," * 199_997 + b"1]\n"
        for index in range(files):
            (folder / f"part{index:02d}.yaml").write_bytes(document * 5)

    return write


def nested_folders(depth: int) -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        deep = folder
        for _ in range(depth):
            deep = deep / "d"
            deep.mkdir(parents=True)
        (folder / "nats.yaml").write_text(MINIMAL.format(index=0))

    return write


# name -> (what it is, how to make it, whether the render has a key, the exit code it must give)
CASES: dict[str, tuple[str, Callable[[Path], None], bool, int]] = {
    "objects-2500": ("2,500 minimal NATS objects, rendered", minimal_objects(2_500), True, 0),
    "objects-5000": ("5,000 minimal NATS objects, rendered", minimal_objects(5_000), True, 0),
    "objects-10000": ("10,000 minimal NATS objects (the limit), rendered", minimal_objects(10_000), True, 0),
    "users-10000-keyed": ("10,000 users (the limit), passwords derived", users(10_000), True, 0),
    "users-2500-nokey": ("2,500 users without a key: 2,500 errors", users(2_500), False, 1),
    "users-10000-nokey": ("10,000 users without a key: 10,000 errors", users(10_000), False, 1),
    "users-25000-nokey": ("25,000 users: over the limit, refused", users(25_000), False, 1),
    "users-99000-nokey": ("99,000 users: over the limit, refused", users(99_000), False, 1),
    "nodes-16-files": ("sixteen files of 1M nodes: refused at 1M in all", node_files(16), True, 1),
    "folders-1100": ("1,100 nested folders: refused at 100", nested_folders(1_100), True, 1),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a case exceeds the sidecar's memory"
    )
    parser.add_argument("cases", nargs="*", help="only these cases")
    options = parser.parse_args()
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="nats-render-limits-") as folder:
        cwd = Path(folder)
        for name, (_, make, key, expect) in CASES.items():
            if options.cases and name not in options.cases:
                continue
            path = cwd / (name if name.startswith(("nodes", "folders")) else f"{name}.yaml")
            make(path)
            wall, rss = run_once([*RENDER, str(path)], None, cwd, expect=expect, key=key)
            figures[name] = {"wall_s": wall, "rss_mib": rss}
            print(f"{CASES[name][0]:<55} {wall:8.2f} s {rss:8.1f} MiB", flush=True)
            subprocess.run(["rm", "-rf", str(path)], check=True)  # rmtree recurses once per folder level
    report = {"machine": machine(), "sidecar_mib": SIDECAR_MIB, "limits": figures}
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"limits-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {path}")
    over = [name for name, f in figures.items() if f["rss_mib"] > SIDECAR_MIB]
    return 1 if options.check and over else 0


if __name__ == "__main__":
    sys.exit(main())
