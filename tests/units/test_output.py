"""The write step's quick writer and its shorter path through PyYAML (nats_kplugin/documents/writer.py) change
no byte: for any documents, `dump_documents` writes what plain PyYAML writes with the dumper it replaced,
including the anchors of shared objects, the quoting of strings that read as other types, and literal
blocks; and the quick writer, where it writes at all, writes what libyaml writes.

Plain PyYAML here is given writer.py's quoting rule (`resolve_scalar`: PyYAML's plain reading, and
yaml.v2's, must both be the string) and its cut of the stream (a document that is not a non-empty block
collection starts on the line after its `---`): on its own it leaves `y`, `08` or `1e3` unquoted and writes
`--- {}`, which kubectl misreads or refuses. tests/servers/test_k8s_reader.py holds that rule to the real
reader."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st

from nats_kplugin.documents.reader import parse_stream
from nats_kplugin.documents.writer import (
    _dump,
    _Dumper,
    _LeftToLibyaml,
    _write_run,
    dump_documents,
    resolve_scalar,
)
from nats_kplugin.spec.reading import NATS_OBJECTS
from tests.support.fixture_cases import FIXTURES


class _PlainDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """The dumper of writer.py before its shorter path: CSafeDumper, multi-line strings as literal blocks,
    scalars resolved by writer.py's rule without its memo."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode:
            return resolve_scalar(self, value, implicit)
        return super().resolve(kind, value, implicit)


def _represent_str(dumper: _PlainDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_PlainDumper.add_representer(str, _represent_str)


def plain_dump(documents: list[Any]) -> str:
    """One dump_all for each run of non-empty block collections, one dump for any other document."""
    text = ""
    for block, group in itertools.groupby(documents, lambda d: type(d) in (dict, list) and len(d) > 0):
        members = list(group)
        for run in [members] if block else [[d] for d in members]:
            text += ("" if block else "---\n") + yaml.dump_all(
                run,
                Dumper=_PlainDumper,
                sort_keys=False,
                default_flow_style=False,
                explicit_start=block,
                allow_unicode=True,
                width=1_000_000,
            )
    return text


def outcome(dump: Any, documents: list[Any]) -> tuple[str, str]:
    """The text, or the error: a document PyYAML refuses must be refused the same way."""
    try:
        return "text", dump(documents)
    except Exception as exc:
        return type(exc).__name__, str(exc)


# Strings YAML 1.1 reads as something else (so they must stay quoted), YAML indicators, and the
# whitespace and line breaks that decide between plain, quoted and literal block styles.
TRICKY = [
    *("", " ", "yes", "No", "ON", "off", "y", "n", "true", "False", "null", "Null", "~", "<<", "=", "!"),
    *("0", "010", "0o17", "0x1F", "0b101", "1_000", "+1", "-0", "1e3", "1.5", ".5", "1:30", "190:20:30"),
    *(".inf", "-.Inf", ".NaN", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10"),
    *("- a", "a: b", "a:b", "#x", "a #b", "&a", "*a", "!tag", "|", ">", "'q'", '"q"', "%x", "@x", "`x"),
    *("{a}", "[a]", "a,b", "?", "? a", " lead", "trail ", "tab\there", "multi\nline", "\n", "end\n"),
    *("a\n\n", "\nstart", "a\r\nb", "x \ny", "nats.conf:\n  port: 4222\n", "\u2028", "\x85", "\ufeff"),
    *("é", "名前", "😀", "a\x00b", "\x1b[31m", "\\", "0.0.0.0", "10.0.0.1:4222", "nats://a:4222"),
]
strings = st.one_of(st.sampled_from(TRICKY), st.text(max_size=12), st.text("ab \n:-'\"#", max_size=8))
keys = st.one_of(strings, st.integers(-3, 3), st.booleans(), st.none())
scalars = st.one_of(
    strings,
    st.integers(),
    st.integers(-(10**30), 10**30),
    st.booleans(),
    st.none(),
    # Beyond what the renderer builds, but a passed-through document may hold them: PyYAML's own path.
    st.floats(),
    st.dates(),
    st.datetimes(),
    st.binary(max_size=6),
)


def trees(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(keys, children, max_size=4),
            st.lists(children, max_size=3).map(tuple),
            st.sets(keys, max_size=3),
        ),
        max_leaves=12,
    )


class _Shared(int):
    """A leaf that stands for the shared container with this index."""


def _link(tree: Any, shared: list[Any]) -> Any:
    if isinstance(tree, _Shared):
        return shared[tree % len(shared)]
    if isinstance(tree, dict):
        return {key: _link(value, shared) for key, value in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(_link(item, shared) for item in tree)
    return tree


containers = st.one_of(
    st.lists(trees(scalars), max_size=3), st.dictionaries(keys, trees(scalars), max_size=3)
)
# Half the leaves shared (st.one_of would flatten the scalars' branches and make it one in ten).
documents_with_shared_leaves = trees(
    st.integers(0, 5).flatmap(lambda i: st.just(_Shared(i)) if i < 3 else scalars)
)


@st.composite
def document_lists(draw: st.DrawFn) -> list[Any]:
    """Documents where some leaves are one of a few shared containers, as YAML anchors in the input
    give: the same dict or list in several places of one document, or of several."""
    shared = draw(st.lists(containers, min_size=1, max_size=3))
    documents = draw(st.lists(documents_with_shared_leaves, max_size=4))
    return [_link(document, shared) for document in documents]


@settings(max_examples=min(settings.default.max_examples, 1000))  # about 5 s
@given(document_lists())
def test_dump_documents_writes_what_plain_pyyaml_writes(documents: list[Any]) -> None:
    assert outcome(dump_documents, documents) == outcome(plain_dump, documents)


def test_shared_objects_keep_their_anchors() -> None:
    documents, problems = parse_stream(
        b"a: &shared {x: 1}\nb: *shared\nc: &list ['yes', '010']\nd: *list\n", NATS_OBJECTS
    )
    assert not problems
    data = [d.data for d in documents]
    text = dump_documents(data)
    assert text == plain_dump(data)
    assert text == "---\na: &id001\n  x: 1\nb: *id001\nc: &id002\n- 'yes'\n- '010'\nd: *id002\n"
    recursive: list[Any] = ["x"]
    recursive.append(recursive)
    assert dump_documents([recursive]) == plain_dump([recursive]) == "--- &id001\n- x\n- *id001\n"


@pytest.mark.parametrize(
    "value",
    [type("Name", (str,), {})("x"), type("Count", (int,), {})(1), frozenset({1}), object(), 10**5000],
    ids=["str subclass", "int subclass", "frozenset", "object", "huge int"],
)
def test_what_pyyaml_refuses_is_refused_alike(value: Any) -> None:
    first, _ = outcome(plain_dump, [{"k": value}])
    assert first != "text"
    assert outcome(dump_documents, [{"k": value}]) == outcome(plain_dump, [{"k": value}])


def test_the_memo_relies_on_no_path_resolvers() -> None:
    # resolve() is memoised on its arguments; a path resolver would make it depend on the position too.
    assert not _Dumper.yaml_path_resolvers


# Multi-line strings as rendered configs and scripts are, and as they go wrong: indented lines, blank
# lines, final breaks, spaces before a break or at the end, tabs, and YAML's other line breaks.
multi_line = st.lists(st.text(" a#:-'\t", max_size=5), min_size=2, max_size=4).map("\n".join)
plain_strings = st.one_of(strings, multi_line, st.from_regex(r"[a-z0-9./:=-]{1,12}", fullmatch=True))
plain_leaves = st.one_of(plain_strings, st.integers(), st.booleans(), st.none())
# A multi-line key is a complex key (`? |-`), which the quick writer always leaves to libyaml.
plain_keys = st.one_of(plain_strings.filter(lambda s: "\n" not in s), st.integers(-3, 3), st.booleans())
plain_trees = st.recursive(
    plain_leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(plain_keys, children, max_size=4)
    ),
    max_leaves=16,
)
plain_documents = st.one_of(
    st.lists(plain_trees, min_size=1, max_size=4),
    st.dictionaries(plain_keys, plain_trees, min_size=1, max_size=4),
)


def quick(documents: list[Any]) -> str | None:
    try:
        return _write_run(documents)
    except _LeftToLibyaml:
        return None


@settings(max_examples=min(settings.default.max_examples, 1000))
@given(st.lists(plain_documents, min_size=1, max_size=3))
def test_the_quick_writer_writes_what_libyaml_writes(documents: list[Any]) -> None:
    text = quick(documents)
    event("written by the quick writer" if text is not None else "left to libyaml")
    if text is not None:
        assert text == _dump(documents, explicit_start=True)


@pytest.mark.parametrize("value", TRICKY)
@pytest.mark.parametrize(
    "place",
    [
        lambda v: {"k": v},
        lambda v: {v: "x"} if type(v) is str else {"k": v},
        lambda v: ["a", v],
        lambda v: {"a": [{"b": v, "c": [v, [v]]}]},
        lambda v: [[v, {"d": {"e": v}}]],
    ],
    ids=["value", "key", "item", "nested", "deeper"],
)
def test_each_tricky_string_in_each_place(value: str, place: Any) -> None:
    documents = [place(value), {"after": value}]
    text = quick(documents)
    if text is not None:
        assert text == _dump(documents, explicit_start=True)


def test_the_quick_writer_writes_the_rendered_fixtures() -> None:
    """Every expected stream under fixtures/ was written by the renderer: read back, it is written again
    to the same bytes, by the quick writer (not left to libyaml) unless it holds another type (a float
    passed through)."""
    for path in sorted(FIXTURES.glob("*/expected.yaml")):
        text = path.read_text()
        documents = list(yaml.safe_load_all(text))
        assert dump_documents(documents) == text, path
        floats = "ratio: 1000.0" in text
        assert (quick(documents) is None) == floats, path


def test_the_quick_writer_leaves_what_it_cannot_place() -> None:
    shared = {"x": 1}
    assert quick([{"a": shared, "b": shared}]) is None  # an anchor and its alias
    assert quick([{"k": 1.5}]) is None  # a type libyaml writes
    assert quick([{"x" * 200: 1}]) is None  # a complex key (`? ...`)
    assert quick([{"k": "a\n\n"}]) is None  # kept final breaks end the stream with `...`
    assert quick([{"k": "a\u2028b"}]) is None  # a line break the writer does not indent
    assert quick([{"k": "a\nb", "l": ["c\n"]}]) == "---\nk: |-\n  a\n  b\nl:\n- |\n  c\n"
