"""One writer at a time across processes, and a published snapshot for the dashboard.

DuckDB lets one process open a file read-write, and no other process may then open it at all.
So the dashboard never keeps the database file open: it reads `<db>.snapshot`, a byte copy
that writers publish under the lock, and every writer (CLI import, the app's own writes,
erasure) opens the file only for as long as it writes. See docs/CONCURRENCY.md.

- The lock is `fcntl.flock` on `<db>.lock` (exclusive for writers, shared for read-only
  opens), taken by `data_pipeline.store.db.connect`. It is counted per process and path, so one
  process may nest holds; the file lock goes when the last hold of the process is released.
  A process that dies loses its lock with it.
- A second writer waits up to `DELTAGELSESATLAS_LOCK_TIMEOUT` seconds (default 600), then
  refuses with DatabaseError (exit code 2).
- When the last exclusive hold of a process ends and the database file changed, the snapshot
  is published again, if there is one (the dashboard creates it; CLI-only use pays nothing):
  copied to a temporary file, fsynced, then atomically renamed over `<db>.snapshot`.

Never imports streamlit.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from data_pipeline.core.errors import DatabaseError

TIMEOUT_ENV = "DELTAGELSESATLAS_LOCK_TIMEOUT"
DEFAULT_TIMEOUT = 600.0
SNAPSHOT_SUFFIX = ".snapshot"
LOCK_SUFFIX = ".lock"
_POLL_FIRST, _POLL_MAX = 0.02, 0.5


def lock_timeout() -> float:
    """Seconds a writer waits for another; from the environment, default 600."""
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0:
        raise DatabaseError(
            f"{TIMEOUT_ENV} skal være et antal sekunder (0 eller mere), ikke {raw!r}. / "
            f"{TIMEOUT_ENV} must be a number of seconds (0 or more), not {raw!r}."
        )
    return value


def is_local_file(path: str | Path) -> bool:
    """A database on this machine's file system (not :memory:, not MotherDuck or a URL)."""
    text = str(path)
    return bool(text) and not text.startswith(":memory:") and ":" not in text.split("/")[0]


def _key(path: str | Path) -> str:
    return os.path.realpath(str(path))


def lock_path(path: str | Path) -> Path:
    return Path(_key(path) + LOCK_SUFFIX)


def snapshot_path(path: str | Path) -> Path:
    return Path(_key(path) + SNAPSHOT_SUFFIX)


def wal_path(path: str | Path) -> Path:
    return Path(_key(path) + ".wal")


# --- the lock ---------------------------------------------------------------------------------


@dataclass
class _PathState:
    mutex: threading.RLock = field(default_factory=threading.RLock)
    fd: int | None = None
    exclusive: bool = False
    count: int = 0
    stamp: tuple | None = None  # the database file as it was when the lock was taken


_STATES: dict[str, _PathState] = {}
_STATES_GUARD = threading.Lock()
_WAITED = {"seconds": 0.0}


def waited_seconds() -> float:
    """How long this process has waited for other writers so far."""
    return _WAITED["seconds"]


def _state(key: str) -> _PathState:
    with _STATES_GUARD:
        return _STATES.setdefault(key, _PathState())


def _timeout_error(path: str, timeout: float) -> DatabaseError:
    return DatabaseError(
        f"Databasen {path} var optaget af en anden skrivning i mere end {timeout:g} s "
        f"({TIMEOUT_ENV}); prøv igen senere. / The database {path} was busy with another write "
        f"for more than {timeout:g} s ({TIMEOUT_ENV}); try again later."
    )


def _open_lock_file(key: str) -> int:
    name = key + LOCK_SUFFIX
    try:
        return os.open(name, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError:
        return os.open(name, os.O_RDONLY)  # flock needs no write access


def _flock(fd: int, exclusive: bool, deadline: float | None, path: str, timeout: float) -> None:
    """Take the file lock, polling until the deadline (None: try once)."""
    operation = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    pause = _POLL_FIRST
    while True:
        try:
            fcntl.flock(fd, operation)
            return
        except BlockingIOError:
            if deadline is None or time.monotonic() >= deadline:
                raise _timeout_error(path, timeout) from None
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, _POLL_MAX)


def _file_stamp(key: str) -> tuple | None:
    try:
        info = os.stat(key)
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


class Hold:
    """One hold on a database's lock; `release()` once (also via `with`)."""

    def __init__(self, key: str, exclusive: bool):
        self.key, self.exclusive, self._released = key, exclusive, False

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        _release(self.key)

    def __enter__(self) -> Hold:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def acquire(
    path: str | Path, exclusive: bool = True, timeout: float | None = None, only_first=False
) -> Hold:
    """Take the database's lock (waiting up to the timeout) and return the hold.

    Reentrant in a process: a second hold only counts up (a shared hold becomes exclusive if
    asked). `only_first` refuses (DatabaseError) unless this process holds nothing yet.
    """
    key = _key(path)
    timeout = lock_timeout() if timeout is None else timeout
    started = time.monotonic()
    deadline = started + timeout if timeout > 0 else None
    state = _state(key)
    got = state.mutex.acquire(timeout=timeout) if timeout > 0 else state.mutex.acquire(False)
    if not got:
        raise _timeout_error(str(path), timeout)
    try:
        if only_first and state.count:
            raise _timeout_error(str(path), timeout)
        if state.count == 0:
            fd = _open_lock_file(key)
            try:
                _flock(fd, exclusive, deadline, str(path), timeout)
            except BaseException:
                os.close(fd)
                raise
            state.fd, state.exclusive, state.stamp = fd, exclusive, _file_stamp(key)
        elif exclusive and not state.exclusive:
            try:
                _flock(state.fd, True, deadline, str(path), timeout)
            except BaseException:
                fcntl.flock(state.fd, fcntl.LOCK_SH)  # a failed conversion may drop the lock
                raise
            state.exclusive = True
        state.count += 1
    finally:
        state.mutex.release()
    waited = time.monotonic() - started
    if waited >= 0.05:
        _WAITED["seconds"] += waited
    return Hold(key, exclusive)


def _release(key: str) -> None:
    state = _state(key)
    with state.mutex:
        if state.count == 0:
            return
        if state.count == 1:
            try:
                if state.exclusive and _changed(key, state.stamp):
                    _publish_quietly(key)
            finally:
                fd, state.fd, state.count, state.stamp = state.fd, None, 0, None
                state.exclusive = False
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            return
        state.count -= 1


@contextmanager
def hold(path: str | Path, exclusive: bool = True, timeout: float | None = None) -> Iterator[Hold]:
    """`with hold(db):` keeps other writers out for the whole block (e.g. erase + rewrite)."""
    held = acquire(path, exclusive=exclusive, timeout=timeout)
    try:
        yield held
    finally:
        held.release()


# --- the snapshot -----------------------------------------------------------------------------


def snapshot_version(path: str | Path) -> tuple[int, int] | None:
    """(inode, mtime_ns) of the published snapshot; a new publication changes the inode."""
    try:
        info = os.stat(snapshot_path(path))
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_mtime_ns)


def snapshot_is_current(path: str | Path) -> bool:
    """The snapshot exists and is a copy of the database file as it is now."""
    key = _key(path)
    try:
        main, snap = os.stat(key), os.stat(key + SNAPSHOT_SUFFIX)
    except FileNotFoundError:
        return False
    return (
        not os.path.exists(key + ".wal")
        and main.st_size == snap.st_size
        and main.st_mtime_ns == snap.st_mtime_ns
    )


def _changed(key: str, stamp: tuple | None) -> bool:
    if not os.path.exists(key + SNAPSHOT_SUFFIX):
        return False  # nobody reads a snapshot of this database
    return _file_stamp(key) != stamp or not snapshot_is_current(key)


def publish(path: str | Path) -> float:
    """Copy the database file to its snapshot; the caller holds the exclusive lock.

    Returns the seconds the copy took. A WAL left behind (a writer that died) is checkpointed
    first, so the copy holds every committed row.
    """
    import duckdb

    key = _key(path)
    started = time.monotonic()
    if os.path.exists(key + ".wal"):
        con = duckdb.connect(key)
        try:
            con.execute("CHECKPOINT")
        finally:
            con.close()
    main = Path(key)
    _remove_leftovers(main)
    temp = main.with_name(f".{main.name}{SNAPSHOT_SUFFIX}-{os.getpid()}-{threading.get_ident()}")
    try:
        shutil.copyfile(main, temp)
        shutil.copymode(main, temp)
        info = os.stat(main)
        os.utime(temp, ns=(info.st_atime_ns, info.st_mtime_ns))  # the version it copies
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, key + SNAPSHOT_SUFFIX)
        _fsync_directory(main.parent)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return time.monotonic() - started


def _remove_leftovers(main: Path) -> None:
    """Half-written copies of a publisher that died (they may hold erased rows)."""
    for leftover in main.parent.glob(f".{main.name}{SNAPSHOT_SUFFIX}-*"):
        leftover.unlink(missing_ok=True)


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _publish_quietly(key: str) -> None:
    """A write already committed must not fail because its copy failed: say so, and remove
    the old snapshot rather than leave one behind that may hold erased rows."""
    try:
        publish(key)
    except Exception as exc:  # noqa: BLE001 - reported, and the reader republishes
        Path(key + SNAPSHOT_SUFFIX).unlink(missing_ok=True)
        print(
            "Øjebliksbilledet til dashboardet kunne ikke opdateres; det bygges igen ved næste "
            f"visning. / The dashboard snapshot could not be updated ({type(exc).__name__}); "
            "it is rebuilt on the next page view.",
            file=sys.stderr,
        )


def ensure_snapshot(path: str | Path, wait: bool) -> tuple[int, int] | None:
    """For the reader: publish the snapshot if it is missing or behind the file.

    With `wait` False a busy lock means "keep reading the snapshot there is"; with `wait` True
    (no snapshot yet) the reader waits for the writer like any writer would. Returns the
    snapshot's version, or None when the database file does not exist.
    """
    key = _key(path)
    if not os.path.exists(key):
        return None
    if snapshot_is_current(key):
        return snapshot_version(key)
    try:
        # Waiting (no snapshot yet) may share a hold this process has; a quick look may not,
        # because another thread of this process could be writing.
        held = acquire(key, exclusive=True, timeout=None if wait else 0, only_first=not wait)
    except DatabaseError:
        if wait:
            raise
        return snapshot_version(key)
    try:
        if os.path.exists(key) and not snapshot_is_current(key):
            publish(key)
    except Exception as exc:
        if wait or snapshot_version(key) is None:
            raise DatabaseError(
                f"Kan ikke lave et øjebliksbillede af {path} / Cannot snapshot {path}: "
                f"{type(exc).__name__}"
            ) from exc
    finally:
        held.release()
    return snapshot_version(key)
