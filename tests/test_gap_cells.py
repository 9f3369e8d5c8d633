"""One GROUPING SETS scan per rerun serves the scores and the gaps, also under a filter that
fixes one value (issue 16: Grupper scanned the respondents again for the gaps)."""

from __future__ import annotations

import pandas as pd
import pytest

from data_pipeline.analysis.cells import cells_for, grouping_cells
from data_pipeline.analysis.filtering import Filters
from data_pipeline.analysis.gaps import find_gaps
from data_pipeline.present.groups import open_dimensions

FILTERS = [
    Filters(wave="2025"),
    Filters(wave="2025", age_bands=("30-39",)),
    Filters(wave="2025", genders=("kvinde",)),
    Filters(wave="2025", areas=("03",)),
    Filters(wave="2025", age_bands=("70-79",), genders=("mand",)),
    Filters(wave="2025", age_bands=("18-24",), genders=("kvinde",), areas=("03",)),
    Filters(wave="2025", age_bands=("30-39", "40-49"), topics=("klima",)),
]


def in_order(cells: pd.DataFrame) -> pd.DataFrame:
    dims = [c for c in cells.columns if c not in ("gid", "respondents", "population")]
    return cells.sort_values(["gid", *dims], na_position="first").reset_index(drop=True)


@pytest.mark.parametrize("filters", FILTERS, ids=repr)
def test_the_cells_of_the_open_dimensions_are_the_cells_of_their_own_scan(sample_db, filters):
    dims = open_dimensions(filters)

    result = cells_for(grouping_cells(sample_db, filters), dims)
    expected = grouping_cells(sample_db, filters, dims)

    pd.testing.assert_frame_equal(in_order(result), in_order(expected), check_dtype=False)


@pytest.mark.parametrize("filters", FILTERS, ids=repr)
def test_the_gaps_from_the_shared_scan_are_the_gaps_of_their_own(sample_db, filters):
    dims = open_dimensions(filters)
    shared = cells_for(grouping_cells(sample_db, filters), dims)

    result = find_gaps(sample_db, filters, dims=dims, top=10, cells=shared)
    expected = find_gaps(sample_db, filters, dims=dims, top=10)

    pd.testing.assert_frame_equal(result, expected)
