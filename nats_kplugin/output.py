"""Step 5, write: documents to one YAML stream, the same bytes for the same documents.

Keys keep the order they were built in (the renderer's objects) or read in (passed-through documents);
multi-line strings such as nats.conf are written as literal blocks so they stay readable in Git diffs.
"""

from __future__ import annotations

from typing import Any

import yaml

try:
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]


class _Dumper(_BaseDumper):
    pass


def _represent_str(dumper: _Dumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_documents(documents: list[Any]) -> str:
    """A `---`-separated stream; empty for no documents."""
    if not documents:
        return ""
    return yaml.dump_all(
        documents,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        explicit_start=True,
        allow_unicode=True,
        width=1_000_000,  # never fold long lines: a folded password or route is harder to review
    )
