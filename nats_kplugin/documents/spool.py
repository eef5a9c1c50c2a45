"""The output stream, held until the whole input is known to be valid (all or nothing: nothing reaches
stdout when any document has an error).

10,000 seed-like objects write 82 MB of YAML, which held as text was a third of the Argo CD sidecar's
256 MiB. So the text stays in memory only up to MEMORY_LIMIT characters; beyond, it goes to an unnamed
temporary file (in TMPDIR or /tmp: the sidecar's own emptyDir, see deploy/) and is copied out in pieces
once the input is valid. A small render never imports tempfile.
"""

from collections.abc import Iterator
from typing import IO

MEMORY_LIMIT = 4 * 1024 * 1024  # characters held in memory before the rest goes to a file
COPY_PIECE = 1024 * 1024  # characters read back at a time


class SpoolError(Exception):
    """The temporary file, once open, cannot be written or read (a full disk): the output is lost."""


class Spool:
    """Text written in pieces, read back in pieces. Without a writable temporary folder it all stays in
    memory, as it did before (the render still succeeds where it did); an error writing to the file once
    it is open (a full disk) is a SpoolError."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._held = 0  # characters in _parts
        self._limit: float = MEMORY_LIMIT
        self._file: IO[str] | None = None

    def write(self, text: str) -> None:
        if self._file is not None:
            self._file_write(text)
            return
        self._parts.append(text)
        self._held += len(text)
        if self._held > self._limit:
            self._to_file()

    def _to_file(self) -> None:
        import tempfile  # only for large outputs: its imports cost a small render a few milliseconds

        try:
            spooled = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115 (open across writes, closed by close())
        except OSError:
            self._limit = float("inf")  # no temporary folder: keep everything in memory, ask once
            return
        self._file = spooled
        for part in self._parts:
            self._file_write(part)
        self._parts, self._held = [], 0

    def _file_write(self, text: str) -> None:
        assert self._file is not None
        try:
            self._file.write(text)
        except OSError as exc:
            raise SpoolError(f"cannot hold the output in a temporary file: {exc.strerror}") from None

    def pieces(self) -> Iterator[str]:
        """Everything written, in order, in pieces of at most about COPY_PIECE characters from the file."""
        if self._file is None:
            yield from self._parts
            return
        try:
            self._file.flush()
            self._file.seek(0)
            while True:
                piece = self._file.read(COPY_PIECE)
                if not piece:
                    return
                yield piece
        except OSError as exc:
            raise SpoolError(f"cannot read the output back from its temporary file: {exc.strerror}") from None

    def close(self) -> None:
        """Let the text go (the file is unnamed: closing it frees its space)."""
        self._parts = []
        if self._file is not None:
            self._file.close()
            self._file = None
