"""Where the values of a document were written, kept once its YAML nodes are gone: the line of each value
by its path (problems point there) and the text of each integer (which the constructed value has lost:
`010`, `0x3`, `1:30`).

PyYAML's node tree (a node and two marks per value, each an object with a dict of its own) took 126 MiB
for 10,000 seed-like objects, four times their data, and was kept only for line numbers. A `Positions` is
one small tuple per non-empty mapping or sequence, with lines counted from the document's first line so
that most of them are integers the interpreter shares.

Lines are found as a walk of the nodes found them: a mapping by the key as written (a plain scalar key,
the first of equal ones, as a mapping flattened by a `<<` merge holds them), a sequence by index, and a
step that leads nowhere gives the line of the nearest value above it.
"""

from typing import Any

import yaml

from ..problems import Path

# A value: its line (relative to the document's first line) when it has no children, else (line, children)
# with the children of a mapping by key, of a sequence in order: Trees again. (Written out one level only:
# typing compiles a quoted name, and a plain render compiles nothing, see tests/units/test_import_budget.py.)
Tree = int | tuple[int, dict[Any, Any]] | tuple[int, tuple[Any, ...]]
_INT = "tag:yaml.org,2002:int"


class Positions:
    """(A plain class with slots: a NamedTuple's class costs a render more to create, and this one is
    never compared or unpacked.)"""

    __slots__ = ("first_line", "integers", "tree")

    def __init__(self, first_line: int, tree: Tree, integers: tuple[tuple[Path, str], ...]) -> None:
        self.first_line = first_line  # 0-based, as libyaml counts
        self.tree = tree
        self.integers = integers  # every integer's path and text, in document order

    def line_of(self, path: Path) -> int:
        """The 1-based line of the value at `path` (keys and list indexes), or of the nearest parent's."""
        tree = self.tree
        line = tree if isinstance(tree, int) else tree[0]
        for step in path:
            if isinstance(tree, int):
                break
            children = tree[1]
            if type(children) is dict:
                child = children.get(step)
            elif isinstance(step, int) and 0 <= step < len(children):
                child = children[step]
            else:
                child = None
            if child is None:
                break
            tree = child
            line = tree if isinstance(tree, int) else tree[0]
        return self.first_line + line + 1

    def child(self, key: str) -> "Positions | None":
        """The positions of the value under `key` of this mapping (the KRM ResourceList's functionConfig)."""
        children = None if isinstance(self.tree, int) else self.tree[1]
        tree = children.get(key) if type(children) is dict else None
        if tree is None:
            return None
        integers = tuple((path[1:], text) for path, text in self.integers if path[:1] == (key,))
        return Positions(self.first_line, tree, integers)


def positions_of(node: yaml.Node) -> Positions:
    """The positions of a composed (and constructed: merges flattened) document."""
    first = node.start_mark.line
    integers: list[tuple[Path, str]] = []
    _integers(node, (), integers)
    return Positions(first, _tree(node, first, {}), tuple(integers))


def _tree(node: yaml.Node, first: int, done: dict[int, Tree]) -> Tree:
    """`done`: the trees of collections already seen, so that an alias shares its anchor's tree."""
    line = node.start_mark.line - first
    if not node.value or isinstance(node, yaml.ScalarNode):
        return line
    tree = done.get(id(node))
    if tree is not None:
        return tree
    if isinstance(node, yaml.MappingNode):
        children: dict[Any, Tree] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value not in children:
                children[key.value] = _tree(value, first, done)
        tree = done[id(node)] = (line, children)
    else:
        tree = done[id(node)] = (line, tuple(_tree(item, first, done) for item in node.value))
    return tree


def _integers(node: yaml.Node, path: Path, found: list[tuple[Path, str]]) -> None:
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _INT:
            found.append((path, node.value))
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _integers(value, (*path, key.value if isinstance(key, yaml.ScalarNode) else "?"), found)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _integers(item, (*path, index), found)
