"""`read`: `config.merge` checked against nats-server's vocabulary (option_table.py) and normalised, as
nats-server reads it: keys matched ignoring case and aliases, written in one canonical spelling; values of
each kind read by values.py; paths checked against the pod's folders.
"""

import os.path
from typing import Any, NamedTuple

from ..codes import Code
from ..problems import Path, Problem, error, warning
from . import secret_files
from .encoder import Variable
from .option_table import (
    ANY,
    BLOCK,
    BLOCKS,
    BLOCKS_VOCABULARY,
    BOOL,
    DURATION,
    DURATION_TEXT,
    EXACT,
    INT,
    INT64,
    LIST,
    LISTEN,
    MAP,
    NAMED,
    NUMBER,
    OWNED,
    RFILE,
    SERVER_VERSION,
    SIZE,
    STRING,
    STRINGS,
    SWITCH,
    WDIR,
    WFILE,
    Option,
    lookup,
    spellings,
)
from .topology import is_server_name
from .values import SIZE_TABLE, duration_seconds, size_bytes


class Mounts(NamedTuple):
    """The folders a pod has: everything else is the read-only root filesystem or does not exist."""

    writable: tuple[str, ...]
    readable: tuple[str, ...]


def read(
    merge: dict[str, Any],
    mounts: Mounts | None,
    path: Path = ("spec", "config", "merge"),
    newer_server: str | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """config.merge in canonical spellings, sizes in bytes and durations as strings, with the problems
    nats-server (or the pod) would have with it; each problem names the key as the user spelt it.

    Without mounts, for a configuration already in canonical spellings: keys outside the vocabulary stay
    as they are and paths are not checked; only sizes and durations are normalised and checked.
    With `newer_server` (the version of a newer image than the table's, option_table.newer_server), a key
    the table does not know may be that server's new option: it is passed through as written, with a
    warning, instead of refused."""
    reader = _Reader(mounts, newer_server)
    canonical = reader.block(merge, "top", path)
    return canonical, reader.problems


def original_path(merge: Any, path: Path, base_length: int = 3) -> Path:
    """A path of the canonical configuration, spelt as config.merge spells it (for line numbers)."""
    steps: list[str | int] = list(path[:base_length])
    value, block, named = merge, "top", False
    for step in path[base_length:]:
        found: str | int = step
        if isinstance(value, dict):
            if named:  # an account name, then the account's block
                named = False
            elif block and isinstance(step, str):
                found = next((k for k in value if isinstance(k, str) and _canonical(block, k) == step), step)
                option = lookup(block, found) if isinstance(found, str) else None
                block, named = (option.block or "", option.kind == NAMED) if option else ("", False)
            value = value.get(found)
        elif isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
            value = value[step]
        else:
            value = None
        steps.append(found)
    return tuple(steps)


def _canonical(block: str, key: str) -> str:
    option = lookup(block, key)
    return option.name if option else key


class _Reader:
    def __init__(self, mounts: Mounts | None, newer_server: str | None = None) -> None:
        self.mounts = mounts
        self.newer_server = newer_server
        self.problems: list[Problem] = []

    def refuse(self, code: Code, message: str, where: Path) -> None:
        self.problems.append(error(code, message, where))

    def block(self, body: dict[str, Any], block: str, path: Path) -> dict[str, Any]:
        """A block of config.merge: each key matched to an option of the block, in its canonical spelling.

        Refused (unknown-option at spec.config.merge.lame_duck_durration):
            lame_duck_durration: 45s
        Refused (duplicate-setting at spec.config.merge.MAX_PAYLOAD):
            max_payload: 2MB
            MAX_PAYLOAD: 2MB
        Accepted:
            Lame_Duck_Duration: 45s
        """
        out: dict[str, Any] = {}
        spelt: dict[str, str] = {}
        for key, value in body.items():
            where = (*path, key)
            if not isinstance(key, str):
                self.refuse(Code.NON_STRING_KEY, "a configuration key must be a string", where)
                continue
            option = lookup(block, key)
            if option is None and self.mounts is None:
                out[key] = value
                continue
            if option is None and self.newer_server is not None:
                self.problems.append(
                    warning(Code.NEWER_SERVER_OPTION, _unchecked(block, key, self.newer_server), where)
                )
                out[key] = self.plain(value, where)
                continue
            if option is None:
                self.refuse(Code.UNKNOWN_OPTION, _unknown(block, key), where)
                continue
            if option.name in spelt:
                message = f"sets {option.name} twice ({spelt[option.name]}, {key}); use one"
                self.refuse(Code.DUPLICATE_SETTING, message, where)
                continue
            spelt[option.name] = key
            out[option.name] = self.value(option, value, where)
            if secret_files.takes_secret(block, option.name):
                self.secret_value(value, where)
        return out

    def value(self, option: Option, value: Any, where: Path) -> Any:  # noqa: C901 (a flat dispatch, one branch per option kind)
        """A value of an option, read by the option's kind.

        Refused (chart-syntax at spec.config.merge.max_payload):
            max_payload: << 1MB >>
        Refused (wrong-type at spec.config.merge.debug):
            debug: "yes"
        Refused (invalid-choice at spec.config.merge.write_timeout):
            write_timeout: never
        Refused (invalid-address at spec.config.merge.listen):
            listen: [4222]
        Accepted:
            debug: true
            write_timeout: retry
        """
        if value is None or isinstance(value, Variable):
            return value  # null removes a generated key (SPEC section 4); $SERVER_NAME is ours
        kind = option.kind
        if isinstance(value, str) and "<<" in value and ">>" in value:
            self.refuse(Code.CHART_SYNTAX, _CHART_SYNTAX, where)
            return value
        if kind in (INT, SIZE):
            return self.number(option, value, where)
        if kind == NUMBER:
            if isinstance(value, str) and duration_seconds(value) is not None:
                return value
            if isinstance(value, float) and _finite(value):
                return value
            return self.number(option, value, where, what="a number of seconds or a duration such as 2s")
        if kind in (DURATION, DURATION_TEXT):
            return self.duration(option, value, where)
        if kind == BOOL:
            if not isinstance(value, bool):
                self.refuse(Code.WRONG_TYPE, "must be true or false", where)
            return value
        if kind in (STRING, RFILE, WFILE, WDIR, OWNED):
            if not isinstance(value, str):
                self.refuse(Code.WRONG_TYPE, "must be a string", where)
            elif option.choices and value not in option.choices:
                self.refuse(Code.INVALID_CHOICE, f"must be one of {', '.join(option.choices)}", where)
            elif option.name == "server_name":
                self.server_name(value, where)
            elif kind in (RFILE, WFILE, WDIR) and self.mounts is not None:
                self.file(kind, value, self.mounts, where)
            return value
        if kind == LISTEN:
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                self.refuse(Code.INVALID_ADDRESS, 'must be a port number or "host:port"', where)
            return self.plain(value, where)
        if kind == STRINGS:
            items = value if isinstance(value, list) else [value]
            if not all(isinstance(item, str) for item in items):
                self.refuse(Code.WRONG_TYPE, "must be a string or a list of strings", where)
            return self.plain(value, where)
        if kind == LIST:
            if not isinstance(value, list):
                self.refuse(Code.WRONG_TYPE, "must be a list", where)
            return self.plain(value, where)
        return self.nested(option, value, where)

    def nested(self, option: Option, value: Any, where: Path) -> Any:  # noqa: C901 (a flat dispatch, one branch per block kind)
        """A value of a block, a list of blocks, a map of named blocks or a switch.

        Refused (wrong-type at spec.config.merge.leafnodes):
            leafnodes: 7422
        Accepted:
            leafnodes: {port: 7422}
        """
        kind, block = option.kind, option.block or ""
        if kind == BLOCK or (kind in (SWITCH, ANY) and block and isinstance(value, dict)):
            if not isinstance(value, dict):
                self.refuse(Code.WRONG_TYPE, "must be a block (a mapping)", where)
                return value
            return self.block(value, block, where)
        if kind == BLOCKS:
            if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
                self.refuse(Code.WRONG_TYPE, "must be a list of blocks (mappings)", where)
                return value
            return [self.block(item, block, (*where, index)) for index, item in enumerate(value)]
        if kind == NAMED:
            if isinstance(value, list):
                return self.plain(value, where)
            if not isinstance(value, dict):
                self.refuse(Code.WRONG_TYPE, "must be a mapping of names to blocks", where)
                return value
            named: dict[str, Any] = {}
            for name, body in value.items():
                if not isinstance(body, dict) and body is not None:
                    self.refuse(Code.WRONG_TYPE, "must be a block (a mapping)", (*where, name))
                    continue
                named[name] = None if body is None else self.block(body, block, (*where, name))
            return named
        if kind == SWITCH:
            if not isinstance(value, bool) and str(value).lower() not in _SWITCH_WORDS:
                message = "must be a block, true or false, or enabled or disabled"
                self.refuse(Code.WRONG_TYPE, message, where)
            return value
        if kind == MAP and not isinstance(value, dict):
            self.refuse(Code.WRONG_TYPE, "must be a mapping", where)
            return value
        return self.plain(value, where)

    def number(self, option: Option, value: Any, where: Path, what: str = "") -> Any:
        """A whole number, or a size nats-server reads (8MB, 8m), within the option's range.

        Refused (not-a-number at spec.config.merge.max_connections):
            max_connections: 1.5
        Refused (invalid-size at spec.config.merge.max_payload):
            max_payload: 1.5MB
        Refused (out-of-range at spec.config.merge.max_payload):
            max_payload: 4GB
        Accepted:
            max_connections: 1000
            max_payload: 8MB
        """
        if isinstance(value, bool) or not isinstance(value, (int, str, float)):
            self.refuse(Code.NOT_A_NUMBER, f"must be {what or 'a whole number'}", where)
            return value
        if isinstance(value, float):
            message = f"must be {what or 'a whole number'}: nats-server refuses a fraction here"
            self.refuse(Code.NOT_A_NUMBER, message, where)
            return value
        number = size_bytes(value) if option.kind == SIZE else value
        if isinstance(value, str) and option.kind == SIZE and number is None:
            self.refuse(Code.INVALID_SIZE, _size_message(value), where)
            return value
        if not isinstance(number, int):
            self.refuse(Code.NOT_A_NUMBER, f"must be {what or 'a whole number'}, not a string", where)
            return value
        if not -INT64 <= number < INT64:
            self.refuse(Code.OUT_OF_RANGE, _INT64_RANGE, where)
        elif option.maximum is not None and number > option.maximum:
            self.refuse(Code.OUT_OF_RANGE, f"is too big: nats-server takes at most {option.maximum}", where)
        elif option.minimum is not None and number < option.minimum:
            message = f"is too small: nats-server takes at least {option.minimum}"
            self.refuse(Code.OUT_OF_RANGE, message, where)
        return number

    def duration(self, option: Option, value: Any, where: Path) -> Any:
        """A duration nats-server reads (30s, 2m, or seconds as an integer), within the option's range.

        Refused (invalid-duration at spec.config.merge.lame_duck_duration):
            lame_duck_duration: 2 minutes
        Refused (invalid-duration at spec.config.merge.lame_duck_grace_period):
            lame_duck_grace_period: 5
        Refused (out-of-range at spec.config.merge.cluster.ping_interval):
            cluster: {ping_interval: 1m}
        Accepted:
            lame_duck_duration: 2m
            cluster: {ping_interval: 20s}
        """
        if isinstance(value, int) and not isinstance(value, bool) and option.kind == DURATION_TEXT:
            message = "must be a duration string such as 30s or 2m: nats-server refuses a bare number here"
            self.refuse(Code.INVALID_DURATION, message, where)
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            if not -INT64 <= value < INT64:
                self.refuse(Code.OUT_OF_RANGE, _INT64_RANGE, where)
            elif option.maximum is not None and value > option.maximum:
                self.refuse(Code.OUT_OF_RANGE, _too_long(option.maximum), where)
            return f"{value}s"
        if isinstance(value, str) and value.lower() in option.choices:
            return value
        seconds = duration_seconds(value) if isinstance(value, str) else None
        if seconds is not None and option.maximum is not None and seconds > option.maximum:
            self.refuse(Code.OUT_OF_RANGE, _too_long(option.maximum), where)
        if seconds is not None:
            return value
        also = f" or {', '.join(option.choices)}" if option.choices else ""
        self.refuse(Code.INVALID_DURATION, f"must be a duration such as 30s or 2m{also}", where)
        return value

    def server_name(self, value: str, where: Path) -> None:
        # The name reaches nats-server through $SERVER_NAME, whose value it parses again as configuration
        # text: `edge #1` becomes `edge`, `1-0` a date error. Letters, digits and . _ - only.
        """A server_name that survives $SERVER_NAME: nats-server reads the name again as configuration text.

        Refused (invalid-format at spec.config.merge.server_name):
            server_name: edge 1
        Accepted:
            spec: {replicas: 1, config: {merge: {server_name: edge-1}}}
        """
        if not is_server_name(value):
            self.refuse(
                Code.INVALID_FORMAT,
                "must start with a letter and hold only letters, digits, '.', '_' and '-': nats-server "
                "reads the name again through $SERVER_NAME (a '#' starts a comment, spaces and commas "
                "end the value)",
                where,
            )

    def file(self, kind: str, value: str, mounts: Mounts, where: Path) -> None:
        """A file or folder the server reads or writes: inside a volume of the pod that can hold it.

        A file it reads may also be a Secret's key, `/etc/nats-secrets/<secret>/<key>`, checked as
        `secret_value` checks one.

        Refused (path-outside-volume at spec.config.merge.log_file):
            log_file: /tmp/nats.log
        Accepted:
            log_file: /var/run/nats/nats.log
            leafnodes:
              remotes: [{urls: ["nats-leaf://hub:7422"], credentials: /etc/nats-secrets/hub-leaf/edge.creds}]
        """
        if kind == RFILE and secret_files.is_secret_path(value):
            self.secret_value(value, where)
            return
        folders = mounts.readable if kind == RFILE else mounts.writable
        normal = os.path.normpath(value)
        inside = value.startswith("/") and any(normal.startswith(folder + "/") for folder in folders)
        if not inside:
            how = "readable" if kind == RFILE else "writable"
            secret = f", or a Secret's key as {secret_files.TEMPLATE}" if kind == RFILE else ""
            self.refuse(
                Code.PATH_OUTSIDE_VOLUME,
                f"must name a path inside a {how} volume of the pod ({', '.join(folders)}){secret}: the "
                "root filesystem is read-only and holds nothing of yours",
                where,
            )

    def secret_value(self, value: Any, where: Path) -> None:
        """A file or value that may be a Secret's key (secret_files.py): a path in the reserved folder must
        name one.

        Refused (secret-file-name at spec.config.merge.jetstream.key):
            spec:
              jetstream: {enabled: true}
              config: {merge: {jetstream: {key: /etc/nats-secrets/NATS_JS/key}}}
        Refused (secret-file-name at spec.config.merge.leafnodes.remotes[0].credentials):
            leafnodes:
              remotes: [{urls: ["nats-leaf://hub:7422"], credentials: /etc/nats-secrets/Hub_Leaf/edge.creds}]
        Accepted:
            spec:
              jetstream: {enabled: true}
              config: {merge: {jetstream: {key: /etc/nats-secrets/nats-js/key, prev_key: an-old-literal-key}}}
        """
        if isinstance(value, str) and secret_files.is_secret_path(value):
            why = secret_files.problem(value)
            if why is not None:
                self.refuse(Code.SECRET_FILE_NAME, why, where)

    def plain(self, value: Any, where: Path) -> Any:
        """Free-form values: what the nats.conf reader itself refuses, anywhere inside.

        Refused (chart-syntax at spec.config.merge.server_tags[0]):
            server_tags: ["<< zone >>"]
        Accepted:
            server_tags: ["zone:a"]
        """
        if isinstance(value, dict):
            for key, item in value.items():
                self.plain(item, (*where, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.plain(item, (*where, index))
        elif isinstance(value, int) and not isinstance(value, bool) and not -INT64 <= value < INT64:
            self.refuse(Code.OUT_OF_RANGE, _INT64_RANGE, where)
        elif isinstance(value, float) and not _finite(value):
            self.refuse(Code.NOT_A_NUMBER, "must be a finite number", where)
        elif isinstance(value, str) and "<<" in value and ">>" in value:
            self.refuse(Code.CHART_SYNTAX, _CHART_SYNTAX, where)
        return value


_CHART_SYNTAX = (
    "the upstream chart's << >> unquoting is not nats-server syntax: write the value itself "
    "(a number, a duration string, ...)"
)
_INT64_RANGE = "is out of range: nats-server reads integers of 64 bits (below 2^63)"


def _size_message(value: str) -> str:
    """Why nats-server would not read `value` as a size, and its suffix table (never the value itself:
    messages quote no value, README "Secrets")."""
    what = "a fraction" if "." in value else "not a size nats-server reads"
    return (
        f"is {what}: write whole bytes, or a whole number with one of nats-server's suffixes "
        f"({SIZE_TABLE}), such as 8m (8000000) or 8MB (8388608); m is mega here, not milli"
    )


def _too_long(maximum: float) -> str:
    return f"is too long: nats-server takes at most {maximum}s here"


_SWITCH_WORDS = ("enabled", "enable", "disabled", "disable")


def _finite(value: float) -> bool:
    return value == value and value not in (float("inf"), float("-inf"))


def _unchecked(block: str, key: str, version: str) -> str:
    where = "at the top level" if block == "top" else f"in a {block} block"
    return (
        f"{key!r} {where} is not an option of nats-server {SERVER_VERSION}, the version this nats-render "
        f"knows; it is written unchecked for nats-server {version} (--nats-image): check the rendered "
        f"nats.conf with that version's `nats-server -t` before you apply it"
    )


def _unknown(block: str, key: str) -> str:
    where = "at the top level" if block == "top" else f"in a {block} block"
    if key.lstrip("$").lower() == "include" or key.startswith("<<"):
        return (
            f"{key!r} is not an option: nats.conf includes and the upstream chart's << >> syntax cannot "
            "be written through config.merge; write the settings themselves"
        )
    import difflib  # on the error path only

    spelt = key if block in EXACT else key.lower()
    elsewhere = [name for name, options in BLOCKS_VOCABULARY.items() if spelt in options and name != block]
    # A spelling another block knows, whose option this block has under its own name (authentication).
    same = [o.name for b in elsewhere if (o := BLOCKS_VOCABULARY[b][spelt]).name in BLOCKS_VOCABULARY[block]]
    close = same[:1] or difflib.get_close_matches(spelt, spellings(block), n=1, cutoff=0.75)
    hint = f"; did you mean {close[0]}?" if close else ""
    if elsewhere:
        hint += f" ({key} is an option of {', '.join(sorted(elsewhere)[:3])})"
    return f"nats-server has no option {key!r} {where}{hint}"
