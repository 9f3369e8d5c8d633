"""Panels: from who is missing to who we invite (issue 17). A stratified lottery over consenting
citizens, with quotas from the population, fair selection probabilities and a reserve list.

Owns the pool query (ids and age band, gender, area only), the quotas, the feasibility sentences,
the draw (Sortition Foundation's `sortition-algorithms`, maximin with HiGHS) and the record of
who was invited. Contact data is read only when the file is built, through outreach's consent
query and the safe writers; it never reaches the audit log, an error, the solver or a log line.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd

from data_pipeline.analysis.catalog import latest_wave, population_period
from data_pipeline.analysis.filtering import Filters, population_where
from data_pipeline.core.disclosure import DEFAULT_K, is_publishable
from data_pipeline.core.errors import PipelineError
from data_pipeline.core.group_words import UNKNOWN, group_words
from data_pipeline.core.i18n import number, percent, t, tn
from data_pipeline.privacy.roles import Principal, require_role
from data_pipeline.store.db import audit, transaction

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
        where += " AND r.area_code IN (SELECT unnest($areas))"
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


# --- export and the record of who was invited ----------------------------------------------


@dataclass
class PanelExport:
    data: bytes
    file_format: str
    rows: int
    sha256: str
    draw_id: int


def export_segment(drawn: PanelDraw, draw_id: int | None = None):
    """The contact export's segment for a draw: its wave and topic, narrowed to the ids drawn
    (the export checks consent again); the label names the draw in the audit log."""
    from data_pipeline.outreach.contacts import Segment

    plan = drawn.plan
    label = f"panel {draw_id or ''}: {plan.request.topic}, seed {drawn.seed}".replace("  ", " ")
    filters = Filters(wave=plan.wave, topics=(plan.request.topic,))
    return Segment(filters=filters, respondent_ids=(*drawn.invited, *drawn.reserve), label=label)


def record_draw(
    con: duckdb.DuckDBPyConnection,
    principal: Principal,
    drawn: PanelDraw,
    reason: str,
    exported: dict | None = None,
    people: set[int] | None = None,
) -> int:
    """Record who was invited (ids, for the recent-invitation rule) and audit the draw: who,
    when, why, topic, quotas, seed, rows (and the file's sha256 when it is known here)."""
    from data_pipeline.outreach.contacts import check_reason

    require_role(principal, "draw_panel")
    reason = check_reason(reason)
    plan = drawn.plan
    now = datetime.now(UTC).replace(tzinfo=None)
    keep = people if people is not None else {*drawn.invited, *drawn.reserve}
    summary = drawn.probability_summary()
    with transaction(con):
        draw_id = con.execute("SELECT coalesce(max(draw_id), 0) + 1 FROM panel_draw").fetchone()[0]
        detail = {
            "draw_id": draw_id,
            "reason": reason,
            "wave": plan.wave,
            "topic": plan.request.topic,
            "areas": list(plan.request.areas),
            "formats": list(plan.request.formats),
            "size": plan.request.size,
            "reserve": len(drawn.reserve),
            "seed": drawn.seed,
            "algorithm": ALGORITHM,
            "relaxed": list(plan.request.relax),
            "quotas": [
                {"feature": q.feature, "value": q.value, "min": q.min, "max": q.max}
                for q in plan.quotas
            ],
            "pool": len(plan.pool),
            "probability": {k: round(v, 4) for k, v in summary.items()},
            "rows": len(keep),
            **(exported or {}),
        }
        con.execute(
            "INSERT INTO panel_draw VALUES ($id, $at, $actor, $topic, $size, $seed, $detail)",
            {
                "id": draw_id,
                "at": now,
                "actor": principal.actor,
                "topic": plan.request.topic,
                "size": plan.request.size,
                "seed": drawn.seed,
                "detail": _json(detail),
            },
        )
        rows = [(draw_id, rid, "invited", None, now) for rid in drawn.invited if rid in keep]
        rows += [
            (draw_id, rid, "reserve", rank, now)
            for rank, rid in enumerate(drawn.reserve, start=1)
            if rid in keep
        ]
        if rows:
            con.executemany(
                "INSERT INTO panel_invitation (draw_id, respondent_id, role, reserve_rank, "
                "invited_at) VALUES (?, ?, ?, ?, ?)",
                rows,
            )
        audit(con, principal.actor, "draw_panel", detail)
    return int(draw_id)


def export_panel(
    con: duckdb.DuckDBPyConnection,
    principal: Principal,
    drawn: PanelDraw,
    reason: str,
    file_format: str,
    lang: str = "da",
) -> PanelExport:
    """The contact file of the invited and the reserve, built by the contact export's consent
    query and safe writers with a column saying who is invited and who is reserve number n;
    then the draw is recorded with the file's rows and sha256. No contact data in the audit."""
    from data_pipeline.core.safe_export import csv_bytes, xlsx_bytes
    from data_pipeline.outreach.contacts import FORMATS, check_reason, consenting_contacts

    require_role(principal, "export_contacts")
    require_role(principal, "draw_panel")
    reason = check_reason(reason)
    if file_format not in FORMATS:
        raise QuotasNotMet(f"Ukendt format '{file_format}'. / Unknown format '{file_format}'.")
    ids = [*drawn.invited, *drawn.reserve]
    frame = consenting_contacts(con, principal, export_segment(drawn), lang)  # consent, now
    place = {rid: t("panel.col_invited", lang) for rid in drawn.invited}
    for rank, rid in enumerate(drawn.reserve, start=1):
        place[rid] = t("panel.col_reserve", lang, rank=rank)
    order = {rid: i for i, rid in enumerate(ids)}
    id_col = frame.columns[0]
    frame.insert(1, t("panel.col_place", lang), frame[id_col].map(lambda r: place.get(int(r), "")))
    frame = frame.sort_values(id_col, key=lambda s: s.map(lambda r: order.get(int(r), 0)))
    frame = frame.reset_index(drop=True)
    data = csv_bytes(frame, lang=lang) if file_format == "csv" else xlsx_bytes(frame, "Panel")
    sha = hashlib.sha256(data).hexdigest()
    exported = {int(r) for r in frame[id_col]}
    file_info = {"rows": len(frame), "format": file_format, "sha256": sha}
    draw_id = record_draw(con, principal, drawn, reason, file_info, exported)
    return PanelExport(data, file_format, len(frame), sha, draw_id)


def _json(detail: dict) -> str:
    import json

    return json.dumps(detail, ensure_ascii=False)


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
