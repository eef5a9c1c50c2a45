"""`nats-render plan [OLD] NEW`: what merging a change does to the running clusters (docs/plan.md).

cli.py hands the command line over when its first word is `plan` (a file named `plan` is still rendered as
`./plan` or after `--`). OLD and NEW are each a file, a folder or `-`, read as a render reads them; with
`--base GIT_REF` only NEW is given and OLD is the same path at that revision (plan_base.py). Both sides
are rendered with the render's own options (options.py's table) and must render: their problems are
reported as a render's, exit 1. The plan goes to stdout (Markdown, or `--output json`).

Exit codes: 0 nothing blocked or at risk; 3 (EXIT_PLAN_HELD) a `blocked` or `data-risk` verdict that no
`--allow` accepts; a render's own codes otherwise (1 a side does not render, 2 usage, 70, 74).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from ..plan.compare import compare, gate_fails
from ..plan.report import to_json, to_markdown
from ..plan.sides import render_side
from ..plan.verdicts import GATED, Verdict
from .click_command import verb
from .execute import read_paths
from .options import Arguments, command_line_options
from .plan_base import read_at_revision
from .process import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_PLAN_HELD,
    UsageError,
    render_key,
    report,
    write_output,
)

OUTPUTS = ("markdown", "json")


def plan_command(
    paths: tuple[str, ...], base: str | None, output: str, allow: tuple[str, ...], **values: Any
) -> None:
    """Say what changing OLD into NEW does to the running NATS clusters, before it is merged: per object
    the fields that change, per cluster one verdict per change. OLD and NEW are files, folders or -;
    with --base, give NEW only."""
    old_path, new_path = _sides(paths, base)
    try:
        key = render_key(os.environ, values["key_file"])
        options = command_line_options(Arguments(paths, {**values, "print_schema": False}), key)
        old_read = read_at_revision(base, new_path) if base is not None else read_paths((old_path,))
        new_read = read_paths((new_path,))
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    old = render_side(old_read[0], options)
    new = render_side(new_read[0], options)
    problems = [*old_read[1], *old.problems, *new_read[1], *new.problems]
    report(problems, sys.stderr)
    if any(p.is_error for p in problems):
        sys.exit(EXIT_INVALID)
    clusters = compare(old, new, options.default_namespace)
    allowed = tuple(Verdict(word) for word in allow)
    held = gate_fails(clusters, allowed)
    writer = to_json if output == "json" else to_markdown
    write_output(writer(clusters, held, allowed), sys.stdout)
    sys.exit(EXIT_PLAN_HELD if held else EXIT_OK)


def _sides(paths: tuple[str, ...], base: str | None) -> tuple[str, str]:
    if base is not None:
        if len(paths) != 1:
            raise click.UsageError("with --base, give NEW only: OLD is NEW's path at the base revision")
        return "", paths[0]
    if len(paths) != 2:
        raise click.UsageError("give OLD and NEW (files, folders or -), or --base GIT_REF and NEW")
    if paths == ("-", "-"):
        raise click.UsageError("only one of OLD and NEW can be read from stdin")
    return paths[0], paths[1]


def _command() -> click.Command:
    return verb(
        "plan",
        plan_command,
        click.option(
            "--allow",
            type=click.Choice([v.value for v in GATED]),
            multiple=True,
            help="Accept this verdict: it no longer fails the exit code (repeat for both).",
        ),
        click.option(
            "--output",
            "-o",
            type=click.Choice(OUTPUTS),
            default="markdown",
            show_default=True,
            help="Markdown for a pull request, or JSON (its shape: docs/plan.md).",
        ),
        click.option("--base", metavar="GIT_REF", help="Read OLD from this Git revision of NEW's path."),
        click.argument(
            "paths",
            nargs=-1,
            metavar="[OLD] NEW",
            type=click.Path(exists=True, dir_okay=True, allow_dash=True),
        ),
    )


command = _command()


def main(argv: list[str]) -> int:
    command.main(args=argv, prog_name="nats-render plan")  # exits by itself
    return EXIT_INVALID
