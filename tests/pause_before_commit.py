"""Run the CLI with a pause between a load's last insert and its COMMIT (crash tests).

    python tests/pause_before_commit.py SECONDS ingest FILE --db PATH ...

Prints PAUSED-BEFORE-COMMIT when every row is inserted but not committed, then sleeps, so a
test can SIGKILL the process at exactly that moment or hold the write lock for a while. The
pause is registered through the batch core's `BEFORE_COMMIT` seam; product code reads no test
switch.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import data_pipeline.store.batch as batch  # noqa: E402
from data_pipeline.cli.main import main  # noqa: E402


def command(seconds: float) -> list[str]:
    """The argv prefix that starts the CLI with this pause."""
    return [sys.executable, str(Path(__file__).resolve()), str(seconds)]


def _pause(seconds: float) -> None:
    print("PAUSED-BEFORE-COMMIT", flush=True)
    time.sleep(seconds)


if __name__ == "__main__":
    pause = float(sys.argv[1])
    batch.BEFORE_COMMIT.append(lambda: _pause(pause))
    raise SystemExit(main(sys.argv[2:]))
