"""The council report's content for a filter, built from the dashboard's own functions.

Every figure comes from views.py, the analysis modules (raking, weighting, gap words) or
segments.py, already suppressed, so the report and the dashboard agree. Owns only the choice of figures and their words; never reads
the contact table and never imports streamlit.
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import numpy as np
import pandas as pd

import data_pipeline.analysis.catalog as catalog
import data_pipeline.analysis.counting as counting
import data_pipeline.analysis.filtering as filtering
from data_pipeline.analysis.cells import InvalidInput, area_names, resolve_wave
from data_pipeline.analysis.differencing import differencing_mask
from data_pipeline.analysis.gap_words import describe_group
from data_pipeline.analysis.raking import RakeResult, rake
from data_pipeline.analysis.scores import scores
from data_pipeline.analysis.weighting import weighted_shares
from data_pipeline.core.disclosure import DEFAULT_K, check_k, suppression_mask
from data_pipeline.core.i18n import number, percent, t, tn
from data_pipeline.present import views
from data_pipeline.present.reports import charts
from data_pipeline.present.reports.model import Column, Fact, Figure, Report, Section, Table
from data_pipeline.store.batch import list_batches

SHARE_KINDS = ("topic", "format", "time")
FILTER_FIELDS = (
    ("age_bands", "age_band"),
    ("genders", "gender"),
    ("areas", "area"),
    ("topics", "topic"),
    ("formats", "format"),
    ("times", "time"),
    ("engagements", "engagement"),
)
DST_NAMES = ("danmarks statistik", "statistics denmark", "dst", "statbank")


class EmptySelection(InvalidInput):
    """No responses match the filter: there is nothing to report (exit code 2)."""


# --- shared by the council report and the citizens' summary -------------------------------


def prepare(
    con: duckdb.DuckDBPyConnection, filters: filtering.Filters, k: int
) -> filtering.Filters:
    """The filter with its wave resolved; a clear error for an unknown wave or no answers."""
    check_k(k)
    wave, _period = resolve_wave(con, filters)
    filters = filters.replace(wave=wave)
    if counting.count_respondents(con, filters) == 0:
        raise EmptySelection(
            "Ingen besvarelser passer til de valgte filtre. / No responses match the chosen filters."
        )
    return filters


def option_shares(
    con, filters: filtering.Filters, kind: str, weights: RakeResult, total: int, k: int, lang: str
) -> pd.DataFrame:
    """Weighted and unweighted shares per option (weighting.weighted_shares), with the
    dashboard's suppression on top: ranked_view also applies the complement rule to
    multi-select options and secondary suppression to single-choice ones."""
    table = weighted_shares(con, filters, kind, weights, k)
    multi = kind in filtering.MULTI_DIMENSIONS
    differs = differencing_mask(con, filters, table, {"code": kind}, k=k)
    mask = suppression_mask(
        table["respondents"], k, total=total if multi else None, additive=not multi, hidden=differs
    )
    hidden = mask.to_numpy() | table["suppressed"].to_numpy()
    for column in ("respondents", "unweighted_share", "weighted_share"):
        table[column] = table[column].astype(float).where(~hidden, np.nan)
    table["suppressed"] = hidden
    table["label"] = table["label_en" if lang == "en" else "label_da"]
    return table


def describe_scope(con, filters: filtering.Filters, lang: str) -> str:
    """Which wave and which filters the figures cover, in one line."""
    parts = []
    for field, dim in FILTER_FIELDS:
        values = getattr(filters, field)
        if values:
            names = views.labels(con, dim, lang)
            shown = ", ".join(names.get(v, v) for v in values)
            parts.append(f"{t(f'filter.{dim}', lang)}: {shown}")
    chosen = t("filter.active", lang, text="; ".join(parts)) if parts else t("filter.none", lang)
    return f"{wave_name(con, filters.wave)} · {chosen}"


def wave_row(con, wave: str) -> tuple[str, object, object]:
    row = con.execute(
        "SELECT name, opened_at, closed_at FROM survey_wave WHERE wave_id = $w", {"w": wave}
    ).fetchone()
    return row if row else (wave, None, None)


def wave_name(con, wave: str) -> str:
    return wave_row(con, wave)[0] or wave


def date_text(value, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return ""
    value = pd.Timestamp(value)
    return value.strftime("%d.%m.%Y") if lang == "da" else value.strftime("%Y-%m-%d")


def population_sources(con) -> pd.DataFrame:
    """Each population batch's source text and periods (the figures' origin and date)."""
    return con.execute(
        "SELECT batch_id, string_agg(DISTINCT source, ', ') AS source, "
        "string_agg(DISTINCT period, ', ' ORDER BY period) AS periods "
        "FROM population GROUP BY batch_id ORDER BY batch_id"
    ).df()


def credit(con, lang: str) -> str:
    """'Kilde: Danmarks Statistik' when the population comes from there, else its source."""
    sources = [s for s in population_sources(con)["source"].dropna() if s]
    if not sources or any(any(n in s.lower() for n in DST_NAMES) for s in sources):
        return t("report.credit_dst", lang)
    return t("report.credit_other", lang, source=", ".join(sorted(set(sources))))


def today_text(lang: str, today: dt.date | None = None) -> str:
    return date_text(today or dt.date.today(), lang)


def count_text(value, publishable: bool, k: int, lang: str) -> str:
    return number(value, lang) if publishable and value is not None else f"<{k}"


# --- the council report --------------------------------------------------------------------


def build_report(
    con: duckdb.DuckDBPyConnection,
    filters: filtering.Filters,
    lang: str = "da",
    k: int = DEFAULT_K,
    segments=None,
    today: dt.date | None = None,
) -> Report:
    """The council report for a filter: headline, maps, gaps, topics, formats and time,
    segments and method. `segments` may pass a SegmentResult already fitted for the wave
    (the app caches one); otherwise it is fitted here (a few seconds)."""
    filters = prepare(con, filters, k)
    overview = views.overview_view(con, filters, k, lang)
    weights = rake(con, filters)
    shares = {
        kind: option_shares(con, filters, kind, weights, overview.respondents, k, lang)
        for kind in SHARE_KINDS
    }
    if segments is None:
        from data_pipeline.analysis.segments import fit_segments

        segments = fit_segments(con, filtering.Filters(wave=filters.wave))
    names = area_names(con)
    sections = [
        headline_section(con, filters, overview, shares, lang, k),
        maps_section(con, filters, overview, names, lang, k),
        gaps_section(overview, names, lang),
        topics_section(shares["topic"], weights, lang, k),
        formats_section(shares["format"], shares["time"], lang, k),
        segments_section(segments, filters, lang, k),
        method_section(con, filters, weights, lang, k),
    ]
    # Issue 17: one page "Status på målene" before the method, when goals are followed.
    from data_pipeline.present.reports.goal_status import report_sections

    sections[-1:-1] = report_sections(con, lang)
    return Report(
        kind="council",
        lang=lang,
        k=k,
        title=t("report.title", lang),
        subtitle=wave_name(con, filters.wave),
        scope=describe_scope(con, filters, lang),
        generated=t("report.generated", lang, date=today_text(lang, today)),
        credit=credit(con, lang),
        sections=sections,
        wave=filters.wave,
    )


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
            change=("+" if change > 0 else "") + number(change, lang),
        )
    if overview.rate is not None and overview.previous_rate is not None:
        points = overview.rate - overview.previous_rate
        rate_note = t(
            "report.previous_note",
            lang,
            value=percent(overview.previous_rate, lang),
            wave=overview.previous_wave,
            change=t(
                "metric.points",
                lang,
                value=("+" if points > 0 else "") + number(points * 100, lang, 1),
            ),
        )
    rate = percent(overview.rate, lang) if overview.rate is not None else "–"
    plain = []
    if overview.plain_score is not None:  # the one score the Overblik leads with
        score = overview.plain_score
        value = t("score.plain_value", lang, score=score["score"])
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
        value = t("score.plain_value", lang, score=score["score"])
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
    rate = views.map_view(con, filters, "rate", k=k, lang=lang)
    group: dict = {}
    gap_text = t("overview.no_gaps", lang)
    if overview.gaps is not None and len(overview.gaps):
        top = overview.gaps.iloc[0]
        group = {d: v for d, v in top["group"].items() if d != "area"}
        gap_text = t("report.maps.gap_caption", lang, text=top[f"sentence_{lang}"])
    ratio = views.map_view(con, filters, "ratio", group=_group_filter(group), k=k, lang=lang)
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


def _share_table(frame: pd.DataFrame, kind: str, sheet: str, title: str, lang, k) -> Table:
    ordered = frame
    if kind in filtering.MULTI_DIMENSIONS:
        ordered = frame.sort_values("weighted_share", ascending=False, na_position="last")
    rows = [
        [
            row.label,
            f"<{k}" if row.suppressed else row.respondents,
            row.unweighted_share,
            row.weighted_share,
        ]
        for row in ordered.itertuples()
    ]
    return Table(
        sheet=sheet,
        title=title,
        columns=[
            Column(t(f"dim.{kind}", lang)),
            Column(t("col.respondents", lang), "count"),
            Column(t("report.col.unweighted", lang), "percent"),
            Column(t("report.col.weighted", lang), "percent"),
        ],
        rows=rows,
        note=t(
            f"report.shares.note_{'multi' if kind in filtering.MULTI_DIMENSIONS else 'single'}",
            lang,
        )
        + " "
        + t("report.suppressed_note", lang, k=k),
        bar_chart=(2, 3),
    )


def topics_section(topics: pd.DataFrame, weights: RakeResult, lang: str, k: int) -> Section:
    title = t("overview.topics", lang)
    return Section(
        key="topics",
        title=t("report.topics.title", lang),
        lead=t(
            "report.weighting_lead",
            lang,
            ess=number(weights.effective_sample_size, lang),
            n=number(weights.respondents + weights.excluded, lang),
        ),
        figures=[
            Figure(title, charts.weighted_bars(topics, lang, title), max_height_mm=105),
        ],
        tables=[_share_table(topics, "topic", t("report.sheet.topics", lang), title, lang, k)],
    )


def formats_section(formats: pd.DataFrame, times: pd.DataFrame, lang: str, k: int) -> Section:
    title = t("overview.formats", lang)
    return Section(
        key="formats",
        title=t("report.formats.title", lang),
        lead=t("report.formats.lead", lang),
        figures=[Figure(title, charts.weighted_bars(formats, lang, title), max_height_mm=80)],
        tables=[
            _share_table(formats, "format", t("report.sheet.formats", lang), title, lang, k),
            _share_table(
                times, "time", t("report.sheet.time", lang), t("overview.times", lang), lang, k
            ),
        ],
    )


def segments_section(result, filters: filtering.Filters, lang: str, k: int) -> Section:
    items, rows = [], []
    for profile in result.profiles:
        name = profile[f"name_{lang}"]
        head = t("report.segments.head", lang, n=profile["segment"], name=name)
        if profile["size"] < k:
            # A tiny segment's size and shares would point at a handful of people.
            items.append((head, t("report.segments.small", lang, k=k)))
            rows.append([profile["segment"], name, f"<{k}", None, "", ""])
            continue
        line_1, _, line_2 = profile[f"description_{lang}"].partition("\n")
        items.append((head, f"{line_1}\n{line_2}".strip()))
        rows.append([profile["segment"], name, profile["size"], profile["share"], line_1, line_2])
    paragraphs = []
    if filters != filtering.Filters(wave=filters.wave):
        paragraphs.append(t("report.segments.whole_wave", lang, wave=filters.wave))
    return Section(
        key="segments",
        title=t("groups.segments", lang),
        lead=t("report.segments.lead", lang, k=result.k),
        items=items,
        paragraphs=paragraphs,
        tables=[
            Table(
                sheet=t("report.sheet.segments", lang),
                title=t("groups.segments", lang),
                columns=[
                    Column(t("report.col.segment", lang), "count"),
                    Column(t("report.col.name", lang)),
                    Column(t("col.respondents", lang), "count"),
                    Column(t("col.share", lang), "percent"),
                    Column(t("report.col.description", lang)),
                    Column(t("report.col.who", lang)),
                ],
                rows=rows,
                note=t("report.segments.note", lang),
                printed=False,
            )
        ],
    )


def method_section(con, filters, weights: RakeResult, lang: str, k: int) -> Section:
    period = catalog.population_period(con, filters.wave)
    trim = weights.trim or (0.2, 5.0)
    paragraphs = [
        t("report.method.rate", lang, period=period),
        t("report.method.ratio", lang),
        t("report.method.scores", lang),
        t(
            "report.method.weights",
            lang,
            low=number(trim[0], lang, 1),
            high=number(trim[1], lang, 1),
            ess=number(weights.effective_sample_size, lang),
        ),
        views.weights_note(weights, lang),
        t("report.method.segments", lang),
        t("report.method.suppression", lang, k=k),
    ]
    spread = catalog.postal_spread_respondents(con, filters.wave)
    if spread:
        paragraphs.append(
            f"{t('postal.spread_note', lang)} {tn('postal.spread_detail', spread, lang)}"
        )
    return Section(
        key="method",
        title=t("report.method.title", lang),
        paragraphs=paragraphs,
        tables=[sources_table(con, filters.wave, lang)],
        closing=[credit(con, lang)],
    )


def sources_table(con, wave: str, lang: str) -> Table:
    """The data behind the report: the wave's survey files, the population and the areas."""
    populations = population_sources(con).set_index("batch_id")
    _name, opened, closed = wave_row(con, wave)
    rows = []
    for batch in list_batches(con):
        if batch["undone_at"] is not None and not pd.isna(batch["undone_at"]):
            continue
        kind = batch["kind"]
        if kind == "survey" and batch["wave_id"] == wave:
            what = t("report.source.survey", lang, name=wave_name(con, wave))
            when = f"{date_text(opened, lang)}–{date_text(closed, lang)}"
        elif kind == "population" and batch["batch_id"] in populations.index:
            entry = populations.loc[batch["batch_id"]]
            what = t("report.source.population", lang, source=entry["source"] or "")
            when = t("report.source.periods", lang, periods=entry["periods"])
        elif kind == "areas":
            what, when = t("report.source.areas", lang), ""
        else:
            continue
        rows.append(
            [what, batch["file_name"], when, date_text(batch["loaded_at"], lang),
             batch["rows_loaded"]]
        )  # fmt: skip
    return Table(
        sheet=t("report.sheet.sources", lang),
        title=t("report.sources.title", lang),
        columns=[
            Column(t("report.col.source", lang)),
            Column(t("report.col.file", lang)),
            Column(t("report.col.period", lang)),
            Column(t("report.col.loaded", lang)),
            Column(t("report.col.rows", lang), "count"),
        ],
        rows=rows,
        note=t("report.sources.note", lang, period=catalog.population_period(con, wave)),
    )
