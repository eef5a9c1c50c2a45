"""What kubectl and Argo CD make of a plain YAML scalar: the one home of YAML 1.1's other types here.

Both read YAML with sigs.k8s.io/yaml, which is gopkg.in/yaml.v2 underneath. This is a port of yaml.v2's
resolve("", text) (resolve.go of yaml.v2 2.4; Debian's copy is /usr/share/gocode/src/gopkg.in/yaml.v2/), with
the parts of Go's strconv it relies on (ParseInt and ParseUint with base 0, ParseFloat's syntax and range),
and decode.go's two exceptions: a timestamp decoded into interface{} stays the text as written, and a plain
`<<` key is a merge. The write step quotes what this calls other than a string; the read step reads the
plain scalars and the tagged nodes of passed-through documents with it (the second half of this
module). tests/servers/test_k8s_reader.py holds it to the real Go reader over a generated corpus of keys
and values.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable
from typing import Any

import yaml

_BOOLS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
_WORDS: dict[str, tuple[str, Any]] = {  # resolveMap
    **{word: ("bool", value) for word, value in _BOOLS.items()},
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), ("null", None)),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), ("float", math.nan)),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), ("float", math.inf)),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), ("float", -math.inf)),
}  # and "<<", but no hint leads there in resolve: decode.go's isMerge makes a plain << key a merge
# resolveTable: the first byte's hint. Sign, digit, "in the map", float; any other byte means a string.
_HINTS = {
    **dict.fromkeys("+-", "S"),
    **dict.fromkeys("0123456789", "D"),
    **dict.fromkeys("yYnNtTfFoO~", "M"),
    ".": ".",
}
# yamlStyleFloat; used with fullmatch, as Go's $ (unlike Python's) does not match before a final newline.
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_STRING = ("str", None)


def plain_type(text: str) -> str:
    """What sigs.k8s.io/yaml reads `text` as, written as a plain scalar: str (the text itself), bool,
    int, float, null, or merge (`<<`, as a key)."""
    return plain_scalar(text)[0]


def plain_scalar(text: str) -> tuple[str, Any]:
    """plain_type and the value read: a bool, an int, a float (NaN and infinities included), None, or
    for str and merge the text itself."""
    kind, value = _resolve(text)
    return (kind, text) if kind in ("str", "merge") else (kind, value)


def _resolve(text: str) -> tuple[str, Any]:  # noqa: C901 (a port of yaml.v2's resolve(), kept branch for branch)
    hint = _HINTS.get(text[:1], "N" if not text else None)
    if hint is None:
        return ("merge", None) if text == "<<" else _STRING
    word = _WORDS.get(text)
    if word is not None:
        return word
    if hint == ".":
        number = _go_parse_float(text)
        return _STRING if number is None else ("float", number)
    if hint in "DS":
        # parseTimestamp may take it for a timestamp (four digits and a dash first), but decoded into
        # interface{}, as sigs.k8s.io/yaml decodes, a timestamp stays the text as written; nor is any text
        # that starts so a number. Either way a string: no need to port Go's time.Parse.
        plain = text.replace("_", "")
        integer = _go_parse_int(plain, 0)
        if integer is None:
            integer = _go_parse_uint(plain, 0)
        if integer is not None:
            return "int", integer
        if _YAML_STYLE_FLOAT.fullmatch(plain):
            number = _go_parse_float(plain)
            if number is not None:
                return "float", number
        if plain.startswith("0b"):
            integer = _go_parse_int(plain[2:], 2)
            if integer is None:
                integer = _go_parse_uint(plain[2:], 2)
        elif plain.startswith("-0b"):
            integer = _go_parse_int("-" + plain[3:], 2)
        if integer is not None:
            return "int", integer
    return _STRING


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


def _go_parse_float(text: str) -> float | None:
    """strconv.ParseFloat(text, 64), for the texts resolve gives it: those that start with "." and those
    yamlStyleFloat matches (so never a hexadecimal float, "inf" or "nan"). readFloat's decimal syntax,
    underscores as underscoreOK allows them, and no overflow to infinity (ErrRange); None if it fails."""
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
        return None
    if index < length and text[index] in "eE":
        index += 1
        if index < length and text[index] in "+-":
            index += 1
        if index >= length or not "0" <= text[index] <= "9":
            return None
        while index < length and ("0" <= text[index] <= "9" or text[index] == "_"):
            index += 1
    if index != length or ("_" in text and not _go_underscore_ok(text)):
        return None
    number = float(text.replace("_", ""))
    return number if math.isfinite(number) else None


# Reading passed-through documents as kubectl does: the reader (reader.py) hands this part every plain
# scalar and every explicitly tagged node of a document it does not check itself.


class NotKubernetes(Exception):
    """A passed-through document holds what Kubernetes cannot: the reader reports it like a limit, with
    its line."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.line = mark.line + 1 if mark is not None else None


class PlainNode(yaml.ScalarNode):
    """A plain scalar without a tag: the only kind whose type the reader decides (kubectl's or PyYAML's)."""


_TAG = "tag:yaml.org,2002:"
_NOT_A_NUMBER = "NaN and infinity are no JSON numbers: Kubernetes cannot hold them"


def as_kubernetes_reads(node: yaml.ScalarNode) -> Any:
    """A plain scalar as yaml.v2 reads it; an integer beyond 64 bits is a float there, so it is one here."""
    kind, value = plain_scalar(node.value)
    if kind == "float" and not math.isfinite(value):
        raise NotKubernetes(_NOT_A_NUMBER, node.start_mark)
    return value


def _refuse_collection(loader: Any, node: yaml.Node) -> Any:
    tag = node.tag.replace(_TAG, "!!")
    message = f"{tag} is not a Kubernetes type (JSON has no sets, ordered maps, pairs): use a mapping or list"
    raise NotKubernetes(message, node.start_mark)


def _binary(loader: Any, node: yaml.Node) -> Any:
    if id(node) not in loader._secret_data:
        raise NotKubernetes(
            "!!binary is only for the values of a Secret's data: elsewhere kubectl reads the bytes as text",
            node.start_mark,
        )
    decoded = loader.construct_yaml_binary(node)
    return base64.b64encode(decoded).decode("ascii")


def _tagged_number(loader: Any, node: yaml.Node) -> Any:
    """`!!int 12`, `!!float 1`: PyYAML's value, unless yaml.v2 would refuse it (an !!int beyond 64 bits
    reads as a float there, which it will not decode as an !!int) or JSON cannot hold it."""
    value = loader.yaml_constructors[node.tag](loader, node)
    if isinstance(value, float) and not math.isfinite(value):
        raise NotKubernetes(_NOT_A_NUMBER, node.start_mark)
    if isinstance(value, int) and not -(2**63) <= value < 2**64:
        raise NotKubernetes("an !!int beyond 64 bits: kubectl refuses it", node.start_mark)
    return value


def _refuse_timestamp(loader: Any, node: yaml.Node) -> Any:
    message = "!!timestamp is not a Kubernetes type: kubectl reads it as text or refuses it; quote the text"
    raise NotKubernetes(message, node.start_mark)


# Explicitly tagged scalars and collections of a passed-through document that Kubernetes reads otherwise
# than PyYAML. (A plain timestamp is its text, as yaml.v2 gives it to interface{}; an explicit one yaml.v2
# refuses unless Go's time.Parse takes it, a rule not worth porting for a tag no manifest needs.)
KUBERNETES_TAGS: dict[str, Callable[[Any, yaml.Node], Any]] = {
    **dict.fromkeys((_TAG + "set", _TAG + "omap", _TAG + "pairs"), _refuse_collection),
    _TAG + "binary": _binary,
    _TAG + "timestamp": _refuse_timestamp,
    _TAG + "int": _tagged_number,
    _TAG + "float": _tagged_number,
}
