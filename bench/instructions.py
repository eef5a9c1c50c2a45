"""The renderer's cost in instructions, which do not move from run to run as wall times do:

    .venv/bin/python bench/instructions.py   # about a minute; needs valgrind (apt-get install valgrind)

On a shared machine the wall times of bench/run.py move by 10 to 20% between runs, more than a regression
worth catching. valgrind's callgrind counts the instructions one run executes, the same to a fraction of a
percent each time: the seed render against the floor (`python -S -c "import yaml"`), one object with 1,000
users, one stream of 250 NATS objects, each run as the console script runs it (-S, the environment of
processes.py) after one run without valgrind that writes the bytecode caches. A run without those caches
would count the compilation of every module. Results go to bench/results/instructions-*.json.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import inputs
from processes import environment
from run import FLOOR, RENDER, RESULTS, machine

CASES = ("floor", "seed", "users-1000", "objects-250")  # the floor, and input files of inputs.py
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def instructions(command: list[str], cwd: Path) -> int:
    """The instructions one run executes, as callgrind counts them (user space, every thread)."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=environment(),
        cwd=cwd,
        check=False,
    )
    found = _COLLECTED.search(done.stderr.decode())
    if done.returncode not in (0, 1) or found is None:
        raise SystemExit(f"callgrind failed ({done.returncode}):\n{done.stderr.decode()[-2000:]}")
    return int(found.group(1))


def main() -> int:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        files = inputs.write_all(Path(folder), {"objects": (250,), "users": (1000,)})
        counts: dict[str, int] = {}
        for case in CASES:
            command = FLOOR if case == "floor" else [*RENDER, str(files[case])]
            # Unmeasured: writes the bytecode caches, or the count would include compiling every module.
            subprocess.run(command, env=environment(), cwd=folder, capture_output=True, check=False)
            counts[case] = instructions(command, Path(folder))
    floor = counts["floor"]
    print(f"{'case':<14}{'instructions':>16}{'ratio to the floor':>22}")
    for case, count in counts.items():
        print(f"{case:<14}{count / 1e6:>15.1f}M{count / floor:>21.2f}x")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"instructions-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps({"machine": machine(), "instructions": counts}, indent=1) + "\n")
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
