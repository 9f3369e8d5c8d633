"""Segment words: each segment's profile (size, share, the options that set it apart, typical
time and engagement, composition) with its name and description, and an area cluster in the
verdict words, Danish and English.

Pure: works on the features and labels segment_model.py makes and on what segments.py fetched
(population, age bands, vocabulary, member ratios); no SQL. Segment shares resting on fewer
than k members are suppressed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_pipeline.analysis.gap_words import describe_group
from data_pipeline.analysis.segment_model import Features
from data_pipeline.analysis.statistics import add_statistics, apply_fdr
from data_pipeline.core.disclosure import DEFAULT_K
from data_pipeline.core.i18n import t
from data_pipeline.core.numbers import number


def describe_segments(
    features: Features,
    labels: np.ndarray,
    k: int,
    *,
    member_ratio: np.ndarray,
    member_over: np.ndarray,
    population: pd.DataFrame,
    bands: dict[int, str],
    answers: dict[tuple[str, int], dict],
) -> list[dict]:
    """One profile per segment 1..k. `member_ratio`/`member_over`: each respondent's cell ratio
    and whether that cell is judged over-represented; `population` by age band and gender;
    `bands` sort_order -> label; `answers` (kind, position) -> code and labels of time and
    engagement."""
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
            **_typical(features, members, answers),
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


def _typical(features: Features, members: np.ndarray, answers: dict) -> dict:
    out = {}
    for column, kind in ((1, "time"), (2, "engagement")):
        values = features.ordinal[members, column]
        values = values[values >= 0]
        if len(values) == 0:
            out[kind] = None
            continue
        position = int(np.bincount(values).argmax())
        answer = answers.get((kind, position))
        out[kind] = dict(answer) if answer else None
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


def _names(profile: dict) -> dict:
    topics, formats = profile["top_topics"], profile["top_formats"]
    pct = profile["share"] * 100
    who = _who(profile["composition"])
    out = {}
    for lang, column in (("da", 1), ("en", 2)):
        name = " + ".join(topic[column] for topic in topics[:2])
        line = t(
            "segment.line",
            lang,
            size=number(profile["size"], lang),
            pct=number(pct, lang),
            topics=_join([topic[column].lower() for topic in topics], lang),
            formats=_join([f[column].lower() for f in formats[:2]], lang),
        )
        text = who[lang]
        if profile["over_represented_note"]:
            text += " " + t("segment.over_represented", lang)
        out[f"name_{lang}"] = name or t("segment.fallback_name", lang, segment=profile["segment"])
        out[f"description_{lang}"] = f"{line}\n{text}"
    return out


def _join(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return t("segment.list", lang, items=", ".join(items[:-1]), last=items[-1])


def _who(composition: pd.DataFrame) -> dict[str, str]:
    """The age band and gender that set the segment apart from all respondents (against the
    population most segments would simply repeat the survey's own skew)."""
    frame = composition.assign(lift=composition["segment_share"] / composition["respondent_share"])
    parts: dict[str, list[str]] = {"da": [], "en": []}
    # A band holding a few per cent of the segment is noise, however large its lift.
    band = frame[(frame["dimension"] == "age_band") & (frame["segment_share"] >= 0.1)]
    band = band.dropna(subset=["lift"])
    gender = frame[frame["dimension"] == "gender"].dropna(subset=["lift"])
    for lang in ("da", "en"):
        if len(gender) and gender["lift"].max() > 1.1:
            g = gender.loc[gender["lift"].idxmax(), "value"]
            parts[lang].append(describe_group({"gender": g}, lang).lower())
        if len(band) and band["lift"].max() > 1.1:
            b = band.loc[band["lift"].idxmax(), "value"]
            parts[lang].append(t("segment.who.aged", lang, band=b))
    if not parts["da"]:
        return {lang: t("segment.who.like_all", lang) for lang in ("da", "en")}
    return {
        lang: t("segment.who.more", lang, who=t("segment.and", lang).join(parts[lang]))
        for lang in ("da", "en")
    }


def cluster_words(cells: pd.DataFrame, reference: float) -> tuple[str, str]:
    """A cluster in the verdict words of representation (docs/DEFINITIONS.md): its areas
    pooled, as a whole and per age band × gender, each judged by its 95 % interval against the whole
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
    if len(under):
        low = under.iloc[0]
        group = {"gender": low["gender"], "age_band": low["age_band"]}
    if overall["status"] == "under":
        key = "segment.cluster.under_overall"
        ratio = overall["ratio"]
        if len(under):
            key = "segment.cluster.under_overall_among"
    elif len(under):
        key, ratio = "segment.cluster.under", low["ratio"]
    elif (groups["status"] == "fine").all() and overall["status"] == "fine":
        key, ratio = "segment.cluster.like_population", None
    else:
        key, ratio = "segment.cluster.unclear", None
    da, en = (
        t(
            key,
            lang,
            times=number(ratio, lang, 1),
            who=describe_group(group, lang).lower() if len(under) else "",
        )
        for lang in ("da", "en")
    )
    return da, en
