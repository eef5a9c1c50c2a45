"""Step 5, write: documents to one YAML stream, the same bytes for the same documents, read by kubectl and
Argo CD as meant.

Keys keep the order they were built in (the renderer's objects) or read in (passed-through documents);
multi-line strings such as nats.conf are written as literal blocks so they stay readable in Git diffs.

Both kubectl and Argo CD read the stream with sigs.k8s.io/yaml, a YAML 1.1 reader (gopkg.in/yaml.v2) that
takes more plain words for other types than PyYAML does (`y`, `n`, `08`, `1e3`, `0o17`): a string is
written plain only when both PyYAML and yaml.v2 read it back as that string (`yaml_v2_type` below, held to
the real Go reader by tests/test_k8s_reader.py), and every document starts on the line after its `---`,
since Kubernetes splits a stream at lines that begin with `---` and refuses one with more on it (`--- {}`).

libyaml (CSafeDumper) writes the stream; PyYAML's representer (objects to nodes) and resolver (which
libyaml asks, twice per scalar, whether a plain scalar would read back as the same type) are Python and
were most of a large render's write time. `_Dumper` shortens both and hands libyaml the very nodes PyYAML
would, so the bytes do not change (tests/test_output.py compares it with plain PyYAML given the same
quoting rule).
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

try:
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]

_STR, _INT, _BOOL, _NULL = (f"tag:yaml.org,2002:{name}" for name in ("str", "int", "bool", "null"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"

# --- What gopkg.in/yaml.v2 makes of a plain scalar ---------------------------------------------------------
# kubectl and Argo CD read YAML with sigs.k8s.io/yaml, which is gopkg.in/yaml.v2 (YAML 1.1) underneath. This
# is a port of its resolve("", text) (resolve.go in yaml.v2 2.4, on disk at
# /usr/share/gocode/src/gopkg.in/yaml.v2/resolve.go), with the parts of Go's strconv it relies on
# (ParseInt/ParseUint with base 0, ParseFloat's syntax and range). It is the only list of such words here;
# tests/test_k8s_reader.py holds it to the real Go reader over a generated corpus.

_V2_STR = "str"
_V2_WORDS: dict[str, str] = {  # resolveMap
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), "bool"),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), "bool"),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), "null"),
    **dict.fromkeys((".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), "float"),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), "float"),
}  # and "<<", but no hint leads there: a plain << key is a merge by decode.go's isMerge instead
# resolveTable: the first byte's hint. Sign, digit, "in the map", float; any other byte means a string.
_V2_HINTS = {
    **dict.fromkeys("+-", "S"),
    **dict.fromkeys("0123456789", "D"),
    **dict.fromkeys("yYnNtTfFoO~", "M"),
    ".": ".",
}
# yamlStyleFloat; used with fullmatch, as Go's $ (unlike Python's) does not match before a final newline.
_V2_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


def yaml_v2_type(text: str) -> str:
    """What sigs.k8s.io/yaml reads `text` as when it is written as a plain scalar: str (the text itself),
    bool, int, float, null or merge (the `<<` key)."""
    hint = _V2_HINTS.get(text[:1], "N" if not text else None)
    if hint is None:
        return "merge" if text == "<<" else _V2_STR
    word = _V2_WORDS.get(text)
    if word is not None:
        return word
    if hint == ".":
        return "float" if _go_parse_float(text) else _V2_STR
    if hint in "DS":
        # parseTimestamp may take it for a timestamp (four digits and a dash first), but decoded into
        # interface{}, as sigs.k8s.io/yaml decodes, a timestamp stays the text as written; nor is any text
        # that starts so a number. Either way a string: no need to port Go's time.Parse.
        plain = text.replace("_", "")
        if _go_parse_int(plain, 0) is not None or _go_parse_uint(plain, 0) is not None:
            return "int"
        if _V2_YAML_STYLE_FLOAT.fullmatch(plain) and _go_parse_float(plain):
            return "float"
        if plain.startswith("0b"):
            if _go_parse_int(plain[2:], 2) is not None or _go_parse_uint(plain[2:], 2) is not None:
                return "int"
        elif plain.startswith("-0b") and _go_parse_int("-" + plain[3:], 2) is not None:
            return "int"
    return _V2_STR


def _go_lower(char: str) -> int:
    return ord(char) | 0x20 if char < "\x80" else 0x100  # Go's lower(c) on a byte; non-ASCII is no digit


def _go_parse_uint(text: str, base: int) -> int | None:
    """strconv.ParseUint(text, base, 64); base 0 takes Go's prefixes (0x, 0o, 0b, a leading 0 is octal)
    and underscores between digits."""
    if not text:
        return None
    base0, whole = base == 0, text
    if base0:
        base = 10
        if text[0] == "0":
            prefix = _go_lower(text[1]) if len(text) >= 3 else 0
            base, text = {ord("b"): (2, text[2:]), ord("o"): (8, text[2:]), ord("x"): (16, text[2:])}.get(
                prefix, (8, text[1:])
            )
    value, underscores = 0, False
    for char in text:
        if char == "_" and base0:
            underscores = True
            continue
        if "0" <= char <= "9":
            digit = ord(char) - ord("0")
        elif ord("a") <= _go_lower(char) <= ord("z"):
            digit = _go_lower(char) - ord("a") + 10
        else:
            return None
        if digit >= base:
            return None
        value = value * base + digit
    if value >= 1 << 64 or (underscores and not _go_underscore_ok(whole)):
        return None
    return value


def _go_parse_int(text: str, base: int) -> int | None:
    """strconv.ParseInt(text, base, 64)."""
    if not text:
        return None
    negative = text[0] == "-"
    unsigned = _go_parse_uint(text[1:] if text[0] in "+-" else text, base)
    if unsigned is None or unsigned > (1 << 63) - (0 if negative else 1):
        return None
    return -unsigned if negative else unsigned


def _go_underscore_ok(text: str) -> bool:
    """strconv's underscoreOK: underscores only between digits, or between a base prefix and a digit."""
    saw, index, hexadecimal = "^", 0, False
    if text[:1] in ("-", "+") and text:
        text = text[1:]
    if len(text) >= 2 and text[0] == "0" and _go_lower(text[1]) in (ord("b"), ord("o"), ord("x")):
        index, saw, hexadecimal = 2, "0", _go_lower(text[1]) == ord("x")
    for char in text[index:]:
        if "0" <= char <= "9" or (hexadecimal and ord("a") <= _go_lower(char) <= ord("f")):
            saw = "0"
        elif char == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def _go_parse_float(text: str) -> bool:
    """Whether strconv.ParseFloat(text, 64) succeeds, for the texts resolve gives it: those that start with
    "." and those yamlStyleFloat matches (so never a hexadecimal float, "inf" or "nan"). readFloat's
    decimal syntax, underscores as underscoreOK allows them, and no overflow to infinity (ErrRange)."""
    index, length, digits, dot = 0, len(text), False, False
    if index < length and text[index] in "+-":
        index += 1
    while index < length:
        char = text[index]
        if char == "_" or "0" <= char <= "9":
            digits = digits or char != "_"
        elif char == "." and not dot:
            dot = True
        else:
            break
        index += 1
    if not digits:
        return False
    if index < length and text[index] in "eE":
        index += 1
        if index < length and text[index] in "+-":
            index += 1
        if index >= length or not "0" <= text[index] <= "9":
            return False
        while index < length and ("0" <= text[index] <= "9" or text[index] == "_"):
            index += 1
    if index != length or ("_" in text and not _go_underscore_ok(text)):
        return False
    return math.isfinite(float(text.replace("_", "")))


def reads_as_other_type(text: str) -> bool:
    """Whether Kubernetes' reader takes `text`, written plain, for something other than this string."""
    return yaml_v2_type(text) != _V2_STR


class _Dumper(_BaseDumper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._resolved: dict[Any, dict[str, Any]] = {}  # implicit -> value -> tag, for one dump only

    def represent_data(self, data: Any) -> yaml.Node:
        """SafeRepresenter's node for the plain types, without its generic dispatch; any other type
        (float, date, bytes, set, a subclass) goes to PyYAML. The styles are those of dump_documents'
        settings: block collections, plain scalars except multi-line strings (literal blocks).

        As in PyYAML, a dict or list met again in the same document gets the node of its first visit,
        registered before its children, so shared objects (YAML anchors in the input) are still written
        as &id001/*id001; a scalar node is never shared, or libyaml would anchor it."""
        kind = type(data)
        if kind is str:
            return ScalarNode(_STR, data, None, None, "|" if "\n" in data else None)
        if kind is dict or kind is list:
            node: yaml.Node | None = self.represented_objects.get(id(data))
            if node is not None:
                return node
            self.object_keeper.append(data)  # as PyYAML: no other object takes this id in this document
            represent = self.represent_data
            if kind is dict:
                pairs: list[tuple[yaml.Node, yaml.Node]] = []
                node = self.represented_objects[id(data)] = MappingNode(_MAP, pairs, None, None, False)
                for key, value in data.items():
                    pairs.append((represent(key), represent(value)))
            else:
                items: list[yaml.Node] = []
                node = self.represented_objects[id(data)] = SequenceNode(_SEQ, items, None, None, False)
                for item in data:
                    items.append(represent(item))
            return node
        if kind is int:
            return ScalarNode(_INT, str(data))
        if kind is bool:
            return ScalarNode(_BOOL, "true" if data else "false")
        if data is None:
            return ScalarNode(_NULL, "null")
        return super().represent_data(data)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """resolve_scalar, memoised for scalars: with no path resolvers (none is ever registered here)
        its answer depends on its arguments alone, and most keys and values recur. Unique values
        (passwords) always miss, so a miss must stay cheap: no key tuple, no super(), no KeyError."""
        if kind is ScalarNode:
            memo = self._resolved.get(implicit)
            if memo is None:
                memo = self._resolved[implicit] = {}
            tag = memo.get(value)
            if tag is None:
                tag = memo[value] = resolve_scalar(self, value, implicit)
            return tag
        return _BaseDumper.resolve(self, kind, value, implicit)  # type: ignore[no-untyped-call]


def resolve_scalar(dumper: Any, value: str, implicit: Any) -> Any:
    """The tag a plain scalar `value` reads as, asked by the serializer before it writes a scalar plain
    (implicit[0]): PyYAML's answer, unless PyYAML says string and yaml.v2 says otherwise. The node then
    no longer matches its plain reading, so libyaml quotes it."""
    tag = _BaseDumper.resolve(dumper, ScalarNode, value, implicit)  # type: ignore[no-untyped-call]
    if tag == _STR and implicit[0]:
        other = yaml_v2_type(value)
        if other != _V2_STR:
            return f"tag:yaml.org,2002:{other}"
    return tag


def dump_documents(documents: list[Any]) -> str:
    """A `---`-separated stream, each `---` on a line of its own; empty for no documents.

    libyaml writes a document whose top is a block mapping or sequence on the lines after `---`, and any
    other (`{}`, `[]`, a scalar) on the `---` line itself, which Kubernetes refuses. Runs of the first kind
    go through one dump_all; a document of the other kind is written alone, without libyaml's `---`.
    (Anchors are numbered per document either way, so this changes no byte of the first kind.)"""
    parts: list[str] = []
    run: list[Any] = []
    for document in documents:
        if (type(document) is dict or type(document) is list) and document:
            run.append(document)
            continue
        if run:
            parts.append(_dump(run, explicit_start=True))
            run = []
        parts.append("---\n" + _dump([document], explicit_start=False))
    if run:
        parts.append(_dump(run, explicit_start=True))
    return "".join(parts)


def _dump(documents: list[Any], explicit_start: bool) -> str:
    return yaml.dump_all(
        documents,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        explicit_start=explicit_start,
        allow_unicode=True,
        width=1_000_000,  # never fold long lines: a folded password or route is harder to review
    )
