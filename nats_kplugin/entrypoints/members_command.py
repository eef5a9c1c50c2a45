"""`nats-render members PATH...`: the members of one supercluster checked as a set (docs/topologies.md).

cli.py hands the command line over when its first word is `members` (a file named `members` is still
rendered as `./members` or after `--`). Every NATS object in PATHS (files, folders or `-`, read as a render
reads them) is one member, identified by its gateway name. Each is rendered alone, with the render's own
options (options.py's table), as its own Kubernetes cluster renders it: its problems are a render's, and
members named alike never clash as one stream's objects would. Then the set is checked
(nats_server/members.py). Only the paths given are read: no member list is looked up elsewhere.

Exit codes: 0 the members agree, one line per member on stdout (name, servers, advertised address); 1 a
member does not render or the set disagrees, every problem on stderr and nothing on stdout; 2 usage.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from ..nats_server.members import Member, advertised, check, servers
from ..pipeline import RenderOptions, render_each, server_configuration
from ..problems import Problem
from ..spec.model import is_nats_object
from .click_command import verb
from .execute import read_paths
from .options import Arguments, command_line_options
from .process import EXIT_INVALID, EXIT_OK, UsageError, render_key, report, write_output


def members_command(paths: tuple[str, ...], **values: Any) -> None:
    """Check the members of one supercluster against each other: every NATS object in PATHS (files,
    folders or -) is one member, each rendered as its own render renders it. Any disagreement of their
    gateway names, lists, addresses, server names or gateway TLS is refused, naming both places
    (docs/topologies.md)."""
    try:
        key = render_key(os.environ, values["key_file"])
        options = command_line_options(Arguments(paths, {**values, "print_schema": False}), key)
        documents, problems = read_paths(paths)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    members = []
    for document in (d for d in documents if is_nats_object(d.data)):
        member, found = _member(document, options)
        problems += found
        if member is not None:
            members.append(member)
    if not any(p.is_error for p in problems) and not members:
        raise click.UsageError("no NATS object in the paths given: each member is one")
    if not any(p.is_error for p in problems):
        problems += check(members)
    report(problems, sys.stderr)
    if any(p.is_error for p in problems):
        sys.exit(EXIT_INVALID)
    write_output([_summary(member) for member in members], sys.stdout)
    sys.exit(EXIT_OK)


def _member(document: Any, options: RenderOptions) -> tuple[Member | None, list[Problem]]:
    """One member rendered alone, as a render of it alone would, and its merged configuration."""
    problems = [p for _, found in render_each([document], options) for p in found]
    if any(p.is_error for p in problems):
        return None, problems
    configured = server_configuration(document, options)
    if configured is None:  # rendered above, so it configures; kept for the type
        return None, problems
    nats_spec, config, ref = configured
    return Member(config, nats_spec.replicas, ref, document.location, document.line_of), problems


def _summary(member: Member) -> str:
    found = advertised(member)
    names = servers(member)
    return f"{member.name}: servers {', '.join(names)}; advertises {found[0] if found else '(nothing)'}\n"


def _command() -> click.Command:
    paths = click.argument(
        "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=True, allow_dash=True)
    )
    return verb("members", members_command, paths)


command = _command()


def main(argv: list[str]) -> int:
    command.main(args=argv, prog_name="nats-render members")  # exits by itself
    return EXIT_INVALID
