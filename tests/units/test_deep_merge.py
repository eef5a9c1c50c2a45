"""config.merge's merge (nats_server/config.py deep_merge) is deepmerge's, with the strategies the renderer
used it with: dicts merged, lists and everything else overridden (SPEC section 4)."""

from __future__ import annotations

import copy
from typing import Any

from deepmerge import Merger
from hypothesis import given
from hypothesis import strategies as st

from nats_kplugin.nats_server.config import deep_merge

MERGER = Merger([(dict, ["merge"]), (list, ["override"])], ["override"], ["override"])
KEYS = st.sampled_from(["a", "b", "c", "listen", "jetstream", "accounts"])
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)


@given(VALUES, VALUES)
def test_deep_merge_is_deepmerges(base: Any, overrides: Any) -> None:
    expected_base, ours_base = copy.deepcopy(base), copy.deepcopy(base)
    expected = MERGER.merge(expected_base, copy.deepcopy(overrides))
    ours = deep_merge(ours_base, copy.deepcopy(overrides))
    assert ours == expected
    assert ours_base == expected_base  # base changed in place the same way
    assert (ours is ours_base) == (expected is expected_base)


def test_mappings_merge_and_lists_replace() -> None:
    base = {"jetstream": {"max_memory_store": 1, "store_dir": "/data"}, "routes": ["a", "b"], "port": 4222}
    merged = deep_merge(base, {"jetstream": {"max_memory_store": 2}, "routes": ["c"], "port": None})
    assert merged["jetstream"] == {"max_memory_store": 2, "store_dir": "/data"}
    assert merged["routes"] == ["c"] and merged["port"] is None and merged is base
