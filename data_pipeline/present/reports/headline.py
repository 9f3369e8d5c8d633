"""The council report's first section: the key figures, their change since the previous wave,
and "Kort fortalt", the few sentences a busy politician reads instead of the tables.

The figures are the Overblik page's own (present.overview), so the report never shows a number
the dashboard would hide.
"""

from __future__ import annotations

import math

import pandas as pd

import data_pipeline.analysis.counting as counting
import data_pipeline.analysis.filtering as filtering
from data_pipeline.analysis.cells import InvalidInput
from data_pipeline.analysis.scores import scores
from data_pipeline.core.i18n import number, percent, points, signed, t, tn
from data_pipeline.present.reports.model import Column, Fact, Section, Table
from data_pipeline.present.reports.shared import count_text


def _overall(frame: pd.DataFrame | None) -> dict:
    if frame is None or not len(frame):
        return {}
    return frame.set_index("dimension").loc["overall"].to_dict()


def _previous(con, filters: filtering.Filters, previous: str | None) -> tuple[dict, int | None]:
    """Scores and population of the previous wave (same filter), when it has population."""
    if previous is None:
        return {}, None
    before = filters.replace(wave=previous)
    try:
        return _overall(scores(con, before)), counting.count_population(con, before)
    except InvalidInput:
        return {}, None


def _change(now, before):
    if now is None or before is None or any(isinstance(v, str) for v in (now, before)):
        return None
    if (
        isinstance(now, float)
        and math.isnan(now)
        or isinstance(before, float)
        and math.isnan(before)
    ):
        return None
    return now - before


def headline_section(con, filters, overview, shares, lang: str, k: int) -> Section:
    publishable = overview.respondents_publishable
    now = _overall(overview.scores) if publishable else {}
    before, before_population = _previous(con, filters, overview.previous_wave)
    rows = [
        ("metric.respondents", "count", overview.respondents if publishable else f"<{k}",
         overview.previous_respondents),
        ("metric.rate", "percent", overview.rate, overview.previous_rate),
        ("col.population", "count", overview.population, before_population),
        ("metric.minmax", "ratio", now.get("min_max_ratio"), before.get("min_max_ratio")),
        ("metric.overlap", "percent", now.get("share_overlap"), before.get("share_overlap")),
        ("metric.r_indicator", "ratio", now.get("r_indicator"), before.get("r_indicator")),
    ]  # fmt: skip
    change_kind = {"count": "signed", "percent": "points", "ratio": "signed_ratio"}
    columns = [
        Column(t("report.col.measure", lang)),
        Column(t("report.col.this_wave", lang, wave=overview.wave), "count"),
    ]
    table_rows = [[t(key, lang), value] for key, _kind, value, _before in rows]
    kinds = [["text", kind] for _key, kind, _value, _before in rows]
    if overview.previous_wave:
        columns += [
            Column(t("report.col.previous_wave", lang, wave=overview.previous_wave), "count"),
            Column(t("report.col.change", lang), "signed"),
        ]
        for row, kind, (_key, _kind, value, prior) in zip(table_rows, kinds, rows, strict=True):
            row += [prior, _change(value, prior)]
            kind += [kind[1], change_kind[kind[1]]]
    table = Table(
        sheet=t("report.sheet.headline", lang),
        title=t("report.headline.table", lang),
        columns=columns,
        rows=table_rows,
        note=t("report.headline.note", lang),
        cell_kinds=kinds,
    )
    return Section(
        key="headline",
        title=t("report.headline.title", lang),
        lead=t("report.headline.lead", lang),
        facts=_facts(overview, now, lang, k),
        items=_key_messages(overview, shares, lang, k),
        tables=[table],
    )


def _facts(overview, now: dict, lang: str, k: int) -> list[Fact]:
    n = count_text(overview.respondents, overview.respondents_publishable, k, lang)
    n_note = rate_note = ""
    if (
        overview.previous_wave
        and overview.previous_respondents
        and overview.respondents_publishable
    ):
        change = overview.respondents - overview.previous_respondents
        n_note = t(
            "report.previous_note",
            lang,
            value=number(overview.previous_respondents, lang),
            wave=overview.previous_wave,
            change=signed(change, lang),
        )
    if overview.rate is not None and overview.previous_rate is not None:
        rate_note = t(
            "report.previous_note",
            lang,
            value=percent(overview.previous_rate, lang),
            wave=overview.previous_wave,
            change=points(overview.rate - overview.previous_rate, lang),
        )
    rate = percent(overview.rate, lang) if overview.rate is not None else "–"
    plain = []
    if overview.plain_score is not None:  # the one score the Overblik leads with
        score = overview.plain_score
        value = score["value"]
        plain = [
            Fact(
                t("score.plain_title", lang),
                value,
                f"{score['short']} ({score['interval']})" if score["interval"] else score["short"],
            )
        ]
    return [
        *plain,
        Fact(t("metric.respondents", lang), n, n_note),
        Fact(t("metric.rate", lang), rate, rate_note or t("report.rate_note", lang)),
        Fact(t("col.population", lang), number(overview.population, lang)),
        Fact(
            t("metric.minmax", lang),
            number(now.get("min_max_ratio"), lang, 2),
            t("report.minmax_note", lang),
        ),
        Fact(
            t("metric.overlap", lang),
            percent(now.get("share_overlap"), lang, 0),
            t("report.overlap_note", lang),
        ),
        Fact(
            t("metric.r_indicator", lang),
            number(now.get("r_indicator"), lang, 2),
            t("report.r_note", lang),
        ),
    ]


def _key_messages(overview, shares, lang: str, k: int) -> list[str]:
    """ "Kort fortalt": four sentences a busy politician reads instead of the tables."""
    messages = []
    if overview.respondents_publishable and overview.rate is not None:
        messages.append(
            tn(
                "report.message.answered",
                overview.respondents,
                lang,
                rate=percent(overview.rate, lang),
            )
        )
    if overview.plain_score is not None:
        score = overview.plain_score
        value = score["value"]
        messages.append(f"{t('score.plain_title', lang)} {value}: {score['sentence']}")
    if overview.gaps is not None and len(overview.gaps):
        messages.append(t("report.message.gap", lang, text=overview.gaps[f"sentence_{lang}"][0]))
    for kind in ("topic", "format"):
        top = shares[kind].dropna(subset=["weighted_share"])
        top = top.sort_values("weighted_share", ascending=False).head(2)
        if len(top):
            listed = t("report.and", lang).join(
                f"{label.lower()} ({percent(share, lang, 0)})"
                for label, share in zip(top["label"], top["weighted_share"], strict=True)
            )
            messages.append(t(f"report.message.{kind}", lang, text=listed))
    return messages
