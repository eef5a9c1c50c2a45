"""The one value every check produces: a `Problem` with its severity, code, message and location.

Errors are values, not exceptions: each step returns the problems it found beside its result, the pipeline
collects all of them, and the writers (stderr text, KRM `results`, exit code) read the same list.
"""

import re
from typing import NamedTuple

from .codes import Code, Severity


class Location(NamedTuple):
    """Where a problem is: the source (a file or `<stdin>`), the document index in it, a 1-based line."""

    source: str = "<stdin>"
    document: int | None = None  # 0-based; shown 1-based
    line: int | None = None

    def __str__(self) -> str:
        text = self.source
        if self.line is not None:
            text += f":{self.line}"
        if self.document is not None:
            text += f" (document {self.document + 1})"
        return text


class Problem(NamedTuple):
    severity: Severity
    code: Code  # the kind of problem, stable across rewordings (codes.py, the README's "Problem codes")
    message: str
    location: Location = Location()
    object_ref: str | None = None  # "NATS/nats-example", "NATS/ns/nats-example"
    path: tuple[str | int, ...] = ()  # ("spec", "jetstream", "size"): the field, for lines and KRM results

    @property
    def field(self) -> str | None:
        """The field path as users write it: `spec.users.alice.password`, `spec.config.merge.routes[0]`."""
        return field_text(self.path)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def as_error(self) -> "Problem":
        return self._replace(severity=Severity.ERROR)

    def as_strict(self) -> "Problem":
        """Under `--strict`: a warning becomes an error, information stays information."""
        return self.as_error() if self.severity is Severity.WARNING else self

    def __str__(self) -> str:
        parts = [f"{self.location}: {self.severity.value}[{self.code.value}]"]
        if self.object_ref:
            parts.append(self.object_ref)
        if self.field:
            parts.append(self.field)
        return _one_line(": ".join(parts) + f": {self.message}")


Path = tuple[str | int, ...]
MAX_STEP = 64


def field_text(path: Path) -> str | None:
    """A field path as users write it (None for none); a problem's own field, or another place it names."""
    if not path:
        return None
    text = ""
    for step in _shown(path):
        if isinstance(step, str) and len(step) > MAX_STEP:  # a 4 MB key must not become a 4 MB line
            step = step[: MAX_STEP - 3] + "..."
        text += f"[{step}]" if isinstance(step, int) else ("." if text else "") + step
    return text


# The fields of a user (the schema's spec.users.*.properties; tests/units/test_problem_text.py holds them
# equal). Any other key below a user is not named: `alice: {Hunter2}` is a password written as a key.
USER_FIELDS = frozenset({"password"})
HIDDEN_KEY = "(a key, not shown)"


def _shown(path: Path) -> Path:
    if len(path) > 3 and path[:2] == ("spec", "users"):
        if path[3] not in USER_FIELDS:
            return (*path[:3], HIDDEN_KEY)
        if len(path) > 4:  # inside a password given as a mapping or list
            return (*path[:4], HIDDEN_KEY)
    return path


# Terminal control sequences: CSI (`ESC [` or 8-bit 0x9B, then parameters, intermediates, a final byte),
# the string sequences OSC, DCS, SOS, PM and APC (`ESC ]`... up to BEL or ST; a title, a hyperlink, OSC 52
# writing the clipboard), and the other escapes (`ESC c` resets the terminal, `ESC ( 0` switches charsets).
_TERMINAL_SEQUENCE = (  # (compiled on first use, by re)
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"
    r"|(?:\x1b[]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]"
)


def _one_line(text: str) -> str:
    """Keys and names from the input can hold newlines and terminal controls; a problem stays one line
    that can neither forge another nor drive a terminal or a log viewer (the Argo CD UI): whole control
    sequences are dropped, and every other non-printable character (a lone ESC, BEL, C1 controls) is
    written as a Python escape."""
    if text.isprintable():
        return text
    text = re.sub(_TERMINAL_SEQUENCE, "", text)
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


one_line = _one_line  # for the entry points' own lines (usage errors name paths and values from outside)


def error(code: Code, message: str, path: Path = ()) -> Problem:
    """An error found inside one object; the pipeline adds the source, line and object (`locate`)."""
    return Problem(Severity.ERROR, code, message, path=path)


def warning(code: Code, message: str, path: Path = ()) -> Problem:
    return Problem(Severity.WARNING, code, message, path=path)


def info(code: Code, message: str, path: Path = ()) -> Problem:
    """Worth knowing, never wrong: a default such as two servers must render under `--strict`."""
    return Problem(Severity.INFO, code, message, path=path)


def sort_key(problem: Problem) -> tuple[str, int, int, str, str]:
    loc = problem.location
    return (loc.source, loc.document or 0, loc.line or 0, problem.field or "", problem.message)
