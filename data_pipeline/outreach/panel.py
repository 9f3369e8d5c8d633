"""Panels: from who is missing to who we invite (issue 17). A stratified lottery over consenting
citizens, with quotas from the population, fair selection probabilities and a reserve list.

Owns the plan: the pool query (ids and age band, gender, area only), the quotas from the
population, their relaxation and the feasibility sentences that stop a draw. The data types
live in outreach.panel_model, the draw in outreach.panel_draw, the record of who was invited and
the contact file in outreach.panel_record.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import duckdb
import pandas as pd

from data_pipeline.analysis.catalog import latest_wave, population_period
from data_pipeline.analysis.filtering import Filters, population_where
from data_pipeline.core import dialect
from data_pipeline.core.disclosure import DEFAULT_K, is_publishable
from data_pipeline.core.group_words import UNKNOWN, group_words
from data_pipeline.core.i18n import number, percent, t, tn
from data_pipeline.outreach.panel_model import (
    FEATURES,
    TOLERANCE,
    PanelPlan,
    PanelRequest,
    Quota,
    QuotasNotMet,
    Shortfall,
)
from data_pipeline.privacy.roles import Principal, require_role

# --- the pool and the quotas ---------------------------------------------------------------


def _pool(con, wave: str, request: PanelRequest) -> pd.DataFrame:
    """Consenting, non-withdrawn citizens who chose the topic: the same consent rule as the
    contact export (outreach), and only ids and background leave the query."""
    from data_pipeline.outreach.contacts import Segment, segment_sql

    filters = Filters(
        wave=wave, topics=(request.topic,), areas=request.areas, formats=request.formats
    )
    sql, params = segment_sql(con, Segment(filters=filters))
    frame = con.execute(
        f"SELECT DISTINCT r.respondent_id, coalesce(r.age_band, '{UNKNOWN}') AS age_band, "  # noqa: S608
        f"r.gender, coalesce(r.area_code, '{UNKNOWN}') AS area {sql} ORDER BY r.respondent_id",
        params,
    ).df()
    frame["respondent_id"] = frame["respondent_id"].astype("int64")
    return frame


def _recently_invited(con, days: int) -> set[int]:
    known = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'panel_invitation' "
        "AND database_name = current_database()"
    ).fetchone()[0]
    if not known:  # read through a snapshot taken before schema version 3: nobody yet
        return set()
    since = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=int(days))
    rows = con.execute(
        "SELECT DISTINCT respondent_id FROM panel_invitation "
        "WHERE role = 'invited' AND invited_at >= $since",
        {"since": since},
    ).fetchall()
    return {int(r[0]) for r in rows}


def population_shares(con, wave: str, areas: tuple[str, ...]) -> dict[str, dict[str, float]]:
    """Each background value's share of the population 15+ (in the chosen areas)."""
    period = population_period(con, wave)
    if period is None:
        raise QuotasNotMet(
            "Der er ingen befolkningstal i databasen, så kvoterne kan ikke sættes. Indlæs "
            "befolkningstal fra Danmarks Statistik. / There are no population figures, so the "
            "quotas cannot be set. Load population figures from Statistics Denmark."
        )
    where = population_where(Filters(areas=areas))
    shares: dict[str, dict[str, float]] = {}
    for feature, column in (
        ("age_band", "b.label"),
        ("gender", "p.gender"),
        ("area", "p.area_code"),
    ):
        rows = con.execute(
            f"SELECT {column}, sum(p.count) FROM population p JOIN age_band b "  # noqa: S608
            f"ON p.age BETWEEN b.min_age AND b.max_age WHERE p.period = $period AND {where.sql} "
            f"AND {column} IS NOT NULL GROUP BY 1",
            {"period": period, **where.params},
        ).fetchall()
        total = sum(n for _, n in rows)
        shares[feature] = {str(v): n / total for v, n in rows if total}
    return shares


def quotas_for(
    shares: dict[str, dict[str, float]],
    pool: pd.DataFrame,
    size: int,
    tolerance: float = TOLERANCE,
) -> list[Quota]:
    """target = size × population share; min = target − slack rounded down, max = target + slack
    rounded up, where slack = tolerance × target but at least one seat. A value present in the
    pool but not counted by the population (gender 'andet', an unknown area) gets 0 up to its
    share of the pool rounded up."""
    quotas = []
    for feature in FEATURES:
        counts = pool[feature].value_counts().to_dict()
        for value, share in sorted(shares.get(feature, {}).items()):
            target = size * share
            slack = max(1.0, tolerance * target)
            low = max(0, math.floor(target - slack + 1e-9))
            high = min(size, math.ceil(target + slack - 1e-9))
            quotas.append(
                Quota(feature, value, share, target, low, high, int(counts.get(value, 0)))
            )
        for value in sorted(set(counts) - set(shares.get(feature, {}))):
            # No population share to aim at: at most their share of the pool (at least 1 seat).
            high = min(size, max(1, math.ceil(size * counts[value] / len(pool))))
            quotas.append(Quota(feature, value, None, 0.0, 0, high, int(counts[value])))
    return quotas


def relax_quotas(quotas: list[Quota], features: tuple[str, ...], size: int) -> list[Quota]:
    """Loosen the chosen features: a minimum the pool cannot fill drops to what the pool holds,
    and every maximum of that feature rises by the seats so freed (at most the panel size)."""
    relaxed = []
    for feature in FEATURES:
        group = [q for q in quotas if q.feature == feature]
        if feature not in features:
            relaxed += group
            continue
        freed = sum(max(0, q.min - q.pool) for q in group)
        for q in group:
            if freed:
                relaxed.append(
                    replace(q, min=min(q.min, q.pool), max=min(size, q.max + freed), relaxed=True)
                )
            else:
                relaxed.append(q)
    return relaxed


# --- feasibility in words ------------------------------------------------------------------


def _labels(con, lang: str) -> dict[str, dict[str, str]]:
    areas = dict(con.execute("SELECT area_code, name FROM area").fetchall())
    topics = {
        code: (en if lang == "en" else da)
        for code, da, en in con.execute(
            "SELECT code, label_da, label_en FROM vocabulary WHERE kind IN ('topic', 'format')"
        ).fetchall()
    }
    return {"area": areas, "vocabulary": topics}


def _shortfall(con, plan_wave: str, request: PanelRequest, quota: Quota, lang: str) -> Shortfall:
    labels = _labels(con, lang)
    group = group_words(quota.feature, quota.value, lang, labels["area"])
    where_area = ""
    if request.areas and quota.feature != "area":
        names = ", ".join(labels["area"].get(a, a) for a in request.areas)
        where_area = t("panel.in_areas", lang, areas=names)
    topic = labels["vocabulary"].get(request.topic, request.topic).lower()
    sentence = t(
        "panel.shortfall",
        lang,
        count=number(quota.pool, lang),
        group=group,
        where=where_area,
        topic=topic,
        needed=number(quota.min, lang),
    )
    answered, formats = _group_answers(con, plan_wave, request, quota)
    if not is_publishable(answered, k=DEFAULT_K):
        hint = t("panel.hint_few", lang, k=DEFAULT_K)
        formats = []
    else:
        named = [(labels["vocabulary"].get(code, code), share) for code, share in formats]
        liked = ", ".join(f"{label} ({percent(share, lang, 0)})" for label, share in named[:3])
        hint = t("panel.hint", lang, answered=number(answered, lang), formats=liked or "–")
        formats = named
    return Shortfall(
        quota.feature, quota.value, quota.pool, quota.min, sentence, answered, formats, hint
    )


def _group_answers(con, wave: str, request: PanelRequest, quota: Quota) -> tuple[int, list]:
    """How many of the group answered at all (any topic, any consent), and which formats they
    chose, as shares of those who answered: counts only, never ids."""
    column = {"age_band": "r.age_band", "gender": "r.gender", "area": "r.area_code"}[quota.feature]
    params: dict = {"wave": wave, "value": None if quota.value == UNKNOWN else quota.value}
    where = f"r.wave_id = $wave AND {column} IS NOT DISTINCT FROM $value"
    if request.areas and quota.feature != "area":
        where += f" AND {dialect.in_list('r.area_code', 'areas')}"
        params["areas"] = list(request.areas)
    answered = con.execute(f"SELECT count(*) FROM respondent r WHERE {where}", params).fetchone()[0]  # noqa: S608
    if not answered:
        return 0, []
    rows = con.execute(
        f"SELECT f.format, count(DISTINCT r.respondent_id) FROM respondent r "  # noqa: S608
        f"JOIN respondent_format f USING (respondent_id) WHERE {where} GROUP BY 1 "
        "ORDER BY 2 DESC, 1",
        params,
    ).fetchall()
    return int(answered), [(code, n / answered) for code, n in rows]


def plan_panel(
    con: duckdb.DuckDBPyConnection, principal: Principal, request: PanelRequest, lang: str = "da"
) -> PanelPlan:
    """The pool, the quotas from the population and every quota the pool cannot fill."""
    require_role(principal, "draw_panel")
    if request.size < 1:
        raise QuotasNotMet("Panelet skal have mindst 1 plads. / The panel needs at least 1 seat.")
    for feature in request.relax:
        if feature not in FEATURES:
            raise QuotasNotMet(
                f"Kun age_band, gender eller area kan løsnes, ikke '{feature}'. / "
                f"Only age_band, gender or area can be relaxed, not '{feature}'."
            )
    wave = request.wave or latest_wave(con)
    pool = _pool(con, wave, request)
    shares = population_shares(con, wave, request.areas)
    notes = []
    recent = _recently_invited(con, request.recent_days) & set(pool["respondent_id"])
    set_aside, kept = 0, False
    if recent:
        fresh = pool[~pool["respondent_id"].isin(recent)].reset_index(drop=True)
        fresh_quotas = quotas_for(shares, fresh, request.size, request.tolerance)
        if len(fresh) >= request.size + request.reserve_size and not _unmet(fresh_quotas):
            pool, set_aside = fresh, len(recent)
            notes.append(tn("panel.recent_set_aside", set_aside, lang, days=request.recent_days))
        else:
            kept = True
            notes.append(tn("panel.recent_kept", len(recent), lang, days=request.recent_days))
    quotas = quotas_for(shares, pool, request.size, request.tolerance)
    shortfalls = [_shortfall(con, wave, request, q, lang) for q in _unmet(quotas)]
    quotas = relax_quotas(quotas, request.relax, request.size)
    if len(pool) < request.size:
        shortfalls.insert(
            0,
            Shortfall(
                "size",
                "",
                len(pool),
                request.size,
                t("panel.pool_too_small", lang, pool=number(len(pool), lang), size=request.size),
                len(pool),
            ),
        )
    return PanelPlan(request, wave, pool, quotas, shortfalls, set_aside, kept, notes)


def _unmet(quotas: list[Quota]) -> list[Quota]:
    return [q for q in quotas if q.pool < q.min]


def refusal(plan: PanelPlan, lang: str = "da") -> str | None:
    """The sentence that stops a draw, or None when the draw may go ahead."""
    blocking = [s for s in plan.shortfalls if s.feature not in plan.request.relax]
    if not blocking:
        return None
    lines = [f"{s.sentence} {s.hint}".strip() for s in blocking]
    relaxable = sorted({s.feature for s in blocking if s.feature in FEATURES})
    if relaxable:
        lines.append(t("panel.relax_hint", lang, features=" | ".join(relaxable)))
    return "\n".join(lines)
