"""Segment profiles kept per data version, so a page view reads them instead of clustering.

Owns `<db>.segments.json`: per wave, the aggregate profiles fit_segments() describes (sizes,
shares, top options, composition, names), the areas' clusters (segments.area_clusters), and
the fingerprint of the data they came from.
It never holds who is in which segment: that was a security finding, and the Kontakt page
computes members on request. A stale or missing entry is fitted again and stored; a file
that cannot be read or written only costs the fit. Reading it needs no scikit-learn.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

import data_pipeline.store.locking as store
from data_pipeline.analysis.catalog import latest_wave, population_period
from data_pipeline.analysis.filtering import Filters
from data_pipeline.core import dialect

SUFFIX = ".segments.json"
# What the profiles are made of besides the data: a change of code or words fits again.
_CODE = (
    "analysis/segments.py",
    "analysis/segment_model.py",
    "analysis/segment_words.py",
    "analysis/gap_words.py",
    "analysis/statistics.py",
    "analysis/cells.py",
    "core/i18n.py",
    "core/words/da.po",
    "core/words/en.po",
    "analysis/filtering.py",
    "analysis/area_spread.py",
    "analysis/catalog.py",
    "analysis/counting.py",
)


def path_for(db_path: str | Path) -> Path:
    return Path(str(db_path) + SUFFIX)


def _code_version() -> str:
    digest = hashlib.sha256()
    for name in _CODE:
        digest.update((Path(__file__).resolve().parents[1] / name).read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(con: duckdb.DuckDBPyConnection, wave: str) -> str:
    """A digest of everything a wave's segments and area clusters are computed from: its
    respondents, the vocabulary, age bands, areas, postal spread and the population of its
    period (one scan of each)."""
    period = population_period(con, wave)
    row = con.execute(
        f"SELECT (SELECT count(*) || ':' || coalesce(sum({dialect.fingerprint('r')}), 0) "
        "        FROM respondent r WHERE r.wave_id = $w), "
        f"(SELECT coalesce(sum({dialect.fingerprint('v')}), 0) FROM vocabulary v), "
        f"(SELECT coalesce(sum({dialect.fingerprint('b')}), 0) FROM age_band b), "
        f"(SELECT coalesce(sum({dialect.fingerprint('a.area_code, a.name')}), 0) FROM area a), "
        f"(SELECT coalesce(sum({dialect.fingerprint('x')}), 0) FROM postal_area x), "
        f"(SELECT coalesce(sum({dialect.fingerprint('p')}), 0) FROM population p "
        "WHERE p.period = $p)",
        {"w": wave, "p": period},
    ).fetchone()
    text = "|".join(str(v) for v in (*row, _code_version()))
    return hashlib.sha256(text.encode()).hexdigest()


def _read(db_path: str | Path) -> dict:
    try:
        entries = json.loads(path_for(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return entries if isinstance(entries, dict) else {}


def _write(db_path: str | Path, entries: dict) -> None:
    """Atomically (a reader never sees half a file); a failure only costs the next fit."""
    target = path_for(db_path)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(entries, out, ensure_ascii=False)
        os.chmod(temp, os.stat(db_path).st_mode & 0o666)  # readable by whom the database is
        os.replace(temp, target)
    except OSError:
        Path(temp).unlink(missing_ok=True)


def _result(payload: dict):
    from data_pipeline.analysis.segments import SegmentResult

    profiles = []
    for entry in payload["segments"]:
        profile = dict(entry)
        profile["composition"] = pd.DataFrame.from_records(entry["composition"])
        profiles.append(profile)
    return SegmentResult(
        k=int(payload["k"]),
        silhouette={int(k): v for k, v in payload["silhouette"].items()},
        labels=pd.DataFrame({"respondent_id": pd.Series(dtype="int64"), "segment": []}),
        profiles=profiles,
    )


def _kept(con, db_path, wave, name: str, compute, encode, decode):
    """`decode(payload)` of the stored entry `name` of the wave when its fingerprint matches
    the data; else `compute()`, stored as `encode(result)` and returned through decode, so a
    stored and a fresh answer are the same."""
    key = fingerprint(con, wave)
    stored = _read(db_path).get(str(wave), {}).get(name)
    if isinstance(stored, dict) and stored.get("fingerprint") == key:
        return decode(stored["result"])
    payload = json.loads(json.dumps(encode(compute()), default=_plain))
    if store.is_local_file(db_path) and os.path.exists(db_path):
        entries = _read(db_path)
        kept = entries.get(str(wave))
        kept = {n: e for n, e in kept.items() if n != name} if isinstance(kept, dict) else {}
        entries[str(wave)] = {**kept, name: {"fingerprint": key, "result": payload}}
        _write(db_path, entries)
    return decode(payload)


def profiles(con: duckdb.DuckDBPyConnection, db_path: str | Path, wave: str | None):
    """The wave's segments (the latest wave when None) as fit_segments() gives them, without
    the members: read when stored for this data, else fitted and stored. Raises
    PipelineError when the wave has too few responses."""
    from data_pipeline.analysis.cells import InvalidInput

    wave = wave or latest_wave(con)
    if wave is None:
        raise InvalidInput("Ingen besvarelser. / No responses.")

    def compute():
        from data_pipeline.analysis.segments import fit_segments

        return fit_segments(con, Filters(wave=wave))

    return _kept(con, db_path, wave, "segments", compute, lambda r: r.to_json(), _result)


def area_clusters(con: duckdb.DuckDBPyConnection, db_path: str | Path, wave: str | None):
    """segments.area_clusters() of the wave, read when stored for this data, else computed
    and stored. Raises PipelineError when the wave has too few responses or areas."""
    from data_pipeline.analysis.cells import InvalidInput

    wave = wave or latest_wave(con)
    if wave is None:
        raise InvalidInput("Ingen besvarelser. / No responses.")

    def compute():
        from data_pipeline.analysis.segments import area_clusters as clusters

        return clusters(con, Filters(wave=wave))

    def encode(frame: pd.DataFrame) -> dict:
        return {"k": frame.attrs.get("k"), "areas": frame.to_dict(orient="records")}

    def decode(payload: dict) -> pd.DataFrame:
        frame = pd.DataFrame.from_records(payload["areas"])
        frame.attrs["k"] = payload["k"]
        return frame

    return _kept(con, db_path, wave, "area_clusters", compute, encode, decode)


def _plain(value):
    """numpy scalars in the profiles as plain numbers."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")


def store_all(con: duckdb.DuckDBPyConnection, db_path: str | Path) -> list[str]:
    """Fit and store the segments of every wave with enough responses (after an import or an
    undo), so the first page view reads them. Returns the waves stored."""
    from data_pipeline.core.errors import PipelineError

    done = []
    for (wave,) in con.execute("SELECT wave_id FROM survey_wave ORDER BY wave_id").fetchall():
        try:
            profiles(con, db_path, wave)
            area_clusters(con, db_path, wave)
        except PipelineError:
            continue
        done.append(wave)
    return done
