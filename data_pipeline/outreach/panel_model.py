"""Panels (issue 17): the words the panel modules share. The request, the quotas, the
shortfalls, the plan and the drawn panel as data types, the features and tolerances they use,
the error that stops a draw, and the quota table the page and the CLI show.

The plan is made in outreach.panel, the draw in outreach.panel_draw, and the record and the
contact file in outreach.panel_record.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data_pipeline.core.errors import PipelineError

FEATURES = ("age_band", "gender", "area")
# Maximin (Flanigan et al. 2021): the smallest selection probability in the pool is as large as
# the quotas allow. Leximin needs Gurobi (a commercial licence); Nash took three times as long on
# the sample (365 s against 115 s for 831 people); diversimax returns one panel without
# probabilities, so nobody could be told how likely they were to be drawn.
ALGORITHM = "maximin"
TOLERANCE = 0.2  # each quota: the population's share of the seats, ± 20 % (at least ± 1 seat)
RECENT_DAYS = 180  # people invited in the last 180 days are set aside when the pool allows it


class QuotasNotMet(PipelineError):
    """The pool cannot fill the quotas and no relaxation was chosen: exit code 2."""

    exit_code = 2

    def __init__(self, message: str, shortfalls: list[Shortfall] | None = None):
        super().__init__(message)
        self.shortfalls = shortfalls or []


@dataclass(frozen=True)
class PanelRequest:
    """What the coordinator asks for: a topic, a size, optionally areas and formats."""

    topic: str
    size: int
    wave: str | None = None
    areas: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    relax: tuple[str, ...] = ()
    reserve: int | None = None  # None: a quarter of the size, rounded up
    tolerance: float = TOLERANCE
    recent_days: int = RECENT_DAYS

    @property
    def reserve_size(self) -> int:
        return math.ceil(self.size / 4) if self.reserve is None else int(self.reserve)


@dataclass
class Quota:
    feature: str
    value: str
    share: float | None  # population share; None for values the population does not count
    target: float
    min: int
    max: int
    pool: int
    relaxed: bool = False


@dataclass
class Shortfall:
    """A quota the pool cannot fill, said in words, with what the group prefers instead."""

    feature: str
    value: str
    pool: int
    needed: int
    sentence: str
    answered: int
    formats: list[tuple[str, float]] = field(default_factory=list)
    hint: str = ""


@dataclass
class PanelPlan:
    """Pool and quotas before any draw. `pool` holds ids and background only."""

    request: PanelRequest
    wave: str
    pool: pd.DataFrame
    quotas: list[Quota]
    shortfalls: list[Shortfall]
    set_aside_recent: int = 0
    recent_kept: bool = False
    notes: list[str] = field(default_factory=list)
    solved: tuple | None = field(default=None, repr=False)  # the distribution, once computed

    @property
    def feasible(self) -> bool:
        return not self.shortfalls or all(s.feature in self.request.relax for s in self.shortfalls)

    def quota_table(self, lang: str = "da") -> pd.DataFrame:
        return _quota_frame(self.quotas, None, lang)


@dataclass
class PanelDraw:
    """A drawn panel: ids of the invited and the reserve, the probabilities and the seed."""

    plan: PanelPlan
    seed: int
    invited: list[int]
    reserve: list[int]
    probabilities: dict[int, float]
    reserve_note: str = ""

    def probability_summary(self) -> dict:
        values = np.array(list(self.probabilities.values()), dtype=float)
        return {
            "min": float(values.min()),
            "median": float(np.median(values)),
            "max": float(values.max()),
        }

    def comparison(self, lang: str = "da") -> pd.DataFrame:
        """Invited against the quota, the population and the pool, per quota value."""
        return _quota_frame(self.plan.quotas, self.invited_counts(), lang)

    def invited_counts(self) -> dict[tuple[str, str], int]:
        chosen = self.plan.pool[self.plan.pool["respondent_id"].isin(self.invited)]
        counts: dict[tuple[str, str], int] = {}
        for feature in FEATURES:
            for value, n in chosen[feature].value_counts().items():
                counts[(feature, value)] = int(n)
        return counts

    def meets_quotas(self) -> bool:
        counts = self.invited_counts()
        return all(q.min <= counts.get((q.feature, q.value), 0) <= q.max for q in self.plan.quotas)


# --- tables for the page and the CLI -------------------------------------------------------


def _quota_frame(quotas: list[Quota], invited: dict | None, lang: str) -> pd.DataFrame:
    rows = []
    for q in quotas:
        row = {
            "feature": q.feature,
            "value": q.value,
            "population_share": None if q.share is None else round(q.share, 4),
            "target": round(q.target, 1),
            "min": q.min,
            "max": q.max,
            "pool": q.pool,
            "relaxed": q.relaxed,
        }
        if invited is not None:
            row["invited"] = invited.get((q.feature, q.value), 0)
        rows.append(row)
    return pd.DataFrame(rows)
