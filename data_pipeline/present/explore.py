"""What the Udforsk page shows: two dimensions crossed into a long, labelled, suppressed table,
optionally weighted, with the one sentence of weighting diagnostics.

Every known row and column value appears (a zero shows as suppressed rather than vanishing), and
values the filter bar excludes are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import data_pipeline.analysis.counting as counting
import data_pipeline.analysis.filtering as filtering
from data_pipeline.analysis.differencing import differencing_mask
from data_pipeline.core.disclosure import suppress_table
from data_pipeline.core.i18n import t
from data_pipeline.present.view_shared import label_series, order


def explore_view(
    con,
    filters: filtering.Filters,
    rows: str,
    cols: str,
    measure: str = "count",
    weighted: bool = False,
    k: int = 5,
    lang: str = "da",
) -> pd.DataFrame:
    """Two dimensions crossed: long table rows, cols, respondents, value, suppressed, labels."""
    if rows == cols:
        raise ValueError("rows and cols must differ")
    if rows in filtering.MULTI_DIMENSIONS and cols in filtering.MULTI_DIMENSIONS:
        frame = counting.crosstab_multi(con, filters, rows, cols)
    else:
        frame = counting.respondents_by(con, filters, (rows, cols))
    frame = frame.rename(
        columns={filtering.column_alias(rows): "row", filtering.column_alias(cols): "col"}
    )
    if weighted:
        from data_pipeline.analysis.raking import rake
        from data_pipeline.analysis.weighting import weighted_counts

        raked = rake(con, filters)
        weights = weighted_counts(con, filters, (rows, cols), raked)
        weights = weights.rename(
            columns={filtering.column_alias(rows): "row", filtering.column_alias(cols): "col"}
        )
        frame = frame.merge(weights[["row", "col", "weighted"]], on=["row", "col"], how="left")
    frame = _complete_grid(con, frame, rows, cols, filters)
    hidden = differencing_mask(con, filters, frame, {"row": rows, "col": cols}, "respondents", k)
    frame = suppress_table(
        frame, "respondents", k, group_column="row", dependent_columns=("weighted",), hidden=hidden
    )
    basis = "weighted" if weighted else "respondents"
    if measure == "row":
        frame["value"] = frame[basis] / frame.groupby("row")[basis].transform("sum")
    elif measure == "col":
        frame["value"] = frame[basis] / frame.groupby("col")[basis].transform("sum")
    else:
        frame["value"] = frame[basis]
    frame.loc[frame["suppressed"], "value"] = np.nan
    frame["row_label"] = label_series(con, rows, frame["row"], lang)
    frame["col_label"] = label_series(con, cols, frame["col"], lang)
    if weighted:  # what the weights cost and what they fixed, where weights are shown
        frame.attrs["weights_note"] = weights_note(raked, lang)
    return frame


def weights_note(raked, lang: str = "da") -> str:
    """One sentence of weighting diagnostics (as Meta's balance): Kish's design effect and
    effective n, the standardised difference per variable before/after, and the rule for
    respondents the weights cannot reach."""
    from data_pipeline.core.i18n import number

    balance = raked.balance.set_index("variable")

    def pair(variable: str) -> str:
        if variable not in balance.index:
            return "–"
        row = balance.loc[variable]
        return f"{number(row['before'], lang, 3)} → {number(row['after'], lang, 3)}"

    return t(
        "weights.diagnostics",
        lang,
        deff=number(raked.design_effect, lang, 2),
        ess=number(raked.effective_sample_size, lang),
        n=number(raked.respondents + raked.excluded, lang),
        bg=pair("age_band_gender"),
        area=pair("area"),
        rule=t("weights.unknown_rule", lang),
    )


# A single-valued dimension narrowed by the filter bar: values outside the selection are zero
# by construction, so they are left out rather than shown as a suppressed "<5" (issue 14).
FILTERED_BY = {
    "age_band": "age_bands",
    "gender": "genders",
    "area": "areas",
    "time": "times",
    "engagement": "engagements",
}


def _complete_grid(
    con, frame: pd.DataFrame, rows: str, cols: str, filters: filtering.Filters | None = None
) -> pd.DataFrame:
    """Every known row × col value appears, so a zero is shown (as suppressed), not hidden;
    values the filter excludes do not appear at all."""
    row_values = _within_filter(order(con, rows), rows, filters) or sorted(
        frame["row"].dropna().unique()
    )
    col_values = _within_filter(order(con, cols), cols, filters) or sorted(
        frame["col"].dropna().unique()
    )
    extra_rows = [v for v in frame["row"].unique() if v not in row_values]
    extra_cols = [v for v in frame["col"].unique() if v not in col_values]
    grid = pd.MultiIndex.from_product(
        [row_values + extra_rows, col_values + extra_cols], names=["row", "col"]
    ).to_frame(index=False)
    merged = grid.merge(frame, on=["row", "col"], how="left")
    merged["respondents"] = merged["respondents"].fillna(0)
    if "weighted" in merged:
        merged["weighted"] = merged["weighted"].fillna(0.0)
    return merged


def _within_filter(values: list, dim: str, filters: filtering.Filters | None) -> list:
    chosen = getattr(filters, FILTERED_BY.get(dim, ""), ()) if filters is not None else ()
    return [v for v in values if v in chosen] if chosen else values
