"""Disclosure control and pseudonyms: the one place that decides what may be published.

Small-cell suppression (k, never below 3) with the complement rule and secondary suppression
against differencing; keyed pseudonyms for platform users. Never logs values it protects.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

from data_pipeline.core.errors import DatabaseError
from data_pipeline.core.numbers import count

DEFAULT_K = 5
MIN_K = 3
EPS = 1e-9  # counts may be fractional (postal codes spread over areas)


def check_k(k: int | None) -> int:
    """k is configurable but never below 3: below that, single people become visible."""
    k = DEFAULT_K if k is None else int(k)
    if k < MIN_K:
        raise ValueError(f"k skal være mindst {MIN_K} / k must be at least {MIN_K}")
    return k


def suppressed_label(k: int) -> str:
    return f"<{k}"


def suppression_mask(
    counts: pd.Series,
    k: int = DEFAULT_K,
    total: float | None = None,
    groups: pd.Series | None = None,
    additive: bool = True,
    hidden: pd.Series | np.ndarray | None = None,
) -> pd.Series:
    """True where a count must not be published.

    1. Primary: a count below k (zero included: a published 0 tells that nobody answered).
    2. Complement: a count N shown with its parent total T needs T - N >= k as well.
    3. Secondary: when a group holds exactly one suppressed cell and its total is published,
       the total minus the others would reveal it, so the next-smallest cell is hidden too.
       `additive=False` skips this for cells that do not add up to a total (multi-select).
    `hidden` marks cells already withheld for another reason (differencing_mask); they count
    as suppressed before the secondary step, so it protects them too.
    """
    k = check_k(k)
    values = counts.astype(float).fillna(0)
    mask = values < k
    if hidden is not None:
        mask |= pd.Series(np.asarray(hidden, dtype=bool), index=counts.index)
    if total is not None:
        mask |= (total - values) < k
    if not additive:
        return mask
    group_keys = groups if groups is not None else pd.Series(0, index=counts.index)
    for _, index in group_keys.groupby(group_keys, sort=False).groups.items():
        cells = values.loc[index]
        hidden = mask.loc[index]
        if hidden.sum() == 1 and len(cells) > 1:
            candidates = cells[~hidden]
            mask.loc[candidates.idxmin()] = True
    return mask


def suppress_table(
    frame: pd.DataFrame,
    count_column: str,
    k: int = DEFAULT_K,
    total: float | None = None,
    group_column: str | None = None,
    dependent_columns: tuple[str, ...] = (),
    additive: bool = True,
    hidden: pd.Series | np.ndarray | None = None,
) -> pd.DataFrame:
    """Mark and blank out cells that may not be shown; dependent shares/rates go with them."""
    groups = frame[group_column] if group_column else None
    mask = suppression_mask(frame[count_column], k, total, groups, additive, hidden)
    hide = mask.to_numpy()
    blanked = {}
    for column in (count_column, *dependent_columns):
        if column in frame and column not in blanked:
            # numpy per column and one assign: a where() per column was a tenth of a Grupper rerun.
            values = frame[column].astype(float).to_numpy(copy=True)
            values[hide] = np.nan
            blanked[column] = values
    return frame.assign(**blanked, suppressed=hide)


def display_count(value: float | None, suppressed: bool, k: int = DEFAULT_K) -> str:
    """How a count is printed: "<5" when hidden, never 0 or blank."""
    if suppressed or value is None or (isinstance(value, float) and np.isnan(value)):
        return suppressed_label(k)
    return count(value)


def is_publishable(count: float | None, total: float | None = None, k: int = DEFAULT_K) -> bool:
    """One headline number: may N be shown (next to its parent total T, if given)?"""
    k = check_k(k)
    if count is None or count < k:
        return False
    return total is None or total - count >= k or total == count


def survives_differencing(count: float, complements, k: int = DEFAULT_K) -> bool:
    """May the count under a filter be shown next to every count one change of the filter
    gives? (protection at the level of the filter, not only of the cell)

    A user can drop one chosen value of a field, or drop the field's filter. For each narrowed
    field the difference to those counts must be 0 or at least k:
    1. with two or more values chosen, each chosen value's own count (dropping it);
    2. the count without this field's filter minus this count (dropping the field; this also
       covers "every value but one" against no filter at all, checked on the narrower count).
    A field left open is never checked here: its counts are the wider ones of rule 2.
    Each pair of counts one change apart thus has its narrower or wider side hidden.
    """
    k = check_k(k)

    def risky(value: float) -> bool:
        return EPS < value < k - EPS

    for complement in complements:
        if len(complement.chosen) >= 2 and any(risky(c) for c in complement.cells.values()):
            return False
        if risky(complement.without - count):
            return False
    return True


def pseudonym_key(db_path: str | None) -> bytes:
    """The key lives outside the database: env var, else a file beside it (created once)."""
    env = os.environ.get("DELTAGELSESATLAS_PSEUDONYM_KEY")
    if env:
        return env.encode("utf-8")
    if not db_path or db_path == ":memory:":
        return b"deltagelsesatlas-in-memory"
    key_file = Path(f"{db_path}.key")
    if key_file.is_symlink():  # a key someone else can choose would undo the pseudonyms
        raise DatabaseError(
            "Nøglefilen er et symbolsk link; den skal være en almindelig fil. / "
            "The key file is a symbolic link; it must be a regular file."
        )
    try:
        # O_EXCL: never through a planted symlink, never over a key another process just wrote;
        # 0600 from the first byte (a write-then-chmod leaves a window).
        handle = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32))
    return key_file.read_text(encoding="ascii").strip().encode("ascii")


def pseudonym(key: bytes, value: str) -> str:
    """A keyed, stable pseudonym: the same user links up, but no one can reverse it."""
    if not value:
        return ""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:24]
