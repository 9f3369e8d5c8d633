"""Drawing helpers shared by pages: downloads, number formats, small Altair charts.

Downloads are built from the already suppressed tables the pages show, never from raw rows.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import textwrap
from functools import lru_cache

import altair as alt
import pandas as pd
import streamlit as st

from data_pipeline.core import disclosure, safe_export
from data_pipeline.core.errors import in_language
from data_pipeline.core.i18n import number, percent, t, vega_locale

COLORS = {"respondents": "#1f5f8b", "population": "#b8c7d6"}


# Every ASCII punctuation mark: CommonMark shows a backslash-escaped one as itself, so no
# heading, link, image, emphasis, HTML, math ($) or Streamlit directive (:red[...]) can start.
_MARKUP = re.compile(r"([!-/:-@\[-`{-~])")
_AUTOLINK = re.compile(r"(https?|ftps?|www|mailto)(?=[:.])", re.IGNORECASE)


def plain(value, unlink: bool = True) -> str:
    """Text from a file or a URL (labels, names, parameters, error values) made literal for
    every element that renders Markdown (st.markdown, st.caption, st.info, ...): punctuation
    escaped, line breaks folded into spaces so nothing starts a new block.

    `unlink=False` is for a trusted identity (the signed-in e-mail), which may stay a link."""
    text = " ".join(str(value).split())
    if unlink:
        # The browser's autolinker works on the text after escapes are undone: an invisible
        # word joiner keeps "http://", "www." and "name@host" from becoming links.
        text = _AUTOLINK.sub("\\1\u2060", text).replace("@", "\u2060@")
    return _MARKUP.sub(r"\\\1", text)


def error_text(error, lang: str) -> str:
    """A pipeline error as the page shows it: the reader's language of a bilingual message
    ("Dansk. / English."), made literal for Markdown."""
    return plain(in_language(str(error), lang))


def count_text(value, suppressed: bool, k: int) -> str:
    return f"<{k}" if suppressed else number(value, st.session_state.get("lang", "da"))


def headline_count(count, k: int, lang: str) -> str:
    """One headline number as a reader sees it: "1.450", or "<5" when the disclosure rule
    (data_pipeline.core.disclosure) does not let it be shown."""
    if disclosure.is_publishable(count, k=k):
        return number(count, lang)
    return disclosure.suppressed_label(k)


def downloads(
    frame: pd.DataFrame,
    name: str,
    lang: str,
    key: str,
    kinds: dict[str, str] | None = None,
    about: list[tuple[str, str]] | None = None,
) -> None:
    """CSV and Excel of a table, both through data_pipeline.core.safe_export (no formulas, numbers as
    numbers). `kinds` names the number columns (count, percent, ratio) for their formats;
    `about` (state.export_about: title, filters, wave, source, date) describes the Excel file.

    The files are written when a button is clicked, not on every rerun: building the XLSX took
    ~40-120 ms of each filter change on Udforsk (tools/profile_rerun.py, issue 16)."""
    frame = frame.copy()  # the page may change its frame after this call; the click comes later
    left, right = st.columns(2)
    left.download_button(
        t("download.csv", lang),
        lambda: safe_export.csv_bytes(frame, kinds, lang),
        file_name=f"{name}.csv",
        mime=safe_export.CSV_MIME,
        key=f"{key}_csv",
    )
    right.download_button(
        t("download.xlsx", lang),
        lambda: safe_export.xlsx_bytes(
            frame, kinds=kinds, about=about or (), about_sheet=t("download.about_sheet", lang)
        ),
        file_name=f"{name}.xlsx",
        mime=safe_export.XLSX_MIME,
        key=f"{key}_xlsx",
    )


def ranked_bars(frame: pd.DataFrame, lang: str, title: str) -> alt.Chart:
    """Horizontal bars of shares, largest first; hidden options are left out of the chart."""
    shown = frame.dropna(subset=["share"]).copy()
    shown["share_text"] = shown["share"].map(lambda v: percent(v, lang, 0))
    chart = (
        alt.Chart(shown, title=title)
        .mark_bar(color=COLORS["respondents"])
        .encode(
            x=alt.X("share:Q", title=t("col.share", lang), axis=alt.Axis(format="%")),
            # Every option named in full: Vega would otherwise drop or cut labels in a narrow
            # column; long names break over two lines so the bars keep room at 1024 px.
            y=alt.Y(
                "label:N",
                sort=list(shown["label"]),
                title=None,
                axis=alt.Axis(
                    labelOverlap=False,
                    labelLimit=240,
                    labelExpr=wrapped_labels(shown["label"]),
                    # Vega puts a label's first line on the bar; a two-line one moves up by half
                    # a line so it sits centred on its bar, not half between two bars.
                    labelLineHeight=LABEL_LINE,
                    labelOffset={
                        "condition": {
                            "test": f"isArray({wrapped_labels(shown['label'])})",
                            "value": -LABEL_LINE / 2,
                        },
                        "value": 0,
                    },
                ),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=t("col.option", lang)),
                alt.Tooltip("share_text:N", title=t("col.share", lang)),
            ],
        )
        .properties(height=ranked_height(frame) - 70)
    )
    return danish_chart(chart, lang)


LABEL_LINE = 12  # px between the lines of a wrapped axis label


def wrapped_labels(labels, width: int = 16) -> str:
    """A Vega label expression that writes each long label over lines of about `width`
    characters (an array of lines is drawn as a multi-line label); short labels stay as they are."""
    lines = {
        str(label): textwrap.wrap(str(label), width, break_long_words=False, break_on_hyphens=True)
        for label in labels
        if len(str(label)) > width
    }
    return f"{json.dumps(lines, ensure_ascii=False)}[datum.value] || datum.value"


def ranked_height(frame: pd.DataFrame) -> int:
    """Room for every option's label: Streamlit would otherwise squeeze the bars together."""
    shown = frame.loc[frame["share"].notna()]
    two_lines = "label" in shown and shown["label"].astype(str).str.len().gt(16).any()
    return 70 + (38 if two_lines else 28) * max(3, len(shown))


def blank_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """Empty cells stay empty: Streamlit would write "None" in a Danish table."""
    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype == object or pd.api.types.is_string_dtype(shown[column]):
            shown[column] = shown[column].astype(object).where(shown[column].notna(), "")
    return shown


# A cell written as a number for the reader: "1.234", "15,3 %", "0,26 (0,23–0,30)", "<5", "–".
_NUMBER_TEXT = re.compile(r"[<+−-]?\d[\d.,]*(\s?%)?(\s\(.*\))?|–|-|")


def number_columns(frame: pd.DataFrame) -> list[str]:
    """Text columns that hold only numbers as the reader reads them (formatted with Danish
    separators by the page): they are right-aligned like numbers, not left like words."""
    found = []
    for column in frame.columns:
        values = frame[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        texts = [str(v).strip() for v in values if isinstance(v, str)]
        complete = bool(texts) and len(texts) == values.notna().sum()
        digits = any(any(c.isdigit() for c in v) for v in texts)
        if complete and digits and all(_NUMBER_TEXT.fullmatch(v) for v in texts):
            found.append(column)
    return found


def show_table(
    frame: pd.DataFrame, column_config: dict | None = None, key: str | None = None
) -> None:
    """A table with empty cells empty and numbers written as text aligned right."""
    config = {c: st.column_config.TextColumn(alignment="right") for c in number_columns(frame)}
    config.update(column_config or {})
    st.dataframe(blank_missing(frame), hide_index=True, column_config=config or None, key=key)


def danish_chart(chart, lang: str):
    """A chart that formats numbers and dates in the interface language (0,25 and "maj")."""
    chart.config = chart.config if chart.config is not alt.Undefined else alt.Config()
    chart.config.locale = vega_locale(lang)
    return chart


def draw_chart(chart, **kwargs):
    """st.altair_chart without checking the spec against Vega-Lite's JSON schema on every rerun.

    Altair validates each spec as Streamlit converts it: 30-130 ms of a filter change
    (tools/profile_rerun.py). The pages build the same few chart shapes every time, and
    tests/test_chart_specs.py validates every spec they draw against the schema instead.
    """
    # Streamlit calls chart.to_dict() itself; the chart's own attributes are schema properties
    # (Altair routes setattr there), so the method is set on the instance directly.
    object.__setattr__(chart, "to_dict", functools.partial(chart.to_dict, validate=False))
    return st.altair_chart(chart, **kwargs)


def today_text(lang: str) -> str:
    today = dt.date.today()
    if lang == "en":
        return today.strftime("%d %B %Y").lstrip("0")
    months = vega_locale("da")["time"]["months"]
    return f"{today.day}. {months[today.month - 1]} {today.year}"


@lru_cache(maxsize=1)
def _sample_area_names() -> frozenset[str]:
    from data_pipeline.store.sample import SAMPLE_DIR

    collection = json.loads((SAMPLE_DIR / "areas.geojson").read_text(encoding="utf-8"))
    return frozenset(
        str(v)
        for feature in collection.get("features", [])
        for k, v in (feature.get("properties") or {}).items()
        if "navn" in k.lower() or "name" in k.lower()
    )


def municipality(area_names) -> str | None:
    """The municipality's name for map titles: DELTAGELSESATLAS_MUNICIPALITY, or the sample's
    own name when the areas are the sample's; otherwise None (the title leaves it out)."""
    configured = os.environ.get("DELTAGELSESATLAS_MUNICIPALITY", "").strip()
    if configured:
        return configured
    names = set(area_names)
    if names and names <= _sample_area_names():
        from tools.synthetic import MUNICIPALITY

        return MUNICIPALITY
    return None


def _band_bounds(band: str) -> tuple[int, int | None] | None:
    match = re.fullmatch(r"\s*(\d+)\s*(?:[-–]\s*(\d+)|\+)\s*", band)
    if not match:
        return None
    return int(match.group(1)), int(match.group(2)) if match.group(2) else None


def group_text(bands, genders, lang: str, band_labels: dict | None = None) -> str:
    """The group a map shows, in words: "18–29-årige", "18–29-årige kvinder", "alle borgere"."""
    gender_words = t("report.and", lang).join
    genders_text = gender_words(t(f"group.gender.{g}", lang) for g in genders) if genders else ""
    bounds = [_band_bounds(b) for b in bands]
    if not bands:
        return genders_text or t("group.all", lang)
    if all(bounds):
        ordered = sorted(bounds)
        contiguous = all(
            left[1] is not None and right[0] == left[1] + 1
            for left, right in zip(ordered, ordered[1:], strict=False)
        )
        if contiguous:
            low, high = ordered[0][0], ordered[-1][1]
            if high is None:
                if genders_text:
                    return t("group.open_gender", lang, genders=genders_text, age=low)
                return t("group.ages_open", lang, age=low)
            ages = f"{low}–{high}"
        else:
            ages = ", ".join(f"{b[0]}–{b[1]}" if b[1] else f"{b[0]}+" for b in ordered)
    else:
        ages = ", ".join((band_labels or {}).get(b, b) for b in bands)
    if genders_text:
        return t("group.ages_gender", lang, ages=ages, genders=genders_text)
    return t("group.ages", lang, ages=ages)


def file_name(*parts: str) -> str:
    """A Danish file name that says what is in it: "deltagelsesatlas_kort_svarprocent_boelge-2025".

    Letters æ, ø and å become ae, oe and aa, so the name survives e-mail and every file system."""
    words = []
    for part in ("deltagelsesatlas", *parts):
        text = str(part).lower()
        for letter, plain in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("–", "-")):
            text = text.replace(letter, plain)
        text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
        if text:
            words.append(text)
    return "_".join(words)[:120]
