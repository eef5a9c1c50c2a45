"""The scenarios under fixtures/: how one is run, and how their expected files are regenerated.

A scenario is a folder with `README.md` (one line: what it shows), `input.yaml`, optionally `args`
(command-line arguments, one per line) and `env` (KEY=VALUE lines; `KEY=` unsets). Its expectation is
`expected.yaml` (stdout, when the render succeeds) or nothing on stdout and exit 1, plus `expected.stderr`
when stderr is not empty. Every scenario renders with NATS_RENDER_KEY=fixture-render-key unless `env`
says otherwise.

Regenerate every expected file after a deliberate behaviour change, then review the diff:

    python -m tests.support.fixture_cases
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tests.support.launcher import run_module

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
RENDER_KEY = "fixture-render-key"


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


def cases() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if (p / "input.yaml").is_file())


def case_env(folder: Path) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", ""), "NATS_RENDER_KEY": RENDER_KEY, "PYTHONPATH": str(ROOT)}
    env_file = folder / "env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            key, _, value = line.partition("=")
            if value:
                env[key] = value
            else:
                env.pop(key, None)
    return env


def run_case(folder: Path) -> Outcome:
    args_file = folder / "args"
    args = args_file.read_text().split("\n") if args_file.exists() else []
    done = run_module(
        [a for a in args if a], stdin=(folder / "input.yaml").read_bytes(), env=case_env(folder), cwd=folder
    )
    return Outcome(done.returncode, done.stdout.decode(), done.stderr.decode())


def regenerate(folder: Path) -> Outcome:
    outcome = run_case(folder)
    for name in ("expected.yaml", "expected.stderr"):
        (folder / name).unlink(missing_ok=True)
    if outcome.exit_code == 0:
        (folder / "expected.yaml").write_text(outcome.stdout)
    if outcome.stderr:
        (folder / "expected.stderr").write_text(outcome.stderr)
    return outcome


if __name__ == "__main__":
    for case in cases():
        result = regenerate(case)
        print(f"{case.name}: exit {result.exit_code}")
