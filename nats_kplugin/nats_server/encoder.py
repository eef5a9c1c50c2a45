"""The one encoder of nats-server configuration: a data structure in, nats.conf text out.

Nothing else in the project writes configuration text. Every key and every string is double-quoted; in a
string, printable ASCII other than `"` and `\\` stays as it is and every other byte of its UTF-8 form is
written `\\xHH`, which nats-server reads back byte for byte (SPEC section 4, checked by the tests against the
real server). A `Variable` is the only thing written unquoted: `$SERVER_NAME` is resolved by nats-server
from the pod's environment.
"""

import math
import re
from typing import Any, NamedTuple

# Keys written inside double quotes. nats-server's lexer reads a quoted key up to the next `"` and takes
# every character in between as it is, with no escapes (conf/lex.go, lexDubQuotedKey): a `\xHH` in a key
# would stay four characters. So a key holds only what needs no escape and no quote: printable ASCII other
# than the space, `"` and `\`. That takes option and account names (`$SYS`) and the subjects of `mappings`
# with their wildcards (`orders.*`, `orders.>`); tests/servers/test_mappings.py boots such a mapping.
KEY_PATTERN = re.compile(r"[!#-\[\]-~]+")  # used with fullmatch: `$` would let a final newline in
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
_INDENT = "  "


class Variable(NamedTuple):
    """A reference to an environment variable of the nats-server process, written `$NAME`; the encoder
    refuses a name that is not one, since it is the only thing written unquoted."""

    name: str


class EncodeError(ValueError):
    """A value the format cannot carry; `path` names where it is in the configuration."""

    def __init__(self, message: str, path: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.path = path


# Strings that need no escape at all: printable ASCII other than `"` and `\\`, nearly every string written.
_PLAIN = re.compile(r"[ !#-\[\]-~]*")


def quote(text: str) -> str:
    if _PLAIN.fullmatch(text):
        return f'"{text}"'
    out = ['"']
    for char in text:
        if " " <= char <= "~" and char not in '"\\':
            out.append(char)
        else:
            out.extend(f"\\x{byte:02x}" for byte in char.encode("utf-8", "surrogatepass"))
    out.append('"')
    return "".join(out)


def encode(config: dict[str, Any]) -> str:
    """nats.conf text for a configuration mapping; raises EncodeError naming the path of a bad value."""
    lines: list[str] = []
    _encode_entries(config, 0, (), lines)
    return "\n".join(lines) + "\n"


def _encode_entries(
    mapping: dict[str, Any], depth: int, path: tuple[str | int, ...], lines: list[str]
) -> None:
    for key, value in mapping.items():
        where = (*path, key)
        if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
            message = 'a configuration key must be printable ASCII without a space, `"` or `\\`'
            raise EncodeError(message, where)
        _encode_value(value, depth, f"{_INDENT * depth}{quote(key)}: ", ",", where, lines, in_list=False)


def _encode_value(
    value: Any,
    depth: int,
    prefix: str,
    separator: str,
    path: tuple[str | int, ...],
    lines: list[str],
    *,
    in_list: bool,
) -> None:
    end = separator if in_list else ""
    if isinstance(value, dict):
        lines.append(prefix + "{")
        _encode_entries(value, depth + 1, path, lines)
        lines.append(_INDENT * depth + "}" + end)
    elif isinstance(value, list):
        lines.append(prefix + "[")
        for index, item in enumerate(value):
            _encode_value(item, depth + 1, _INDENT * (depth + 1), ",", (*path, index), lines, in_list=True)
        lines.append(_INDENT * depth + "]" + end)
    else:
        lines.append(prefix + _scalar(value, path) + end)


def _scalar(value: Any, path: tuple[str | int, ...]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EncodeError("a number must be finite", path)
        return repr(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, Variable):
        if not _ENV_NAME.fullmatch(value.name):
            raise ValueError(f"not an environment variable name: {value.name!r}")  # a bug, not input
        return "$" + value.name
    what = "empty (null)" if value is None else type(value).__name__
    raise EncodeError(f"a configuration value cannot be {what}", path)
