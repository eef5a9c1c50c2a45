"""Values as nats-server reads them: sizes, Go durations and `host:port` addresses, each parsed in one
place for the config.merge reader, the checks and the description of the listeners.
"""

import posixpath
import re

# nats-server's size suffixes, as its config parser reads an unquoted number with a unit (conf/parse.go,
# processItem, case itemInteger: the suffix is lowercased and looked up; conf/lex.go, lexConvenientNumber,
# lets a number end in k, m, g, t, p or e followed by any run of b and i). Held to the pinned binary by
# tests/servers/test_sizes.py. These are not Kubernetes quantities: `m` is mega here, never milli.
SIZE_SUFFIXES: dict[str, int] = {"": 1}
for _power, _letter in enumerate("kmgtpe", start=1):
    SIZE_SUFFIXES[_letter] = 1000**_power
    for _binary in ("b", "i", "ib"):
        SIZE_SUFFIXES[_letter + _binary] = 1024**_power

SIZE_TABLE = (
    "k = 10^3, kb/ki/kib = 2^10, m = 10^6, mb/mi/mib = 2^20, g = 10^9, gb/gi/gib = 2^30, likewise t, p "
    "and e, in any case"
)


def size_bytes(value: int | str) -> int | None:
    """A size in bytes as nats-server reads it written unquoted: an integer as it is; a string as an
    optional `-`, ASCII digits and a case-insensitive suffix of SIZE_SUFFIXES (`8m` is 8000000, `8MB`
    8388608). None for anything else: a fraction, a space, a `+`, a unit the server does not know
    (nats-server skips the value of `8mbib` without a word, and refuses `8 m` and `1.5k`).

    The product is exact: past 2^63 the caller refuses it (nats-server multiplies in int64 and wraps)."""
    if isinstance(value, int):
        return None if isinstance(value, bool) else value
    if not isinstance(value, str):
        return None
    match = _SIZE.fullmatch(value)
    if match is None:
        return None
    multiplier = SIZE_SUFFIXES.get(match[3].lower())
    if multiplier is None:
        return None
    return (-1 if match[1] else 1) * int(match[2]) * multiplier


_SIZE = re.compile(r"(-?)([0-9]+)([A-Za-z]*)", re.ASCII)


def monitor_base_path(value: object) -> str:
    """The prefix nats-server serves its monitoring endpoints under for an `http_base_path`, as it
    normalises it (server.go: a leading slash, then Go's path.Clean): `nats`, `/nats/` and `/nats` are
    all `/nats`; "" for none or `/`."""
    if not isinstance(value, str) or not value:
        return ""
    cleaned = "/" + posixpath.normpath("/" + value).lstrip("/")
    return "" if cleaned == "/" else cleaned


def split_host_port(value: str) -> tuple[str, str] | None:
    """The host and the port text of a "host:port" value (`0.0.0.0:4222`, `:4222`, `[::]:4222`), as Go's
    net.SplitHostPort cuts it at the last colon; None without a colon."""
    if ":" not in value:
        return None
    host, _, port = value.rpartition(":")
    return host, port


def port_number(text: str) -> int | None:
    """A port's text as a number, ASCII digits only (Python's int() would also take `4_222`, ` 4222` and
    other scripts' digits, which nats-server refuses); None for anything else."""
    return int(text) if text.isascii() and text.isdigit() else None


def listen_port(value: object) -> int | None:
    """The port of a `port` value or a `listen` value such as `0.0.0.0:4222` or `:4222`."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    parts = split_host_port(value) if isinstance(value, str) else None
    return port_number(parts[1]) if parts else None


_DURATION_UNITS = {
    "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0,
}  # fmt: skip


def duration_seconds(text: str) -> float | None:
    """Seconds in a Go duration (`30s`, `1m30s`, `500ms`, `-1s`, `0`), as time.ParseDuration reads it;
    None where it refuses it."""
    if not isinstance(text, str) or not text:
        return None
    rest, sign = text, 1.0
    if rest[0] in "+-":
        sign, rest = (-1.0 if rest[0] == "-" else 1.0), rest[1:]
    if rest == "0":
        return 0.0
    if not rest:
        return None
    total = 0.0
    while rest:
        index = 0
        while index < len(rest) and (rest[index] in "0123456789."):
            index += 1
        number, rest = rest[:index], rest[index:]
        if number in ("", ".") or number.count(".") > 1:
            return None
        unit = next((u for u in ("ns", "us", "µs", "μs", "ms", "s", "m", "h") if rest.startswith(u)), None)
        if unit is None:
            return None
        total += float(number) * _DURATION_UNITS[unit]
        rest = rest[len(unit) :]
    return sign * total if total < _MAX_DURATION else None


_MAX_DURATION = (2**63 - 1) / 1e9  # Go durations are int64 nanoseconds


def is_clean_folder(text: str) -> bool:
    """Whether a folder path is absolute and already in the form Go's filepath.Clean gives it (but for a
    final `/`): no `.` or `..` part and no `//`. A `..` lets the path name another folder than the one it
    seems to be inside, so a volume mounted at it and the folder nats-server writes to part ways."""
    parts = text.rstrip("/").split("/")
    return text.startswith("/") and len(parts) > 1 and all(part not in ("", ".", "..") for part in parts[1:])
