"""Drawing helpers shared by pages: downloads, number formats, small Altair charts.

Downloads are built from the already suppressed tables the pages show, never from raw rows.
"""

from __future__ import annotations

import io

import altair as alt
import pandas as pd
import streamlit as st

from data_pipeline.i18n import number, percent, t

COLORS = {"respondents": "#1f5f8b", "population": "#b8c7d6"}


def count_text(value, suppressed: bool, k: int) -> str:
    return f"<{k}" if suppressed else number(value, st.session_state.get("lang", "da"))


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "Data") -> bytes:
    """Values only: text that starts like a formula is written as text, never evaluated."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet[:31])
        for row in writer.sheets[sheet[:31]].iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"):
                    cell.data_type = "s"
    return buffer.getvalue()


def downloads(frame: pd.DataFrame, name: str, lang: str, key: str) -> None:
    left, right = st.columns(2)
    left.download_button(
        t("download.csv", lang),
        frame.to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
    )
    right.download_button(
        t("download.xlsx", lang),
        xlsx_bytes(frame),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
    )


def ranked_bars(frame: pd.DataFrame, lang: str, title: str) -> alt.Chart:
    """Horizontal bars of shares, largest first; hidden options are left out of the chart."""
    shown = frame.dropna(subset=["share"]).copy()
    shown["share_text"] = shown["share"].map(lambda v: percent(v, lang, 0))
    return (
        alt.Chart(shown, title=title)
        .mark_bar(color=COLORS["respondents"])
        .encode(
            x=alt.X("share:Q", title=t("col.share", lang), axis=alt.Axis(format="%")),
            y=alt.Y("label:N", sort=list(shown["label"]), title=None),
            tooltip=[
                alt.Tooltip("label:N", title=t("col.option", lang)),
                alt.Tooltip("share_text:N", title=t("col.share", lang)),
            ],
        )
        .properties(height=ranked_height(frame) - 70)
    )


def ranked_height(frame: pd.DataFrame) -> int:
    """Room for every option's label: Streamlit would otherwise squeeze the bars together."""
    return 70 + 28 * max(3, int(frame["share"].notna().sum()))


def show_table(
    frame: pd.DataFrame, column_config: dict | None = None, key: str | None = None
) -> None:
    st.dataframe(frame, hide_index=True, column_config=column_config, key=key)
