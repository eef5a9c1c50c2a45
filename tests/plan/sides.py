"""The change catalogue's rows (tests/support/change_matrix.py) as plan sides: each side rendered with the
render options its row names, read as the command line reads them."""

from __future__ import annotations

from typing import Any

import yaml

from nats_kplugin.documents.reader import parse_stream
from nats_kplugin.entrypoints.arguments import quick_parse
from nats_kplugin.entrypoints.options import command_line_options
from nats_kplugin.pipeline import RenderOptions
from nats_kplugin.plan.compare import compare
from nats_kplugin.plan.sides import Side, render_side
from nats_kplugin.plan.verdicts import ClusterPlan
from nats_kplugin.spec.reading import NATS_OBJECTS
from tests.support.change_matrix import Change


def options_of(args: tuple[str, ...]) -> RenderOptions:
    arguments = quick_parse([*args, "-"], {})
    assert arguments is not None, args
    return command_line_options(arguments, None)


def side_of(objects: list[dict[str, Any]], args: tuple[str, ...] = ()) -> Side:
    text = yaml.safe_dump_all(objects, sort_keys=False)
    documents, problems = parse_stream(text.encode(), NATS_OBJECTS, "<test>")
    assert not problems, problems
    side = render_side(documents, options_of(args))
    assert side.ok, side.problems
    return side


def plan_of(change: Change) -> list[ClusterPlan]:
    return compare(side_of([change.old], change.old_args), side_of([change.new], change.new_args))
