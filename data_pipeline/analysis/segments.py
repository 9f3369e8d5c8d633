"""Segments: groups of respondents with similar interest profiles, and groups of areas with
similar participation gaps, found with scikit-learn KMeans and described in words.

Owns the feature encoding (bit masks read in SQL), the choice of k by silhouette and the
segment descriptions. Fetches numeric feature columns only (no names, no contact data) and
never imports streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from data_pipeline.analysis.cells import (
    BACKGROUND,
    InvalidInput,
    area_names,
    cell_counts,
    resolve_wave,
)
from data_pipeline.analysis.gap_words import describe_group, format_number
from data_pipeline.analysis.queries import (
    Filters,
    count_respondents,
    latest_wave,
    population_by_band_gender,
    where_clause,
)
from data_pipeline.analysis.statistics import add_statistics, apply_fdr
from data_pipeline.core.disclosure import DEFAULT_K

# Topics and formats carry the profile; the ordinal answers only nudge it. At full weight the
# three 0-1 scales split respondents by time and engagement instead of by interest.
ORDINAL_WEIGHT = 0.35
ORDINAL_KINDS = {"interest": "interest", "time": "time_per_month", "engagement": "engagement_level"}
# k is searched on a smaller sample than the final fit, and silhouette is scored on fewer
# points still: both are O(n·k) and O(n²) per k, and seven k's are tried.
SEARCH_SAMPLE = 20_000
SILHOUETTE_SAMPLE = 5_000
K_RANGE = range(2, 9)
# Two segments of at least k members each: with fewer answers a segment would describe a
# handful of people (and its size would publish a small count).
MIN_RESPONDENTS = 2 * DEFAULT_K


@dataclass
class SegmentResult:
    k: int
    silhouette: dict[int, float]
    labels: pd.DataFrame
    profiles: list[dict]

    def to_json(self) -> dict:
        segments = []
        for profile in self.profiles:
            entry = dict(profile)
            entry["composition"] = profile["composition"].to_dict(orient="records")
            segments.append(entry)
        return {
            "k": self.k,
            "silhouette": {str(k): v for k, v in self.silhouette.items()},
            "segments": segments,
        }


@dataclass
class _Features:
    respondent_id: np.ndarray
    binary: np.ndarray  # one column per topic, then per format (0/1)
    ordinal: np.ndarray  # interest, time, engagement as vocabulary positions, -1 unknown
    ordinal_levels: list[int]
    band: np.ndarray  # age_band sort_order, -1 unknown
    gender: np.ndarray  # 0 kvinde, 1 mand, -1 other or unknown
    options: pd.DataFrame  # kind, code, label_da, label_en per binary column

    def matrix(self) -> np.ndarray:
        levels = np.maximum(np.array(self.ordinal_levels, dtype=float) - 1, 1)
        scaled = np.where(self.ordinal >= 0, self.ordinal / levels, 0.5)
        return np.hstack([self.binary, ORDINAL_WEIGHT * scaled]).astype(np.float32)


def _options(con) -> pd.DataFrame:
    return con.execute(
        "SELECT kind, code, label_da, label_en, bit FROM vocabulary "
        "WHERE kind IN ('topic', 'format') AND bit IS NOT NULL ORDER BY kind DESC, sort_order"
    ).df()


def _load_features(con, filters: Filters) -> _Features:
    """One scan: bits of the masks, ordinal positions and the background codes, in id order
    (the order makes sampling, and so the labels, reproducible)."""
    wave, _ = resolve_wave(con, filters)
    where = where_clause(con, filters, wave)
    options = _options(con)
    bits = [
        f"((r.{kind}_mask >> {int(bit)}) & 1)::TINYINT AS b{i}"
        for i, (kind, bit) in enumerate(zip(options["kind"], options["bit"], strict=True))
    ]
    ordinals = [
        f"coalesce((SELECT v.sort_order FROM vocabulary v WHERE v.kind = '{kind}' "
        f"AND v.code = r.{column}), -1)::SMALLINT AS o_{kind}"
        for kind, column in ORDINAL_KINDS.items()
    ]
    sql = (
        f"SELECT r.respondent_id, {', '.join(bits + ordinals)}, "  # noqa: S608
        "coalesce(ab.sort_order, -1)::SMALLINT AS band, "
        "CASE r.gender WHEN 'kvinde' THEN 0 WHEN 'mand' THEN 1 ELSE -1 END::TINYINT AS gender "
        "FROM respondent r LEFT JOIN age_band ab ON ab.label = r.age_band "
        f"WHERE {where.sql} ORDER BY r.respondent_id"
    )
    data = con.execute(sql, where.params).fetchnumpy()
    levels = dict(
        con.execute(
            "SELECT kind, count(*) FROM vocabulary WHERE kind IN ('interest', 'time', 'engagement') "
            "GROUP BY kind"
        ).fetchall()
    )
    return _Features(
        respondent_id=np.asarray(data["respondent_id"]),
        binary=np.column_stack([np.asarray(data[f"b{i}"]) for i in range(len(options))]),
        ordinal=np.column_stack([np.asarray(data[f"o_{kind}"]) for kind in ORDINAL_KINDS]),
        ordinal_levels=[int(levels.get(kind, 2)) for kind in ORDINAL_KINDS],
        band=np.asarray(data["band"]),
        gender=np.asarray(data["gender"]),
        options=options,
    )


def _kmeans(k: int, random_state: int):
    # scikit-learn is imported where it clusters: reading stored segments (segment_store)
    # and the other pages never pay its 1-3 s import.
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=10, random_state=random_state)


def _fit(rows: np.ndarray, k: int, random_state: int):
    """KMeans on the distinct rows weighted by how often they occur: the same objective as on
    all rows, but answers repeat a lot (9,000 respondents hold about 5,800 distinct rows)."""
    distinct, counts = np.unique(rows, axis=0, return_counts=True)
    return _kmeans(k, random_state).fit(distinct, sample_weight=counts)


def _choose_k(sample: np.ndarray, ks, random_state: int) -> tuple[dict[int, float], dict]:
    """Silhouette per k on the sample (scored on at most SILHOUETTE_SAMPLE points)."""
    from sklearn.metrics import silhouette_score

    scores, models = {}, {}
    for k in ks:
        model = _fit(sample, k, random_state)
        labels = model.predict(sample)
        if len(set(labels)) < 2:
            scores[k] = -1.0
        else:
            scores[k] = float(
                silhouette_score(
                    sample,
                    labels,
                    sample_size=min(SILHOUETTE_SAMPLE, len(sample)),
                    random_state=random_state,
                )
            )
        models[k] = model
    return scores, models


def _sample(n: int, size: int, rng: np.random.Generator) -> np.ndarray | None:
    return np.sort(rng.choice(n, size, replace=False)) if n > size else None


def _parse_k(k: int | str, n: int) -> list[int]:
    if k == "auto":
        return [c for c in K_RANGE if c < n]
    try:
        value = int(k)
    except (TypeError, ValueError):
        value = 0
    if value < 2 or value >= n:
        raise InvalidInput(
            f"k skal være 'auto' eller et helt tal fra 2 til {n - 1}. / "
            f"k must be 'auto' or a whole number from 2 to {n - 1}."
        )
    return [value]


def _require_respondents(n: int, wave: str | None) -> None:
    if n >= MIN_RESPONDENTS:
        return
    if n == 0:
        raise InvalidInput(
            f"Bølgen '{wave}' har ingen svar endnu, så der er ingen segmenter at finde. / "
            f"The wave '{wave}' has no responses yet, so there are no segments to find."
        )
    raise InvalidInput(
        f"Der er for få svar til segmenter: der skal mindst være {MIN_RESPONDENTS}. / "
        f"Too few responses for segments: at least {MIN_RESPONDENTS} are needed."
    )


def fit_segments(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    k: int | str = "auto",
    sample_size: int = 100_000,
    random_state: int = 0,
) -> SegmentResult:
    """Cluster respondents by interest profile and describe each segment.

    Features: one 0/1 column per topic and per format (from the bit masks), and interest,
    time and engagement as 0-1 scales weighted by ORDINAL_WEIGHT (unknown = 0.5, the middle).
    With k='auto' the k in 2-8 with the best silhouette wins, searched on at most
    SEARCH_SAMPLE respondents; KMeans (n_init=10, fixed random_state) is then fitted on at
    most `sample_size` respondents and assigns everyone. `silhouette` maps each k tried to
    its score. Segments
    are numbered 1.. by size (largest first), so the same input gives identical labels.
    """
    features = _load_features(con, filters)
    n = len(features.respondent_id)
    _require_respondents(n, filters.wave or latest_wave(con))
    ks = _parse_k(k, n)
    matrix = features.matrix()
    rng = np.random.default_rng(random_state)
    search_index = _sample(n, min(SEARCH_SAMPLE, sample_size), rng)
    search = matrix if search_index is None else matrix[search_index]
    silhouette, models = _choose_k(search, ks, random_state)
    best = max(silhouette, key=lambda c: (silhouette[c], -c))
    model = models[best]
    if n > len(search):
        fit_index = _sample(n, sample_size, rng)
        model = _fit(matrix if fit_index is None else matrix[fit_index], best, random_state)
    raw = model.predict(matrix)
    labels = _number_by_size(raw, best)
    profiles = _profiles(con, filters, features, labels, best)
    return SegmentResult(
        k=best,
        silhouette=silhouette,
        labels=pd.DataFrame({"respondent_id": features.respondent_id, "segment": labels}),
        profiles=profiles,
    )


def _number_by_size(raw: np.ndarray, k: int) -> np.ndarray:
    sizes = np.bincount(raw, minlength=k)
    order = np.argsort(-sizes, kind="stable")
    number = np.empty(k, dtype=np.int64)
    number[order] = np.arange(1, k + 1)
    return number[raw]


# --- describing segments --------------------------------------------------------------------


def _profiles(con, filters, features: _Features, labels: np.ndarray, k: int) -> list[dict]:
    index = labels - 1
    sizes = np.bincount(index, minlength=k).astype(float)
    shares = (
        np.column_stack(
            [
                np.bincount(index, weights=col, minlength=k)
                for col in features.binary.T.astype(float)
            ]
        )
        / sizes[:, None]
    )
    overall = features.binary.mean(axis=0)
    member_ratio, member_over = _member_ratios(con, filters, features)
    population = population_by_band_gender(con, filters)
    bands = dict(con.execute("SELECT sort_order, label FROM age_band").fetchall())
    profiles = []
    for s in range(k):
        members = index == s
        lift = np.divide(shares[s], overall, out=np.zeros_like(overall), where=overall > 0)
        profile = {
            "segment": s + 1,
            "size": int(sizes[s]),
            "share": float(sizes[s] / len(labels)),
            "top_topics": _top_options(features.options, shares[s], lift, "topic"),
            "top_formats": _top_options(features.options, shares[s], lift, "format"),
            **_typical(con, features, members),
            "composition": _composition(features, members, population, bands),
            "mean_representation_ratio": float(np.nanmean(member_ratio[members]))
            if np.any(members & ~np.isnan(member_ratio))
            else None,
        }
        # "Over-represented" as the verdict means it: most members come from age × gender
        # groups whose whole interval lies above 1.25 (after Benjamini–Hochberg).
        profile["over_represented_note"] = bool(members.any() and member_over[members].mean() > 0.5)
        profile.update(_names(profile))
        profiles.append(profile)
    return profiles


def _top_options(options, shares, lift, kind: str, top: int = 3) -> list[tuple]:
    """The options that set the segment apart: highest lift among those at least a third of
    the segment picked (a rare option can have a large lift and mean little)."""
    rows = options.assign(share=shares, lift=lift)
    rows = rows[rows["kind"] == kind]
    common = rows[rows["share"] >= 1 / 3]
    chosen = (common if len(common) else rows).sort_values(
        ["lift", "share"], ascending=False, kind="stable"
    )
    return [
        (r.code, r.label_da, r.label_en, round(float(r.lift), 3))
        for r in chosen.head(top).itertuples()
    ]


def _typical(con, features: _Features, members: np.ndarray) -> dict:
    out = {}
    for column, kind in ((1, "time"), (2, "engagement")):
        values = features.ordinal[members, column]
        values = values[values >= 0]
        if len(values) == 0:
            out[kind] = None
            continue
        position = int(np.bincount(values).argmax())
        row = con.execute(
            "SELECT code, label_da, label_en FROM vocabulary WHERE kind = $k AND sort_order = $p",
            {"k": kind, "p": position},
        ).fetchone()
        out[kind] = {"code": row[0], "label_da": row[1], "label_en": row[2]} if row else None
    return out


def _composition(features, members, population: pd.DataFrame, bands: dict) -> pd.DataFrame:
    """Age band and gender shares of the segment next to all respondents' and the
    population's (15+). Segment shares resting on fewer than k members are suppressed (NaN)."""
    pop_band = population.groupby("age_band")["population"].sum()
    pop_gender = population.groupby("gender")["population"].sum()
    rows = []
    for dimension, codes, values, pop in (
        ("age_band", features.band, sorted(bands.items()), pop_band),
        ("gender", features.gender, [(0, "kvinde"), (1, "mand")], pop_gender),
    ):
        known = codes >= 0
        mine = codes[members & known]
        everyone = codes[known]
        for code, label in values:
            count = int(np.sum(mine == code))
            rows.append(
                {
                    "dimension": dimension,
                    "value": label,
                    "segment_share": count / len(mine) if count >= DEFAULT_K else np.nan,
                    "respondent_share": float(np.mean(everyone == code))
                    if len(everyone)
                    else np.nan,
                    "population_share": float(pop.get(label, 0.0) / pop.sum())
                    if pop.sum()
                    else np.nan,
                }
            )
    return pd.DataFrame(rows)


def _member_ratios(con, filters, features: _Features) -> np.ndarray:
    """Each respondent's representation ratio of their age band × gender cell (NaN when
    unknown): a segment drawn from over-represented cells is over-weighted unweighted."""
    wave, period = resolve_wave(con, filters)
    cells, _ = cell_counts(con, filters, wave, period, ("age_band", "gender"))
    stats = apply_fdr(add_statistics(cells))
    order = dict(con.execute("SELECT label, sort_order FROM age_band").fetchall())
    lookup = np.full((len(order) + 1, 2), np.nan)
    over = np.zeros((len(order) + 1, 2))
    for row in stats.itertuples():
        if row.age_band in order:
            lookup[order[row.age_band], 0 if row.gender == "kvinde" else 1] = row.ratio
            over[order[row.age_band], 0 if row.gender == "kvinde" else 1] = row.status == "over"
    known = (features.band >= 0) & (features.gender >= 0)
    ratios = np.full(len(features.band), np.nan)
    ratios[known] = lookup[features.band[known], features.gender[known]]
    in_over = np.zeros(len(features.band), dtype=bool)
    in_over[known] = over[features.band[known], features.gender[known]] > 0
    return ratios, in_over


def _names(profile: dict) -> dict:
    topics, formats = profile["top_topics"], profile["top_formats"]
    name_da = " + ".join(t[1] for t in topics[:2]) or f"Segment {profile['segment']}"
    name_en = " + ".join(t[2] for t in topics[:2]) or f"Segment {profile['segment']}"
    size_da = format_number(profile["size"], "da")
    size_en = format_number(profile["size"], "en")
    pct = profile["share"] * 100
    line_da = (
        f"{size_da} svar ({format_number(pct, 'da')} %), især optaget af "
        f"{_join([t[1].lower() for t in topics], 'og')} og helst via "
        f"{_join([f[1].lower() for f in formats[:2]], 'og')}."
    )
    line_en = (
        f"{size_en} responses ({pct:.0f}%), most interested in "
        f"{_join([t[2].lower() for t in topics], 'and')}, preferring "
        f"{_join([f[2].lower() for f in formats[:2]], 'and')}."
    )
    who_da, who_en = _who(profile["composition"])
    if profile["over_represented_note"]:
        who_da += (
            " Gruppen kommer mest fra overrepræsenterede grupper, så dens interesser fylder for "
            "meget i de uvægtede tal."
        )
        who_en += (
            " It comes mostly from over-represented groups, so its interests weigh too much in "
            "unweighted results."
        )
    return {
        "name_da": name_da,
        "name_en": name_en,
        "description_da": f"{line_da}\n{who_da}",
        "description_en": f"{line_en}\n{who_en}",
    }


def _join(items: list[str], word: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _who(composition: pd.DataFrame) -> tuple[str, str]:
    """The age band and gender that set the segment apart from all respondents (against the
    population most segments would simply repeat the survey's own skew)."""
    frame = composition.assign(lift=composition["segment_share"] / composition["respondent_share"])
    parts_da, parts_en = [], []
    # A band holding a few per cent of the segment is noise, however large its lift.
    band = frame[(frame["dimension"] == "age_band") & (frame["segment_share"] >= 0.1)]
    band = band.dropna(subset=["lift"])
    gender = frame[frame["dimension"] == "gender"].dropna(subset=["lift"])
    if len(gender) and gender["lift"].max() > 1.1:
        g = gender.loc[gender["lift"].idxmax(), "value"]
        parts_da.append(describe_group({"gender": g}, "da").lower())
        parts_en.append(describe_group({"gender": g}, "en").lower())
    if len(band) and band["lift"].max() > 1.1:
        b = band.loc[band["lift"].idxmax(), "value"]
        parts_da.append(f"{b}-årige")
        parts_en.append(f"people aged {b}")
    if not parts_da:
        return (
            "Sammensat omtrent som alle, der svarede.",
            "Made up roughly like all respondents.",
        )
    return (
        f"Flere {' og '.join(parts_da)} end blandt alle, der svarede.",
        f"More {' and '.join(parts_en)} than among all respondents.",
    )


# --- area clusters --------------------------------------------------------------------------


def _area_profiles(con, filters: Filters) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """Ratio per age band × gender for each area, smoothed towards 1 for small cells
    ((respondents + 5) / (expected + 5)) so a cell of 3 people cannot make a cluster; the
    areas' level; and the raw cells, for the verdicts that describe a cluster."""
    wave, period = resolve_wave(con, filters)
    cells, _ = cell_counts(con, filters, wave, period, BACKGROUND)
    cells = cells[cells["population"] > 0]
    overall = cells["respondents"].sum() / cells["population"].sum()
    expected = cells["population"] * overall
    cells = cells.assign(
        ratio=(cells["respondents"] + 5) / (expected + 5),
        cell=cells["gender"] + "|" + cells["age_band"],
        expected=expected,
    )
    cells.attrs["reference_rate"] = overall
    profile = cells.pivot_table(index="area", columns="cell", values="ratio").fillna(1.0)
    totals = cells.groupby("area")[["respondents", "expected"]].sum()
    level = totals["respondents"] / totals["expected"]
    return profile.sort_index(), level.reindex(profile.index.sort_values()), cells


def area_clusters(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    k: int | str = "auto",
    random_state: int = 0,
) -> pd.DataFrame:
    """Areas grouped by participation profile (ratio by age band × gender, standardised).

    k is chosen by silhouette over 2-min(6, areas - 1) unless given. Clusters are numbered
    1.. from the lowest overall participation. Columns: area, area_name, cluster,
    description_da, description_en.
    """
    wave, _period = resolve_wave(con, filters)
    _require_respondents(count_respondents(con, filters.replace(wave=wave)), wave)
    profile, level, cells = _area_profiles(con, filters)
    n = len(profile)
    if n < 3:
        raise InvalidInput(
            "Der skal mindst være 3 områder for at gruppere dem. / "
            "At least 3 areas are needed to cluster them."
        )
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    matrix = StandardScaler().fit_transform(profile.to_numpy())
    ks = list(range(2, min(6, n - 1) + 1)) if k == "auto" else _parse_k(k, n)
    best, best_score, labels = None, -2.0, None
    for c in ks:
        fitted = _kmeans(c, random_state).fit_predict(matrix)
        score = silhouette_score(matrix, fitted) if len(set(fitted)) > 1 else -1.0
        if score > best_score:
            best, best_score, labels = c, score, fitted
    cluster_level = pd.Series(level.to_numpy()).groupby(labels).mean()
    number = {raw: i + 1 for i, raw in enumerate(cluster_level.sort_values(kind="stable").index)}
    clusters = np.array([number[x] for x in labels])
    names = area_names(con)
    out = pd.DataFrame({"area": profile.index, "area_name": profile.index.map(names)})
    out["cluster"] = clusters
    area_cluster = dict(zip(profile.index, clusters, strict=True))
    words = {
        c: _cluster_words(
            cells[cells["area"].map(area_cluster) == c], cells.attrs["reference_rate"]
        )
        for c in number.values()
    }
    out["description_da"] = out["cluster"].map(lambda c: words[c][0])
    out["description_en"] = out["cluster"].map(lambda c: words[c][1])
    out.attrs["k"] = best
    return out.sort_values(["cluster", "area"], kind="stable").reset_index(drop=True)


def _cluster_words(cells: pd.DataFrame, reference: float) -> tuple[str, str]:
    """A cluster in the verdict words of representation (DESIGN.md §6): its areas pooled, as
    a whole and per age band × gender, each judged by its 95 % interval against the whole
    municipality's rate (Benjamini–Hochberg over the groups). "Like the population" only when
    every group's interval lies inside 0.8-1.25; otherwise "not enough answers to tell"."""
    by_cell = cells.groupby(["gender", "age_band"], as_index=False)[
        ["respondents", "population"]
    ].sum()
    whole = pd.DataFrame(
        {"respondents": [cells["respondents"].sum()], "population": [cells["population"].sum()]}
    )
    judged = apply_fdr(
        pd.concat(
            [
                add_statistics(whole, reference=reference).assign(kind="all"),
                add_statistics(by_cell, reference=reference).assign(kind="cell"),
            ],
            ignore_index=True,
        )
    )
    overall, groups = judged.iloc[0], judged.iloc[1:]
    under = groups[groups["status"] == "under"].sort_values("ratio")
    times_da = lambda r: format_number(r, "da", 1)  # noqa: E731
    if len(under):
        low = under.iloc[0]
        who_da = describe_group({"gender": low["gender"], "age_band": low["age_band"]}, "da")
        who_en = describe_group({"gender": low["gender"], "age_band": low["age_band"]}, "en")
    if overall["status"] == "under":
        da = (
            f"Underrepræsenteret samlet ({times_da(overall['ratio'])} gange svarprocenten i "
            "hele kommunen)"
        )
        en = f"Under-represented overall ({overall['ratio']:.1f} times the whole municipality's rate)"
        if len(under):
            da += f", mest blandt {who_da.lower()}"
            en += f", most among {who_en.lower()}"
        return da, en
    if len(under):
        return (
            f"Underrepræsenteret: {who_da.lower()} ({times_da(low['ratio'])} gange "
            "svarprocenten i hele kommunen)",
            f"Under-represented: {who_en.lower()} ({low['ratio']:.1f} times the whole "
            "municipality's rate)",
        )
    if (groups["status"] == "fine").all() and overall["status"] == "fine":
        return (
            "Som befolkningen i alle grupper",
            "Like the population in every group",
        )
    return (
        "Ingen gruppe er tydeligt underrepræsenteret; for få svar til at sige, at alle ligner "
        "befolkningen",
        "No group is clearly under-represented; not enough answers to say all are like the "
        "population",
    )
