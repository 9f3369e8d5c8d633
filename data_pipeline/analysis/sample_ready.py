"""The sample municipality's database, built ready to serve: loaded, clustered and published.

One function for every place that builds it (the app's first start, `python -m app_support.serve`
before the server listens, `init --sample`, the browser benchmark), so none of them leaves the
segment fitting to Grupper's first visitor (issue 16: 6–10 s of a first visit).
"""

from __future__ import annotations

from pathlib import Path

import data_pipeline.store.locking as store
from data_pipeline.analysis import segment_store
from data_pipeline.store.db import connect
from data_pipeline.store.sample import load_sample


def build_sample(path: str | Path) -> list | None:
    """Build the sample database at `path` under the writer lock, store its segment profiles
    and publish the snapshot. Returns load_sample's results, or None when the file already
    exists (another process built it while we waited for the lock)."""
    with store.hold(path):
        if Path(path).exists():
            return None
        con = connect(path)
        try:
            results = load_sample(con)
            segment_store.store_all(con, path)  # profiles only, never who is in which
        finally:
            con.close()
        store.publish(path)
    return results
