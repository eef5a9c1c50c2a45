"""The limits' figures (docs/performance.md, "Input near the limits"), with one command:

    .venv/bin/python bench/limits.py          # about two minutes; each case once, in a fresh process
    .venv/bin/python bench/limits.py --runs 3 objects-1000 objects-10000   # medians of 3, two cases

Each case is what a hostile or merely large repository gives the renderer, run as the console script
does (see run.py) through the wait4 launcher (processes.py) for its wall time and peak RSS: the largest
inputs within the limits must render or be reported in time and memory that grow linearly and fit the
Argo CD sidecar's 256 Mi (deploy/argocd-repo-server-patch.yaml); inputs past a limit must be refused
quickly. The objects are the seed example's (bench/inputs.py), each with its own name: 1,000 and 10,000
in one stream, and 10,000 as files of one folder rendered by the Argo CD plugin (`generate`, in the
folder, as Argo CD runs it). Linear time is 10,000 objects in at most LINEAR_TIMES the time of 1,000, both
measured in the same run. Results go to bench/results/limits-*.json and to a table on stdout; `--check`
exits 1 when a case exceeds the sidecar's memory or the growth is not linear.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import inputs
from processes import run_once
from run import RENDER, RESULTS, machine

SIDECAR_MIB = 256
LINEAR_TIMES = 10.5  # the 10,000-object stream against the 1,000-object one (10 would be exactly linear)
# What the `nats-render-argocd` console script runs; `generate` renders the working directory.
ARGOCD_GENERATE = [
    sys.executable,
    "-S",
    "-c",
    "import sys; from nats_kplugin.entrypoints.argocd import entry; "
    "sys.argv[0] = 'nats-render-argocd'; entry()",
    "generate",
]
MINIMAL = "apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata:\n  name: n{index:05d}\n"
USERS_HEAD = "apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata:\n  name: users\nspec:\n  users:\n"


def seed_objects(count: int) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_text(inputs.objects(count))

    return write


def seed_files(count: int) -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        inputs.object_files(count, folder)

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
    "objects-1000": ("1,000 seed-like NATS objects in one stream", seed_objects(1_000), True, 0),
    "objects-10000": ("10,000 seed-like objects (the limit), one stream", seed_objects(10_000), True, 0),
    "files-10000": ("10,000 seed-like objects, 10,000 files, Argo CD", seed_files(10_000), True, 0),
    "users-10000-keyed": ("10,000 users (the limit), passwords derived", users(10_000), True, 0),
    "users-2500-nokey": ("2,500 users without a key: 2,500 errors", users(2_500), False, 1),
    "users-10000-nokey": ("10,000 users without a key: 10,000 errors", users(10_000), False, 1),
    "users-25000-nokey": ("25,000 users: over the limit, refused", users(25_000), False, 1),
    "users-99000-nokey": ("99,000 users: over the limit, refused", users(99_000), False, 1),
    "nodes-16-files": ("sixteen files of 1M nodes: refused at 1M in all", node_files(16), True, 1),
    "folders-1100": ("1,100 nested folders: refused at 100", nested_folders(1_100), True, 1),
}


def measure(name: str, path: Path, cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS of one run of a case whose input is at `path`."""
    _, _, key, expect = CASES[name]
    if name.startswith("files"):  # Argo CD runs the plugin in the source folder
        return run_once(ARGOCD_GENERATE, None, path, expect=expect, key=key)
    return run_once([*RENDER, str(path)], None, cwd, expect=expect, key=key)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a case exceeds the sidecar's memory or time grows"
    )
    parser.add_argument("--runs", type=int, default=1, help="runs of each case (interleaved), medians")
    parser.add_argument("cases", nargs="*", help="only these cases")
    options = parser.parse_args()
    chosen = [name for name in CASES if not options.cases or name in options.cases]
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="nats-render-limits-") as folder:
        cwd = Path(folder)
        paths = {}
        for name in chosen:
            paths[name] = cwd / (name if name.startswith(("nodes", "folders", "files")) else f"{name}.yaml")
            CASES[name][1](paths[name])
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in chosen}
        for _ in range(options.runs):  # interleaved, so that drift on a shared machine hits all alike
            for name in chosen:
                runs[name].append(measure(name, paths[name], cwd))
        for name in chosen:
            wall = statistics.median(run[0] for run in runs[name])
            rss = statistics.median(run[1] for run in runs[name])
            figures[name] = {"wall_s": wall, "rss_mib": rss}
            print(f"{CASES[name][0]:<55} {wall:8.2f} s {rss:8.1f} MiB", flush=True)
        for path in paths.values():
            subprocess.run(["rm", "-rf", str(path)], check=True)  # rmtree recurses once per folder level
    growth = None
    if "objects-1000" in figures and "objects-10000" in figures:
        growth = figures["objects-10000"]["wall_s"] / figures["objects-1000"]["wall_s"]
        verdict = "linear" if growth <= LINEAR_TIMES else "NOT linear"
        label = "10,000 objects against 1,000, wall time"
        print(f"{label:<55} {growth:8.2f} x   ({verdict}: <= {LINEAR_TIMES})")
    report = {"machine": machine(), "sidecar_mib": SIDECAR_MIB, "limits": figures, "growth_10000": growth}
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"limits-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {path}")
    over = [name for name, f in figures.items() if f["rss_mib"] > SIDECAR_MIB]
    return 1 if options.check and (over or (growth is not None and growth > LINEAR_TIMES)) else 0


if __name__ == "__main__":
    sys.exit(main())
