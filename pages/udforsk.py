"""Udforsk: cross any two questions, as counts or shares, weighted or not; table and downloads."""

import altair as alt
import streamlit as st

from app_support import data, state, ui, waves
from data_pipeline.core.i18n import number, percent, t

lang, filters = state.page_setup()
k = state.K_DEFAULT

DIMS = ["age_band", "gender", "area", "topic", "format", "time", "engagement", "interest", "wave"]
DIMS += data.choices(data.db_path(), lang)["extra"]


def dim_label(dim: str) -> str:
    """Extra background columns keep the name the analyst gave them in the mapping file."""
    return (
        dim.removeprefix("extra.").replace("_", " ").capitalize()
        if dim.startswith("extra.")
        else t(f"dim.{dim}", lang)
    )


st.title(t("explore.title", lang))
st.caption(t("explore.lead", lang))
state.show_url_notice(lang)
st.caption(ui.plain(state.describe_filters(filters, lang)))

# Three choices on the first row, chart and weighting on the second: at 1024 px a fourth
# column would cut the toggle's label to "Vægtet …".
left, right, measure_col = st.columns([1, 1, 1.3])
chart_col, weight_col = st.columns([2, 1.3])
# Every choice lives in the link (state.linked), so a copied URL opens this same table.
rows = state.linked(
    left.selectbox, t("explore.rows", lang), DIMS, key="x_rows", default=DIMS[0],
    format_func=dim_label,
)  # fmt: skip
cols = state.linked(
    right.selectbox, t("explore.cols", lang), DIMS, key="x_cols", default=DIMS[3],
    format_func=dim_label,
)  # fmt: skip
measure = state.linked(
    measure_col.radio,
    t("explore.measure", lang),
    ["count", "row", "col"],
    key="x_measure",
    default="count",
    format_func=lambda m: t(
        {"count": "explore.count", "row": "explore.row_pct", "col": "explore.col_pct"}[m], lang
    ),
    horizontal=True,
)
weighted = state.linked(
    weight_col.toggle,
    t("explore.weighted", lang),
    key="x_weighted",
    default=False,
    help=t("explore.weighted_help", lang),
)
chart_kind = state.linked(
    chart_col.radio,
    t("explore.chart", lang),
    ["heatmap", "bars"],
    key="x_chart",
    default="heatmap",
    format_func=lambda c: t(f"explore.{c}", lang),
    horizontal=True,
)

if rows == cols:
    st.warning(t("explore.same_dim", lang))
    st.stop()

# The wave dimension compares waves, so the wave filter must not narrow it away.
if "wave" not in (rows, cols):
    waves.stop_if_empty(filters, lang)
view_filters = filters.replace(wave=None) if "wave" in (rows, cols) else filters
frame = data.explore(data.db_path(), view_filters, rows, cols, measure, weighted, k, lang)
if frame["respondents"].fillna(0).sum() == 0 and not frame["suppressed"].any():
    st.warning(t("filter.empty", lang))
    st.stop()
if weighted and frame.attrs.get("weights_note"):  # design effect and balance (issue 12)
    st.caption(frame.attrs["weights_note"])

is_share = measure != "count"
frame["text"] = [
    f"<{k}" if s else (percent(v, lang, 0) if is_share else number(v, lang))
    for v, s in zip(frame["value"], frame["suppressed"], strict=True)
]
frame["dark"] = frame["value"] > 0.6 * frame["value"].max()
row_order = list(dict.fromkeys(frame["row_label"]))
col_order = list(dict.fromkeys(frame["col_label"]))
value_title = t("col.share", lang) if is_share else t("col.respondents", lang)
tooltip = [
    alt.Tooltip("row_label:N", title=dim_label(rows)),
    alt.Tooltip("col_label:N", title=dim_label(cols)),
    alt.Tooltip("text:N", title=value_title),
]
axis_format = "%" if is_share else ",d"
all_hidden = bool(frame["value"].isna().all())
if all_hidden:
    # Every cell has fewer than k answers: a sentence, not an empty chart with a "NaN %" legend.
    st.info(t("explore.all_hidden", lang, k=k))
elif chart_kind == "heatmap":
    base = alt.Chart(frame).encode(
        x=alt.X(
            "col_label:N",
            sort=col_order,
            title=dim_label(cols),
            # Every option named, under its own column: Vega would drop every other label.
            axis=alt.Axis(labelAngle=-40, labelAlign="right", labelOverlap=False, labelLimit=180),
        ),
        y=alt.Y(
            "row_label:N",
            sort=row_order,
            title=dim_label(rows),
            axis=alt.Axis(labelOverlap=False, labelLimit=200),
        ),
    )
    chart = base.mark_rect().encode(
        color=alt.Color(
            "value:Q",
            scale=alt.Scale(scheme="blues", zero=True),
            title=value_title,
            legend=alt.Legend(format=axis_format),
        ),
        tooltip=tooltip,
    ) + base.mark_text(fontSize=11).encode(
        text="text:N",
        color=alt.condition("datum.dark", alt.value("white"), alt.value("#222")),
    )
    chart_height = max(200, 30 * len(row_order))
    chart = chart.properties(height=chart_height)
    ui.draw_chart(ui.danish_chart(chart, lang), height=chart_height + 190, key="x_chart_view")
else:
    # Small multiples: one panel per row option, one colour, every option named on its bar,
    # instead of ten similar colours in one grouped chart.
    frame["bar_end"] = frame["value"].fillna(0)
    panel = alt.Chart().encode(
        y=alt.Y(
            "col_label:N",
            sort=col_order,
            title=None,
            axis=alt.Axis(labelOverlap=False, labelLimit=170),
        ),
        tooltip=tooltip,
    )
    bars = panel.mark_bar(color=ui.COLORS["respondents"]).encode(
        x=alt.X("value:Q", title=value_title, axis=alt.Axis(format=axis_format, tickCount=4))
    )
    labels = panel.mark_text(align="left", dx=3, fontSize=10, color="#222").encode(
        x="bar_end:Q", text="text:N"
    )
    panel_height = 16 * len(col_order)
    chart = (
        alt.layer(bars, labels, data=frame)
        .properties(width=190, height=panel_height)
        .facet(
            facet=alt.Facet(
                "row_label:N",
                sort=row_order,
                title=dim_label(rows),
                header=alt.Header(labelFontSize=12, labelFontWeight="bold"),
            ),
            columns=3,
        )
        .resolve_axis(y="independent")
    )
    panel_rows = -(-len(row_order) // 3)
    ui.draw_chart(
        ui.danish_chart(chart, lang),
        height=panel_rows * (panel_height + 45) + 70,
        key="x_chart_view",
    )
st.caption(t("explore.suppressed_note", lang, k=k))

nobody = percent(0, lang, 0) if is_share else number(0, lang)
table = (
    frame.pivot(index="row_label", columns="col_label", values="text")
    .reindex(index=row_order, columns=col_order)
    .fillna(nobody)
)
table.index.name = dim_label(rows)
table = table.reset_index()
ui.show_table(table, key="x_table")
# The files hold numbers as numbers (Excel formats them), "<k" only where a cell is hidden.
frame["cell"] = frame["value"].astype(object).where(~frame["suppressed"], f"<{k}")
# A combination nobody answered is 0 (no one), not a blank a reader could take for "hidden".
export = (
    frame.pivot(index="row_label", columns="col_label", values="cell")
    .reindex(index=row_order, columns=col_order)
    .fillna(0)
)
export.index.name = dim_label(rows)
kind = "percent" if is_share else "count"
file_stem = ui.file_name(
    t("explore.title", lang),
    dim_label(rows),
    dim_label(cols),
    *state.filter_file_words(filters, lang),
)
measure_words = {"count": "explore.count", "row": "explore.row_pct", "col": "explore.col_pct"}
what = f"{dim_label(rows)} × {dim_label(cols)}: {t(measure_words[measure], lang)}"
if weighted:
    what += f" ({t('explore.weighted', lang).lower()})"
about = state.export_about(what, filters, lang)
kinds = dict.fromkeys(col_order, kind)
ui.downloads(export.reset_index(), file_stem, lang, "x_dl", kinds, about)
