"""The batched disclosure counts (one GROUPING SETS scan for several tables) give exactly the
frames of one query per table, including unknown values (NULL) and split columns."""

from __future__ import annotations

import pandas as pd
import pytest

from data_pipeline.analysis import disclosure_counts
from data_pipeline.analysis.filtering import Filters

FILTERS = [
    Filters(),
    Filters(age_bands=("18-24", "25-29"), topics=("klima",)),
    Filters(areas=("01", "02"), genders=("kvinde",)),
    Filters(topics=("klima", "trafik"), engagements=("aktiv", "medansvar")),
]
SETS = [("age_band",), ("gender",), ("age_band", "gender"), ("area",), ("area", "gender"), ()]


@pytest.mark.parametrize("filters", FILTERS, ids=range(len(FILTERS)))
def test_tables_counted_together_equal_tables_counted_one_by_one(sample_db, filters):
    splits = [None] + [
        f for f in ("age_bands", "areas", "topics", "engagements") if getattr(filters, f)
    ]
    requests = [(filters, dims, split) for dims in SETS for split in splits]
    requests += [(filters, ("topic",), None), (filters, ("age_band", "topic"), None)]

    together = disclosure_counts.table_counts_many(sample_db, requests)

    assert set(together) == set(requests)
    for request in requests:
        alone = disclosure_counts.table_counts(sample_db, *request)
        keys = [c for c in alone.columns if c != "respondents"]
        pd.testing.assert_frame_equal(
            together[request].sort_values(keys, na_position="first").reset_index(drop=True),
            alone.sort_values(keys, na_position="first").reset_index(drop=True),
            check_dtype=False,
        )
    # The sample has respondents without an age or area: their NULL cells must survive
    # the batching as unknown values, not vanish as rolled-up columns.
    by_age = together[(filters, ("age_band",), None)]
    assert by_age["age_band"].isna().any() or filters.age_bands


FIELDS = ("age_bands", "genders", "areas", "times", "engagements", "topics", "formats")
OPTION_TABLES = [("topic",), ("format",), ("age_band", "topic"), ("area", "format"), ("time",)]


@pytest.mark.parametrize("filters", FILTERS, ids=range(len(FILTERS)))
def test_filter_variants_and_option_columns_in_one_scan_equal_one_query_each(sample_db, filters):
    """What a page's check asks for at once: its filter and each variant with one field
    cleared, tables with a topic or format column (conditional sums per option, not a join),
    area tables (the spread source) and splits by a chosen field — against table_counts, one
    query per table with the vocabulary join."""
    variants = [filters] + [filters.replace(**{f: ()}) for f in FIELDS if getattr(filters, f)]
    splits = [None] + [f for f in ("areas", "topics", "engagements") if getattr(filters, f)]
    requests = [
        (variant, dims, split)
        for variant in variants
        for dims in [*OPTION_TABLES, *SETS]
        for split in splits
        if split is None or getattr(variant, split)  # a split needs its field chosen
    ]
    requests.append((filters, ("topic", "format"), None))  # two option columns: own query

    together = disclosure_counts.table_counts_many(sample_db, requests)

    assert set(together) == set(requests)
    compared_rows = 0
    for request in requests:
        alone = disclosure_counts.table_counts(sample_db, *request)
        keys = [c for c in alone.columns if c != "respondents"]
        assert list(together[request].columns) == list(alone.columns), request
        pd.testing.assert_frame_equal(
            together[request].sort_values(keys, na_position="first").reset_index(drop=True),
            alone.sort_values(keys, na_position="first").reset_index(drop=True),
            check_dtype=False,
        )
        compared_rows += len(alone)
    assert compared_rows > 100  # the tables are not empty by accident


def test_a_total_under_a_variant_nobody_is_in_is_one_empty_row_as_alone(sample_db):
    """A table without columns is one sum: one row even when no respondent is in the variant
    (here: a filter nobody matches), also when it shares a scan with variants that match."""
    nobody = Filters(age_bands=("15-17",), areas=("01",), topics=("klima",), genders=("x",))
    some = Filters(areas=("01",))  # the same source (area-spread), so the same scan
    requests = [(nobody, (), None), (some, (), None), (some, ("age_band",), None)]
    together = disclosure_counts.table_counts_many(sample_db, requests)
    for request in requests:
        alone = disclosure_counts.table_counts(sample_db, *request)
        pd.testing.assert_frame_equal(
            together[request].reset_index(drop=True), alone, check_dtype=False
        )
    assert len(together[requests[0]]) == 1 and together[requests[0]]["respondents"].isna().all()
