"""Timing fresh processes: wall time and peak resident memory of each run, medians over interleaved repeats.

A child's peak RSS (`ru_maxrss`) includes the memory of the process it was forked from, as it was before
the exec: a child of this benchmark would report the benchmark's own 20-odd MiB. So each run goes through
a small launcher (`python -S`, about 7 MiB) that forks, execs the command, and reports its wall time and
peak RSS from wait4. `launcher_rss_mib()` gives the launcher's own floor: figures at or below it say only
"no more than that".
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
# Where yaml (and the renderer's other dependencies) are installed: the children run without site (-S),
# so the import path is given explicitly, the same for the floor and the render.
SITE_PACKAGES = Path(yaml.__file__).resolve().parent.parent
LAUNCHER = """
import os, sys, time
start = time.perf_counter()
child = os.fork()
if child == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(child, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as out:
    out.write(f"{wall} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def environment(key: bool = True) -> dict[str, str]:
    """What every measured run gets, and nothing from the caller's shell (PYTHONDONTWRITEBYTECODE there
    would make every run compile every module). `key=False`: no render key (users without a password are
    then an error each)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(SITE_PACKAGES)]),
    }
    if key:
        env["NATS_RENDER_KEY"] = "bench-key"
    return env


def run_once(
    command: list[str], stdin: Path | None, cwd: Path, expect: int = 0, key: bool = True
) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one run; a run that does not exit `expect` aborts the benchmark."""
    env = environment(key)
    with (stdin or Path(os.devnull)).open("rb") as given, tempfile.TemporaryDirectory() as folder:
        result = Path(folder, "result")
        subprocess.run(
            [sys.executable, "-S", "-c", LAUNCHER, str(result), *command],
            stdin=given,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            check=True,
        )
        wall, rss_kib, code = result.read_text().split()
    if code != str(expect):
        raise SystemExit(f"bench: {' '.join(command)} exited {code}; nothing measured")
    return float(wall), int(rss_kib) / 1024  # Linux reports KiB


def interleaved(cases: dict[str, tuple[list[str], Path | None]], runs: int, cwd: Path) -> dict[str, Any]:
    """Median wall time (ms) and peak RSS (MiB) per case, the cases taking turns so drift hits all alike."""
    walls: dict[str, list[float]] = {name: [] for name in cases}
    peaks: dict[str, list[float]] = {name: [] for name in cases}
    for command, stdin in cases.values():
        run_once(command, stdin, cwd)  # unmeasured: writes the bytecode caches a fresh checkout lacks
    for _ in range(runs):
        for name, (command, stdin) in cases.items():
            wall, rss = run_once(command, stdin, cwd)
            walls[name].append(wall * 1000)
            peaks[name].append(rss)
    return {
        name: {"wall_ms": statistics.median(walls[name]), "rss_mib": statistics.median(peaks[name])}
        for name in cases
    }


def launcher_rss_mib(cwd: Path) -> float:
    """The peak RSS the launcher itself reports for a command that uses almost nothing (/bin/true)."""
    return run_once(["/bin/true"], None, cwd)[1]
