"""The public summary for citizens: what was asked, how many answered, what they care about,
how they want to take part, and whom the municipality will now try harder to reach.

Built only from suppressed aggregates (the page views, gaps, raking); it never touches the contact
table, so no name, email or phone number can reach it. Never imports streamlit.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

import data_pipeline.analysis.filtering as filtering
from data_pipeline.analysis.cells import area_names, has_demographic_filter
from data_pipeline.analysis.gap_words import describe_group, interest_words, ratio_words
from data_pipeline.analysis.gaps import find_gaps
from data_pipeline.analysis.raking import rake
from data_pipeline.core.disclosure import DEFAULT_K
from data_pipeline.core.i18n import number, percent, t, tn
from data_pipeline.present.groups import open_dimensions
from data_pipeline.present.overview import overview_view
from data_pipeline.present.reports import charts
from data_pipeline.present.reports.model import Column, Fact, Figure, Report, Section, Table
from data_pipeline.present.reports.shared import (
    credit,
    date_text,
    describe_scope,
    option_shares,
    prepare,
    today_text,
    wave_row,
)

REACH_GROUPS = 5


def build_public_summary(
    con: duckdb.DuckDBPyConnection,
    filters: filtering.Filters | None = None,
    lang: str = "da",
    k: int = DEFAULT_K,
    today: dt.date | None = None,
) -> Report:
    """The citizens' summary (normally for the whole municipality: no filter but the wave)."""
    filters = prepare(con, filters or filtering.Filters(), k)
    overview = overview_view(con, filters, k, lang)
    weights = rake(con, filters)
    shares = {
        kind: option_shares(con, filters, kind, weights, overview.respondents, k, lang)
        for kind in ("topic", "format", "time")
    }
    name, opened, closed = wave_row(con, filters.wave)
    sections = [
        _asked(name, opened, closed, lang),
        _answered(con, overview, filters, lang, k),
        _cares(shares["topic"], lang),
        _take_part(shares["format"], shares["time"], lang),
        _reach(con, filters, lang, k),
        *_dialogues(con, filters.wave, lang, k),
        Section(
            key="about",
            title=t("public.about.title", lang),
            paragraphs=[t("public.about", lang, k=k)],
            closing=[credit(con, lang)],
        ),
    ]
    return Report(
        kind="public",
        lang=lang,
        k=k,
        title=t("public.title", lang),
        subtitle=name or filters.wave,
        scope=describe_scope(con, filters, lang),
        generated=t("report.generated", lang, date=today_text(lang, today)),
        credit=credit(con, lang),
        sections=sections,
        page_per_section=False,
        wave=filters.wave,
    )


def _asked(name: str, opened, closed, lang: str) -> Section:
    return Section(
        key="asked",
        title=t("public.asked.title", lang),
        paragraphs=[
            t(
                "public.asked.text",
                lang,
                name=name,
                opened=date_text(opened, lang),
                closed=date_text(closed, lang),
            )
        ],
        items=[t(f"public.asked.q{i}", lang) for i in range(1, 6)],
    )


def _answered(con, overview, filters: filtering.Filters, lang: str, k: int) -> Section:
    if not overview.respondents_publishable:
        return Section(
            key="answered",
            title=t("public.answered.title", lang),
            paragraphs=[t("public.answered.few", lang, k=k)],
        )
    # Filtered to a group, the rate is the group's own; filtered to a topic, the count is of
    # those who answered and chose it. Neither is "all citizens aged 15 and over".
    group = has_demographic_filter(filters)
    interest = interest_words(con, filters, lang)
    key = "public.answered.text_group" if group else "public.answered.text"
    text = tn(
        key,
        overview.respondents,
        lang,
        rate=percent(overview.rate, lang, 0) if overview.rate is not None else "–",
        scope=describe_scope(con, filters, lang),
    )
    if interest:
        text = tn(
            "public.answered.text_interest",
            overview.respondents,
            lang,
            rate=percent(overview.rate, lang, 0) if overview.rate is not None else "–",
            interest=interest,
            whom=t("public.whom_group" if group else "public.whom_all", lang),
        )
    paragraphs = [text]
    if overview.previous_respondents:
        paragraphs.append(
            t(
                "public.answered.before",
                lang,
                wave=overview.previous_wave,
                n=number(overview.previous_respondents, lang),
            )
        )
    facts = [Fact(t("metric.respondents", lang), number(overview.respondents, lang))]
    if overview.rate is not None:
        facts.append(
            Fact(
                t("metric.rate", lang),
                percent(overview.rate, lang, 0),
                t("public.rate_note_group" if group else "public.rate_note", lang),
            )
        )
    return Section(
        key="answered", title=t("public.answered.title", lang), facts=facts, paragraphs=paragraphs
    )


def _top(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    shown = frame.dropna(subset=["weighted_share"])
    return shown.sort_values("weighted_share", ascending=False).head(n)


def _cares(topics: pd.DataFrame, lang: str) -> Section:
    top = _top(topics, 3)
    items = [
        t("public.share_item", lang, label=label, share=percent(share, lang, 0))
        for label, share in zip(top["label"], top["weighted_share"], strict=True)
    ]
    title = t("public.cares.chart", lang)
    return Section(
        key="cares",
        title=t("public.cares.title", lang),
        lead=t("public.cares.lead", lang),
        items=items,
        figures=[Figure(title, charts.share_bars(topics, lang, title), max_height_mm=75)]
        if len(top)
        else [],
    )


def _take_part(formats: pd.DataFrame, times: pd.DataFrame, lang: str) -> Section:
    top = _top(formats, 3)
    items = [
        t("public.share_item", lang, label=label, share=percent(share, lang, 0))
        for label, share in zip(top["label"], top["weighted_share"], strict=True)
    ]
    paragraphs = []
    usual = _top(times, 1)
    if len(usual):
        paragraphs.append(
            t(
                "public.time",
                lang,
                label=usual["label"].iloc[0].lower(),
                share=percent(usual["weighted_share"].iloc[0], lang, 0),
            )
        )
    title = t("public.take_part.chart", lang)
    return Section(
        key="take_part",
        title=t("public.take_part.title", lang),
        lead=t("public.take_part.lead", lang),
        items=items,
        after=paragraphs,
        page_break=True,
        figures=[Figure(title, charts.share_bars(formats, lang, title), max_height_mm=70)]
        if len(top)
        else [],
    )


def reach_groups(gaps: pd.DataFrame, limit: int = REACH_GROUPS) -> list[dict]:
    """The largest gaps without repeats: "women 80+" adds nothing once "everyone 80+" is
    listed, so a group that narrows an already listed one is skipped."""
    chosen: list[dict] = []
    for group in gaps["group"]:
        items = set(group.items())
        if any(set(c.items()) <= items for c in chosen):
            continue
        chosen.append(group)
        if len(chosen) == limit:
            break
    return chosen


def _reach(con, filters: filtering.Filters, lang: str, k: int) -> Section:
    gaps = find_gaps(con, filters, dims=open_dimensions(filters), top=30, k=k)
    names = area_names(con)
    rows = dict(zip(map(_key, gaps["group"]), gaps.to_dict("records"), strict=True))
    interest = interest_words(con, filters, lang)

    def item(group: dict) -> str:
        row = rows[_key(group)]
        who = describe_group(group, lang, names)
        if row["status"] == "too_few":  # too few to publish, but the gap stays visible
            return t(
                "public.reach.too_few",
                lang,
                who=who,
                k=k,
                expected=number(row["expected_hint"], lang),
            )
        words = ratio_words(row["ratio"], lang, interest=bool(interest))
        if interest:
            return t("public.reach.item_interest", lang, who=who, interest=interest, words=words)
        return t("public.reach.item", lang, who=who, words=words)

    items = [item(group) for group in reach_groups(gaps)]
    return Section(
        key="reach",
        title=t("public.reach.title", lang),
        lead=t("public.reach.lead" if items else "public.reach.none", lang),
        items=items,
        after=[t("public.reach.closing", lang)] if items else [],
    )


def _key(group: dict) -> tuple:
    return tuple(sorted(group.items()))


def _dialogues(con, wave: str, lang: str, k: int) -> list[Section]:
    """Per dialogue a panel was drawn for (and attendance recorded): who was invited and who
    took part, by age band, gender and area against the population, suppressed."""
    from data_pipeline.outreach.panel_attendance import dialogue_outcomes, outcome_sentence

    sections = []
    for n, outcome in enumerate(dialogue_outcomes(con, wave, k, lang), start=1):
        frame = outcome.table

        def count(value, hidden: bool):
            return f"<{k}" if hidden else int(value)

        rows = [
            [
                row.label,
                row.population_share,
                count(row.invited, row.invited_suppressed),
                None if row.invited_suppressed else row.invited_share,
                count(row.took_part, row.took_part_suppressed),
                None if row.took_part_suppressed else row.took_part_share,
            ]
            for row in frame.itertuples()
        ]
        table = Table(
            sheet=t("public.dialogue.sheet", lang, n=n),
            title=t("public.dialogue.title", lang, topic=outcome.topic.lower()),
            columns=[
                Column(t("public.dialogue.col.group", lang)),
                Column(t("public.dialogue.col.population", lang), "percent"),
                Column(t("public.dialogue.col.invited", lang), "count"),
                Column(t("public.dialogue.col.invited_share", lang), "percent"),
                Column(t("public.dialogue.col.took_part", lang), "count"),
                Column(t("public.dialogue.col.took_part_share", lang), "percent"),
            ],
            rows=rows,
            note=t("public.dialogue.note", lang, k=k),
        )
        sections.append(
            Section(
                key=f"dialogue_{outcome.draw_id}",
                title=t("public.dialogue.title", lang, topic=outcome.topic.lower()),
                lead=t("public.dialogue.lead", lang) if n == 1 else "",
                paragraphs=[outcome_sentence(outcome, lang, k)],
                tables=[table],
            )
        )
    return sections
