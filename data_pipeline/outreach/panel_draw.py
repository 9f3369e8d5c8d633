"""Panels: the draw (issue 17). The fair distribution over panels (Sortition Foundation's
`sortition-algorithms`, maximin with HiGHS, in outreach.panel_solve), the lottery over it with
a seed, and the reserve list drawn from the same lottery. Ids and background only: contact data
never reaches the solver.
"""

from __future__ import annotations

import secrets

import duckdb
import numpy as np
import pandas as pd

from data_pipeline.core.i18n import t
from data_pipeline.outreach.panel import refusal
from data_pipeline.outreach.panel_model import (
    FEATURES,
    PanelDraw,
    PanelPlan,
    Quota,
    QuotasNotMet,
)
from data_pipeline.privacy.roles import Principal, require_role

# --- the draw --------------------------------------------------------------------------------


def _solve(pool: pd.DataFrame, quotas: list[Quota], size: int):
    """The fair distribution over panels for this pool and these quotas (sortition-algorithms,
    solved in a child process with a fixed hash seed so that it is the same in every process)."""
    from data_pipeline.outreach.panel_solve import Infeasible, solve_maximin

    people = [
        (int(row.respondent_id), {f: str(getattr(row, f)) for f in FEATURES})
        for row in pool.itertuples(index=False)
    ]
    limits = [{"feature": q.feature, "value": q.value, "min": q.min, "max": q.max} for q in quotas]
    try:
        committees, probabilities = solve_maximin(people, limits, size)
    except Infeasible as exc:
        raise QuotasNotMet(
            "Kvoterne kan ikke opfyldes samtidig af denne gruppe (fx mangler der unge kvinder i "
            "et bestemt område). Løsn en kvote (alder, køn eller område). / The quotas cannot "
            "be met together by this pool. Relax one quota (age, gender or area)."
        ) from exc
    weights = np.clip(np.array(probabilities, dtype=float), 0, None)
    weights /= weights.sum()
    marginal = dict.fromkeys((int(i) for i in pool["respondent_id"]), 0.0)
    for committee, weight in zip(committees, weights, strict=True):
        for person in committee:
            marginal[person] += float(weight)
    return committees, weights, marginal


def draw_panel(
    con: duckdb.DuckDBPyConnection,
    principal: Principal,
    plan: PanelPlan,
    seed: int | None = None,
    lang: str = "da",
) -> PanelDraw:
    """Draw the panel and its reserve list. The same plan and seed give the same draw."""
    require_role(principal, "draw_panel")
    stop = refusal(plan, lang)
    if stop:
        raise QuotasNotMet(stop, plan.shortfalls)
    seed = int(seed) if seed is not None else secrets.randbelow(1_000_000) + 1
    distribution = _distribution(plan)
    committees, weights, marginal = distribution
    rng = np.random.default_rng(seed)
    invited = committees[int(rng.choice(len(committees), p=weights))]
    reserve, note = _draw_reserve(plan, invited, rng, lang)
    return PanelDraw(plan, seed, invited, reserve, marginal, note)


def _distribution(plan: PanelPlan):
    if plan.solved is None:  # one solve per plan; another seed reuses it
        plan.solved = _solve(plan.pool, plan.quotas, plan.request.size)
    return plan.solved


def _draw_reserve(plan: PanelPlan, invited: list[int], rng, lang: str):
    """The reserve list, drawn the same way: further panels from the same lottery, whose
    members not yet invited join the list in the order drawn, until it is long enough. So the
    reserve leans the way the quotas do, and each further panel costs no new solve."""
    size = min(plan.request.reserve_size, len(plan.pool) - len(invited))
    committees, weights, _marginal = _distribution(plan)
    taken, reserve = set(invited), []
    for _ in range(200):
        if len(reserve) >= size:
            break
        extra = committees[int(rng.choice(len(committees), p=weights))]
        for person in rng.permutation(np.array(extra, dtype="int64")):
            if int(person) not in taken and len(reserve) < size:
                taken.add(int(person))
                reserve.append(int(person))
    note = ""
    if len(reserve) < size:  # the lottery keeps giving the same people: fill at random
        rest = [int(i) for i in plan.pool["respondent_id"] if int(i) not in taken]
        reserve += [
            int(i) for i in rng.permutation(np.array(rest, dtype="int64"))[: size - len(reserve)]
        ]
        note = t("panel.reserve_random", lang)
    return reserve, note
