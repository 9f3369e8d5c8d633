"""The council report's sections on who is missing: the two maps (response rate per area, and
the largest gap's group per area) with their tables, and the ranked gaps with their sentences.

The map values are the Kort page's (present.map_values) and the gaps the Overblik page's, so a
hidden area or group stays hidden in the report.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.analysis.gap_words import describe_group
from data_pipeline.core.i18n import t
from data_pipeline.present.map_values import map_view
from data_pipeline.present.reports import charts
from data_pipeline.present.reports.model import Column, Figure, Section, Table
from data_pipeline.present.reports.shared import credit


def _lower_first(text: str) -> str:
    """'Borgere 80+ år' inside a sentence: 'borgere 80+ år'."""
    return text[:1].lower() + text[1:]


def _group_filter(group: dict) -> dict:
    """The map_view group of a finding: its age band and gender (the map spreads it by area)."""
    out = {}
    if group.get("age_band"):
        out["age_bands"] = [group["age_band"]]
    if group.get("gender"):
        out["genders"] = [group["gender"]]
    return out


def maps_section(con, filters, overview, names, lang: str, k: int) -> Section:
    areas = charts.area_frame(con)
    rate = map_view(con, filters, "rate", k=k, lang=lang)
    group: dict = {}
    gap_text = t("overview.no_gaps", lang)
    if overview.gaps is not None and len(overview.gaps):
        top = overview.gaps.iloc[0]
        group = {d: v for d, v in top["group"].items() if d != "area"}
        gap_text = t("report.maps.gap_caption", lang, text=top[f"sentence_{lang}"])
    ratio = map_view(con, filters, "ratio", group=_group_filter(group), k=k, lang=lang)
    who = _lower_first(describe_group(group, lang)) if group else t("report.maps.everyone", lang)
    rate_title = t("report.maps.rate_title", lang)
    ratio_title = t("report.maps.ratio_title", lang, who=who)
    figures = []
    # Respondents known only by a postal code spanning areas are counted by area share.
    spread = f" {t('postal.spread_note', lang)}" if rate.attrs.get("postal_spread") else ""
    for values, measure, title, caption in (
        (rate, "rate", rate_title, t("report.maps.rate_caption", lang) + spread),
        (ratio, "ratio", ratio_title, f"{gap_text} {t('map.ratio_note', lang)}{spread}"),
    ):
        chart = charts.map_chart(areas, values, measure, title, lang)
        if chart is not None:
            figures.append(Figure(title, chart, caption, max_width_mm=150, max_height_mm=100))
    return Section(
        key="maps",
        title=t("report.maps.title", lang),
        lead=t("report.maps.lead", lang),
        figures=figures,
        tables=[
            _map_table(rate, "rate", t("report.sheet.map_rate", lang), rate_title, lang, k),
            _map_table(ratio, "ratio", t("report.sheet.map_gap", lang), ratio_title, lang, k),
        ],
        closing=[credit(con, lang)],
    )


def _map_table(values: pd.DataFrame, measure: str, sheet: str, title: str, lang, k) -> Table:
    rows = [
        [
            row.name,
            f"<{k}" if row.suppressed else row.respondents,
            row.population,
            None if row.suppressed else row.value,
        ]
        for row in values.sort_values("name").itertuples()
    ]
    return Table(
        sheet=sheet,
        title=title,
        columns=[
            Column(t("tooltip.area", lang)),
            Column(t("col.respondents", lang), "count"),
            Column(t("col.population", lang), "count"),
            Column(
                t("col.rate" if measure == "rate" else "col.ratio", lang),
                "percent" if measure == "rate" else "ratio",
            ),
        ],  # fmt: skip
        rows=rows,
        note=t("report.suppressed_note", lang, k=k),
        printed=False,
    )


def gaps_section(overview, names, lang: str) -> Section:
    gaps = overview.gaps if overview.gaps is not None else pd.DataFrame()
    rows = [
        [
            describe_group(row["group"], lang, names),
            row["population"],
            row["respondents"],
            row["rate"],
            row["ratio"],
            row["ci_low"],
            row["ci_high"],
            row["missing_voices"],
        ]
        for _, row in gaps.head(5).iterrows()
    ]
    table = Table(
        sheet=t("report.sheet.gaps", lang),
        title=t("overview.gaps", lang),
        columns=[
            Column(t("col.group", lang)),
            Column(t("col.population", lang), "count"),
            Column(t("col.respondents", lang), "count"),
            Column(t("col.rate", lang), "percent"),
            Column(t("col.ratio", lang), "ratio"),
            Column(t("report.col.ci_low", lang), "ratio"),
            Column(t("report.col.ci_high", lang), "ratio"),
            Column(t("col.missing", lang), "count"),
        ],
        rows=rows,
        note=t("report.gaps.note", lang),
    )
    sentences = list(gaps[f"sentence_{lang}"].head(5)) if len(gaps) else []
    return Section(
        key="gaps",
        title=t("overview.gaps", lang),
        lead=t("overview.gaps_lead", lang),
        items=sentences,
        numbered=True,
        paragraphs=[] if sentences else [t("overview.no_gaps", lang)],
        tables=[table],
        closing=[t("report.gaps.how_to_read", lang)],
    )
