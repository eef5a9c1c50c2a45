"""The renderer's performance figures, with one command:

    .venv/bin/python bench/run.py            # about half a minute; --runs/--scale-runs to change the repeats

Every figure is a median of repeated cold runs in fresh processes of this interpreter (after one unmeasured
run that writes the bytecode caches), and the single render is measured against `python -c "import yaml"`
in the same run (interleaved), so machine noise cancels in the ratio. Both run without site (-S). Peak
memory is the child's maximum resident set (wait4, through a small launcher: see processes.py). Scale is
one stream of 250/500/1000 NATS objects and one object with 1000/2000/4000 users; growth compares the
cost of one item at the largest size with the smallest (start-up subtracted), 1.0 being linear. Results
go to bench/results/*.json (git-ignored) and to a table on stdout; `--check` exits 1 when a target is missed.
The limits (10,000 objects, users, hostile inputs past a limit) are measured by bench/limits.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import inputs
import validators
from processes import interleaved, launcher_rss_mib

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SIZES = {"objects": (250, 500, 1000), "users": (1000, 2000, 4000)}
# Without site (-S), for the floor and the render alike: an editable install's import hook, run by site,
# imports pathlib and more (about 6 ms) before either starts, which would flatter the ratio.
# What the `nats-render` console script runs (pip writes it so); `-m nats_kplugin` would add runpy's imports.
CONSOLE_SCRIPT = (
    "import re, sys; from nats_kplugin.entrypoints.cli import main; "
    "sys.argv[0] = 'nats-render'; sys.exit(main())"
)
RENDER = [sys.executable, "-S", "-c", CONSOLE_SCRIPT]
FLOOR = [sys.executable, "-S", "-c", "import yaml"]
EMPTY = [sys.executable, "-S", "-c", ""]
TARGETS = {"ratio": 1.5, "rss_mib": 25.0, "objects_1000_s": 2.0, "users_1000_s": 1.0, "growth": 1.3}


def single_render(files: dict[str, Path], runs: int, cwd: Path) -> dict[str, Any]:
    cases = {
        "interpreter": (EMPTY, None),
        "import_yaml": (FLOOR, None),
        "render_seed": (RENDER, files["seed"]),
    }
    figures = interleaved(cases, runs, cwd)
    floor, render = figures["import_yaml"]["wall_ms"], figures["render_seed"]["wall_ms"]
    figures["ratio"] = render / floor
    figures["over_floor_ms"] = render - floor
    return figures


def scale(files: dict[str, Path], runs: int, cwd: Path, start_ms: float) -> dict[str, Any]:
    """Wall time per size; per item, the time above the one-object render; growth, the per-item cost at
    the largest size over the smallest (1.0 is linear)."""
    figures: dict[str, Any] = {}
    for kind, sizes in SIZES.items():
        cases = {str(size): ([*RENDER, str(files[f"{kind}-{size}"])], None) for size in sizes}
        walls = {int(size): f["wall_ms"] / 1000 for size, f in interleaved(cases, runs, cwd).items()}
        per_item = {size: max(walls[size] * 1000 - start_ms, 0.0) / size for size in sizes}
        growth = per_item[sizes[-1]] / per_item[sizes[0]] if per_item[sizes[0]] else float("inf")
        figures[kind] = {"wall_s": walls, "per_item_ms": per_item, "growth": growth}
    return figures


def machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": model,
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "commit": commit.stdout.strip() or None,
        "load_average": os.getloadavg(),
    }


def verdicts(single: dict[str, Any], scaled: dict[str, Any]) -> dict[str, bool]:
    return {
        "ratio": single["ratio"] <= TARGETS["ratio"],
        "rss_mib": single["render_seed"]["rss_mib"] <= TARGETS["rss_mib"],
        "objects_1000_s": scaled["objects"]["wall_s"][1000] < TARGETS["objects_1000_s"],
        "users_1000_s": scaled["users"]["wall_s"][1000] < TARGETS["users_1000_s"],
        "growth_objects": scaled["objects"]["growth"] <= TARGETS["growth"],
        "growth_users": scaled["users"]["growth"] <= TARGETS["growth"],
    }


def table(report: dict[str, Any]) -> str:
    single, scaled, ok = report["single"], report["scale"], report["targets_met"]
    mark = {True: "met", False: "MISSED"}
    rows = [
        (
            "python -c ''",
            f"{single['interpreter']['wall_ms']:.1f} ms",
            f"{single['interpreter']['rss_mib']:.1f} MiB",
            "",
        ),
        (
            "python -c 'import yaml' (floor)",
            f"{single['import_yaml']['wall_ms']:.1f} ms",
            f"{single['import_yaml']['rss_mib']:.1f} MiB",
            "",
        ),
        (
            "render seed example",
            f"{single['render_seed']['wall_ms']:.1f} ms",
            f"{single['render_seed']['rss_mib']:.1f} MiB",
            f"rss <= {TARGETS['rss_mib']:.0f} MiB: {mark[ok['rss_mib']]}",
        ),
        ("  ratio to floor", f"{single['ratio']:.2f}x", "", f"<= {TARGETS['ratio']}x: {mark[ok['ratio']]}"),
    ]
    rows.append(("  (launcher's own RSS floor)", "", f"{report['launcher_rss_mib']:.1f} MiB", ""))
    for kind, target in (("objects", "objects_1000_s"), ("users", "users_1000_s")):
        walls, per_item = scaled[kind]["wall_s"], scaled[kind]["per_item_ms"]
        label = "NATS objects in one stream" if kind == "objects" else "users in one object"
        for size in SIZES[kind]:
            note = f"< {TARGETS[target]:.0f} s: {mark[ok[target]]}" if size == 1000 else ""
            rows.append((f"{size} {label}", f"{walls[size]:.3f} s", f"{per_item[size]:.3f} ms/item", note))
        rows.append(
            (
                f"  growth per {kind[:-1]}, largest/smallest",
                f"{scaled[kind]['growth']:.2f}",
                "",
                f"<= {TARGETS['growth']} (1.0 is linear): {mark[ok['growth_' + kind]]}",
            )
        )
    width = max(len(r[0]) for r in rows)
    lines = [f"{'case':<{width}}  {'median':>10}  {'RSS / item':>14}  target", "-" * (width + 44)]
    lines += [f"{r[0]:<{width}}  {r[1]:>10}  {r[2]:>14}  {r[3]}" for r in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="repeats of the single render and the floor")
    parser.add_argument("--scale-runs", type=int, default=5, help="repeats of each scale case")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nats-render-bench-") as folder:
        cwd = Path(folder)
        files = inputs.write_all(cwd, SIZES)
        single = single_render(files, options.runs, cwd)
        scaled = scale(files, options.scale_runs, cwd, single["render_seed"]["wall_ms"])
        checked = validators.compare(files, ROOT, options.runs)
        launcher = launcher_rss_mib(cwd)
    report = {
        "machine": machine(),
        "targets": TARGETS,
        "single": single,
        "launcher_rss_mib": launcher,
        "scale": scaled,
        "validators": checked,
    }
    report["targets_met"] = verdicts(single, scaled)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{report['machine']}\n\n{table(report)}\n\n{validators.table(checked)}\n\nwritten to {path}")
    return 1 if options.check and not all(report["targets_met"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
