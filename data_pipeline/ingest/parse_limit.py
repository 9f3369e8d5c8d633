"""Reading an input file under a time limit, in a child process that is killed when it passes.

A file can be small and still take minutes to parse (issue 13, finding 11), holding the write
lock. Every load path (CLI, Upload page, scheduled imports, the preview) reads through
`read_table_within`; the child runs readers.read_table and hands back the RawTable, so a file
that takes too long stops using CPU the moment it is refused. Never touches the database.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

from data_pipeline.core.errors import InvalidFile, PipelineError
from data_pipeline.ingest.readers import RawTable, read_table

DEFAULT_SECONDS = 120.0
# The sample shipped with the code is read in this process: it is ours, not an upload.
SHIPPED = Path(__file__).resolve().parents[2] / "sample_data"


def parse_seconds() -> float:
    """The limit for reading one file (DELTAGELSESATLAS_PARSE_SECONDS, default 120; 0 or less
    reads in this process without a limit)."""
    raw = os.environ.get("DELTAGELSESATLAS_PARSE_SECONDS", "").strip()
    try:
        return float(raw) if raw else DEFAULT_SECONDS
    except ValueError:
        return DEFAULT_SECONDS


class ParseTimeout(InvalidFile):
    """Reading the file took longer than the limit; the child was killed, nothing loaded."""


def _seconds_text(seconds: float) -> str:
    return f"{seconds:g}".replace(".", ",")


def read_table_within(path: str | Path, seconds: float | None = None) -> RawTable:
    """readers.read_table(path), or ParseTimeout when reading takes longer than `seconds`."""
    seconds = parse_seconds() if seconds is None else seconds
    if seconds <= 0 or Path(path).resolve().is_relative_to(SHIPPED):
        return read_table(Path(path))
    # A fresh interpreter (not a fork: the app's and DuckDB's threads would be copied
    # mid-lock); it costs ~0.3 s of CPU importing the readers, next to seconds of parsing.
    try:
        done = subprocess.run(
            [sys.executable, "-m", "data_pipeline.ingest.parse_limit", str(Path(path).resolve())],
            capture_output=True,
            cwd=Path(__file__).resolve().parents[2],  # where `-m data_pipeline` is found
            timeout=seconds,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:  # subprocess.run has killed the child
        raise ParseTimeout(
            f"Filen tog mere end {_seconds_text(seconds)} sekunder at læse og er afvist; intet "
            f"er indlæst. / Reading the file took more than {seconds:g} seconds; it was refused "
            "and nothing was loaded."
        ) from exc
    if done.returncode != 0 or not done.stdout:  # killed for memory, or a reader crashed
        raise InvalidFile("Filen kunne ikke læses. / The file could not be read.")
    status, value = pickle.loads(done.stdout)  # noqa: S301 (our own child)
    if status == "error":
        raise value
    return value


def _child(path: str) -> None:
    try:
        result = ("ok", read_table(Path(path)))
    except PipelineError as exc:  # refusals travel back as they are (messages are scrubbed)
        result = ("error", exc)
    try:
        data = pickle.dumps(result, protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError):
        data = pickle.dumps(("error", InvalidFile(str(result[1]))), protocol=5)
    sys.stdout.buffer.write(data)


if __name__ == "__main__":
    _child(sys.argv[1])
