"""Values as nats-server reads them: sizes, Go durations and `host:port` addresses, each parsed in one
place for the config.merge reader, the checks and the description of the listeners.
"""

import posixpath

from ..spec.quantities import to_bytes


def size_bytes(value: int | str) -> int | None:
    """A size in bytes: an integer as it is, a string as a Kubernetes quantity; None where it is none."""
    return to_bytes(value)


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
