"""What the entry points share as processes: the render key and render options from their own
environment, problems as stderr lines, all-or-nothing stdout, exit codes, and no traceback on a bug.

The command line and the Argo CD, kustomize and KRM adapters are thin mappings from their tool's contract
onto `pipeline.render`; this module is the part of that mapping they have in common. It knows nothing of
any one tool. Exit codes are the command line's (README, "Exit codes"): 0 rendered, 1 invalid input,
2 usage (a bad option value, an unreadable key file), 70 internal error.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping
from typing import TextIO

from ..documents import Document
from ..manifests import NATS_IMAGE, RELOADER_IMAGE, Images
from ..output import dump_documents
from ..pipeline import RenderOptions, render
from ..problems import Problem, sort_key

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70
KEY_ENV = "NATS_RENDER_KEY"
KEY_FILE_ENV = "NATS_RENDER_KEY_FILE"
# The kustomize plugins take their options from these (the Argo CD plugin maps its own names onto them).
NAMESPACE_ENV = "NATS_RENDER_NAMESPACE"
NATS_IMAGE_ENV = "NATS_RENDER_NATS_IMAGE"
RELOADER_IMAGE_ENV = "NATS_RENDER_RELOADER_IMAGE"
STRICT_ENV = "NATS_RENDER_STRICT"
MAX_KEY_BYTES = 65536  # a key, not a file someone pointed at /dev/zero
# ECMA-48 control sequences (ESC [ parameters intermediates final), dropped from problems written to anything
# but a terminal (as click.echo does), so a key with escape codes cannot colour a log or the Argo CD UI.
_CONTROL_SEQUENCE = re.compile(r"\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]")


class UsageError(Exception):
    """A setting the user must fix before anything can be rendered (exit 2). The message names it."""


def render_key(environ: Mapping[str, str], key_file: str | None = None) -> bytes | None:
    """The render key from the process's own side, never from anything that lives in Git: the file named
    by `key_file` (the command line's option) or NATS_RENDER_KEY_FILE, trailing newline dropped; else
    NATS_RENDER_KEY; else None."""
    key_file = key_file or environ.get(KEY_FILE_ENV)
    if key_file:
        try:
            with open(key_file, "rb") as stream:
                key = stream.read(MAX_KEY_BYTES + 1).rstrip(b"\r\n")
        except OSError as exc:
            raise UsageError(f"cannot read the render key file {key_file}: {exc.strerror}") from None
        if len(key) > MAX_KEY_BYTES:
            raise UsageError(f"the render key file {key_file} is larger than {MAX_KEY_BYTES} bytes")
        if not key:
            raise UsageError(f"the render key file {key_file} is empty")
        return key
    value = environ.get(KEY_ENV)
    return value.encode() if value else None


def parse_bool(value: str, setting: str) -> bool:
    """`true` or `false` in any case: what Argo CD's UI and a shell both write. Anything else is refused
    rather than guessed, so a typo never silently turns strict mode off."""
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    raise UsageError(f"{setting} must be true or false, not {value!r}")


def options_from_environment(environ: Mapping[str, str]) -> RenderOptions:
    """Render options of the kustomize plugins: NATS_RENDER_* variables, the defaults where unset."""
    strict = environ.get(STRICT_ENV, "")
    return RenderOptions(
        render_key=render_key(environ),
        default_namespace=environ.get(NAMESPACE_ENV) or None,
        images=Images(
            environ.get(NATS_IMAGE_ENV) or NATS_IMAGE, environ.get(RELOADER_IMAGE_ENV) or RELOADER_IMAGE
        ),
        strict=parse_bool(strict, STRICT_ENV) if strict else False,
    )


def report(problems: list[Problem], stderr: TextIO) -> None:
    """Every problem on stderr, one line each, in source order."""
    text = "".join(f"nats-render: {problem}\n" for problem in sorted(problems, key=sort_key))
    stderr.write(text if stderr.isatty() else _CONTROL_SEQUENCE.sub("", text))


def render_stream(
    documents: list[Document],
    read_problems: list[Problem],
    options: RenderOptions,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    """Render and write: the stream on stdout only when there is no error. The documents that were read
    are rendered even after a read error, so one run reports every problem."""
    result = render(documents, options)
    problems = read_problems + result.problems
    report(problems, stderr)
    if any(p.is_error for p in problems):
        return EXIT_INVALID
    stdout.write(dump_documents(result.documents))
    return EXIT_OK


def utf8_stdout() -> None:
    """stdout in UTF-8 whatever the locale: the stream's bytes must not depend on LANG (in a Latin-1
    locale Python would write Latin-1, and end in an internal error on text outside it)."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8")


def run(main: Callable[[list[str]], int], program: str) -> None:
    """Run an entry point and exit with its code: a usage error is one line, a bug is one line too
    (the traceback only with NATS_RENDER_DEBUG=1), and stdout stays empty in both cases."""
    utf8_stdout()
    try:
        code = main(sys.argv[1:])
    except UsageError as exc:
        sys.stderr.write(f"{program}: {exc}\n")
        code = EXIT_USAGE
    except Exception as exc:
        if os.environ.get("NATS_RENDER_DEBUG"):
            raise
        sys.stderr.write(
            f"{program}: internal error: {type(exc).__name__} "
            "(set NATS_RENDER_DEBUG=1 for a traceback, and please report it)\n"
        )
        code = EXIT_INTERNAL
    sys.exit(code)
