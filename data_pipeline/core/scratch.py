"""The one private place for transient files (uploads, transcoded CSVs) and private file modes.

Owns the scratch directory (mode 0700, one per user, DELTAGELSESATLAS_TMP to move it), its
sweep at start-up and on erasure, and `make_private` (0600) for the database, its snapshot and
key. Nothing here reads file contents; a file in scratch lives for one load at most.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path

# An upload nobody loaded within this time was abandoned (the browser closed); a SIGKILLed
# load leaves its transcoded copy behind. Both are swept at start-up and on each new upload.
ABANDONED_AFTER_S = 2 * 3600


class UnsafeScratch(OSError):
    """The scratch directory exists but is not ours or is open to others."""


def scratch_root() -> Path:
    """The private directory (0700, owned by this user), created when missing."""
    configured = os.environ.get("DELTAGELSESATLAS_TMP")
    root = (
        Path(configured)
        if configured
        else Path(tempfile.gettempdir()) / (f"deltagelsesatlas-{os.getuid()}")
    )
    with contextlib.suppress(FileExistsError):  # mkdir, not exist_ok: never follow a symlink
        root.mkdir(mode=0o700, parents=False, exist_ok=False)
    info = os.lstat(root)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise UnsafeScratch(
            "Den midlertidige mappe er ikke vores (symlink eller en anden ejer). / "
            "The scratch directory is not ours (a symlink or another owner)."
        )
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(root, 0o700)
    return root


def scratch_dir(prefix: str) -> Path:
    """A fresh private directory for one upload (mkdtemp creates it 0700)."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir=scratch_root()))


def scratch_file(suffix: str) -> tuple[int, Path]:
    """A fresh private file (mkstemp: O_EXCL, 0600) and its open descriptor."""
    handle, name = tempfile.mkstemp(suffix=suffix, dir=scratch_root())
    return handle, Path(name)


def remove(path: str | Path | None) -> None:
    """Delete a scratch file or directory; a missing one is fine."""
    if path is None:
        return
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def sweep(older_than_s: float = ABANDONED_AFTER_S) -> int:
    """Remove everything in scratch older than `older_than_s` (0: everything); how many."""
    root = scratch_root()
    cutoff = time.time() - older_than_s
    removed = 0
    for entry in root.iterdir():
        try:
            if older_than_s and entry.lstat().st_mtime > cutoff:
                continue
        except FileNotFoundError:
            continue
        remove(entry)
        removed += 1
    return removed


def make_private(*paths: str | Path) -> None:
    """Mode 0600 for files that hold personal data (database, snapshot, WAL, key)."""
    for path in paths:
        try:
            if stat.S_IMODE(os.stat(path).st_mode) != 0o600:
                os.chmod(path, 0o600)
        except FileNotFoundError:
            continue
