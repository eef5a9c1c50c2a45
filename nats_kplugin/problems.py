"""The one value every check produces: a `Problem` with its severity, message and location.

Errors are values, not exceptions: each step returns the problems it found beside its result, the pipeline
collects all of them, and the writers (stderr text, KRM `results`, exit code) read the same list.
"""

from __future__ import annotations

import enum
from typing import NamedTuple


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


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
    message: str
    location: Location = Location()
    object_ref: str | None = None  # "NATS/nats-example", "NATS/ns/nats-example"
    path: tuple[str | int, ...] = ()  # ("spec", "jetstream", "size"): the field, for lines and KRM results

    @property
    def field(self) -> str | None:
        """The field path as users write it: `spec.users.alice.password`, `spec.config.merge.routes[0]`."""
        if not self.path:
            return None
        text = ""
        for step in self.path:
            if isinstance(step, str) and len(step) > MAX_STEP:  # a 4 MB key must not become a 4 MB line
                step = step[: MAX_STEP - 3] + "..."
            text += f"[{step}]" if isinstance(step, int) else ("." if text else "") + step
        return text

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def as_error(self) -> Problem:
        return self._replace(severity=Severity.ERROR)

    def __str__(self) -> str:
        parts = [f"{self.location}: {self.severity.value}"]
        if self.object_ref:
            parts.append(self.object_ref)
        if self.field:
            parts.append(self.field)
        return _one_line(": ".join(parts) + f": {self.message}")


Path = tuple[str | int, ...]
MAX_STEP = 64


def _one_line(text: str) -> str:
    """Keys and names from the input can hold newlines; a problem stays one line that cannot forge another,
    so non-printable characters are written as Python escapes. ESC is left for the CLI's report(), which
    drops whole terminal control sequences as click.echo does."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() or c == "\x1b" else c.encode("unicode_escape").decode("ascii") for c in text
    )


def error(message: str, path: Path = ()) -> Problem:
    """An error found inside one object; the pipeline adds the source, line and object (`locate`)."""
    return Problem(Severity.ERROR, message, path=path)


def warning(message: str, path: Path = ()) -> Problem:
    return Problem(Severity.WARNING, message, path=path)


def sort_key(problem: Problem) -> tuple[str, int, int, str, str]:
    loc = problem.location
    return (loc.source, loc.document or 0, loc.line or 0, problem.field or "", problem.message)
