"""Live tests: the `live` marker on everything under tests/live, and the skip where they cannot run.

They need root (network namespaces, a bridge, bind mounts). Anywhere else they skip with that reason; as root
they always run, so a machine that lacks a tool fails loudly instead of skipping quietly.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).parent

NOT_ROOT = "live tests need root: they create network namespaces (ip netns), a bridge and bind mounts"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.live)
            if os.geteuid() != 0:
                item.add_marker(pytest.mark.skip(reason=NOT_ROOT))
