"""The differencing attack, automated (issue 13, finding 2): a viewer sets one filter, then the
same filter with one value dropped (or the field cleared, or every value but one chosen), and
subtracts the two counts the app publishes. No such pair may differ by 1 to k-1, on the
Overblik headline, the map's per-area counts and topic shares, Grupper's table and
intersections, Udforsk's crosstab (also as the page shows it), Overblik's ranked lists and the
report's tables, for any filter tried on the sample."""

from __future__ import annotations

import pytest

import data_pipeline.analysis.catalog as catalog
import data_pipeline.analysis.counting as counting
import data_pipeline.analysis.filtering as filtering
import data_pipeline.present.explore as explore_views
import data_pipeline.present.groups as group_views
import data_pipeline.present.map_values as map_values
import data_pipeline.present.overview as overview_views
from data_pipeline.analysis.gaps import find_gaps
from data_pipeline.analysis.raking import rake
from data_pipeline.analysis.ratios import representation_table
from data_pipeline.core.disclosure import DEFAULT_K
from data_pipeline.present.reports.shared import option_shares
from tests.security.helpers import app

K = DEFAULT_K
# The fields the attack varies (each query is a real page count: 0.1-0.2 s on this machine).
FIELDS = ("age_bands", "genders", "areas", "topics")


def _values(con) -> dict[str, tuple[str, ...]]:
    """Every value a user can pick for each field (what the filter bar offers)."""

    def column(sql):
        return tuple(str(r[0]) for r in con.execute(sql).fetchall())

    vocab = "SELECT code FROM vocabulary WHERE kind = '{}' ORDER BY sort_order"
    return {
        "age_bands": column("SELECT label FROM age_band ORDER BY min_age"),
        "genders": ("kvinde", "mand", "andet", "uoplyst"),
        "areas": column("SELECT area_code FROM area ORDER BY 1"),
        "topics": column(vocab.format("topic")),
        "formats": column(vocab.format("format")),
        "times": column(vocab.format("time")),
        "engagements": column(vocab.format("engagement")),
    }


def one_change_away(
    filters: filtering.Filters, values: dict, fields=FIELDS
) -> list[filtering.Filters]:
    """Every filter a user gets from `filters` by dropping one value of one field: from a
    narrowed field (down to clearing it), or from an open field (all values but one)."""
    result = []
    for field in fields:
        chosen = getattr(filters, field)
        if chosen:
            result += [
                filters.replace(**{field: tuple(v for v in chosen if v != drop)}) for drop in chosen
            ]
        else:
            everything = values[field]
            result += [
                filters.replace(**{field: tuple(v for v in everything if v != drop)})
                for drop in everything
            ]
    return result


def starting_points(wave: str, values: dict) -> list[filtering.Filters]:
    """No filter, every single area, and area 04 (the reported attack) with each gender."""
    base = filtering.Filters(wave=wave)
    points = [base] + [base.replace(areas=(a,)) for a in values["areas"]]
    return points + [base.replace(areas=("04",), genders=(g,)) for g in values["genders"]]


def _risky(a, b) -> bool:
    return 1e-9 < abs(a - b) < K - 1e-9


def test_the_reported_attack_is_closed(sample_db):
    """/?area=04 shows its count; with gender narrowed to kvinde,mand,uoplyst the count that
    would reveal 04/andet is hidden."""
    wave = catalog.latest_wave(sample_db)
    whole = overview_views.headline_count(sample_db, filtering.Filters(wave=wave, areas=("04",)), K)
    narrowed = filtering.Filters(wave=wave, areas=("04",), genders=("kvinde", "mand", "uoplyst"))
    true_narrowed = counting.count_respondents(sample_db, narrowed)
    assert whole is not None
    assert _risky(whole, true_narrowed), "the sample still holds the reported small cell"
    assert overview_views.headline_count(sample_db, narrowed, K) is None


@pytest.mark.slow
def test_no_two_published_headline_counts_one_filter_change_apart_reveal_a_small_cell(sample_db):
    wave = catalog.latest_wave(sample_db)
    values = _values(sample_db)
    published: dict[filtering.Filters, float | None] = {}

    def shown(filters):
        if filters not in published:
            published[filters] = overview_views.headline_count(sample_db, filters, K)
        return published[filters]

    leaks, pairs = [], 0
    for start in starting_points(wave, values):
        for other in one_change_away(start, values):
            a, b = shown(start), shown(other)
            if a is None or b is None:
                continue
            pairs += 1
            if _risky(a, b):
                leaks.append((start, other, a, b))
    assert pairs > 150, "the attack compared enough published pairs to mean something"
    assert not leaks, leaks[:5]


@pytest.mark.slow
@pytest.mark.parametrize("field", ["genders"])
def test_the_map_never_shows_two_area_counts_that_differ_by_a_small_cell(sample_db, field):
    """Kort's tooltip counts per area: the whole municipality's filter against the same filter
    with one gender (or age band) dropped, area by area."""
    wave = catalog.latest_wave(sample_db)
    values = _values(sample_db)
    base = filtering.Filters(wave=wave)
    starts = [base] + [base.replace(**{field: (v,)}) for v in values[field]]
    leaks = []
    for start in starts:
        shown = map_values.map_view(sample_db, start, "rate", k=K).set_index("area_code")
        for other in one_change_away(start, values):
            if getattr(other, field) == getattr(start, field):
                continue
            theirs = map_values.map_view(sample_db, other, "rate", k=K).set_index("area_code")
            for area in shown.index:
                a, b = shown.at[area, "respondents"], theirs.at[area, "respondents"]
                if a == a and b == b and _risky(a, b):  # both shown (not NaN)
                    leaks.append((start, other, area, a, b))
    assert not leaks, leaks[:5]


# --- every published table (issue 13, finding 2, all surfaces) -----------------------------


def published(frame, keys, count: str = "respondents") -> dict:
    """cell -> count for every cell a table shows (hidden cells are left out)."""
    shown = frame[~frame["suppressed"].astype(bool)]
    return {
        tuple(row[key] for key in keys): float(row[count])
        for row in shown.to_dict("records")
        if row[count] == row[count]
    }


def attack(publish, starts, values, fields=FIELDS) -> tuple[int, list]:
    """Compare every cell `publish(filter)` shows under each start with the same cell one
    filter change away; returns (pairs compared, leaking pairs)."""
    seen: dict = {}

    def shown(filters):
        if filters not in seen:
            seen[filters] = publish(filters)
        return seen[filters]

    pairs, leaks = 0, []
    for start in starts:
        mine = shown(start)
        for other in one_change_away(start, values, fields):
            theirs = shown(other)
            for cell, a in mine.items():
                b = theirs.get(cell)
                if b is None:
                    continue
                pairs += 1
                if _risky(a, b):
                    leaks.append((start, other, cell, a, b))
    return pairs, leaks


def few_starts(wave: str, values: dict) -> list[filtering.Filters]:
    """No filter, each gender alone, area 04, and area 04 with women and men."""
    base = filtering.Filters(wave=wave)
    return (
        [base]
        + [base.replace(genders=(g,)) for g in values["genders"]]
        + [base.replace(areas=("04",)), base.replace(areas=("04",), genders=("kvinde", "mand"))]
    )


@pytest.mark.slow
@pytest.mark.parametrize("by", [("age_band",), ("gender",), ("area",)])
def test_grupper_table_never_shows_two_counts_one_filter_change_apart_that_differ_a_little(
    sample_db, by
):
    """Grupper's representation table (and its CSV/XLSX, built from the same frame)."""
    wave = catalog.latest_wave(sample_db)
    values = _values(sample_db)

    def publish(filters):
        table = representation_table(sample_db, filters, by=by, k=K)
        return published(table, list(by))

    fields = ("age_bands", "genders", "topics")
    pairs, leaks = attack(publish, few_starts(wave, values), values, fields)
    assert pairs >= 50, pairs  # enough published pairs for the attack to mean something
    assert not leaks, leaks[:5]


@pytest.mark.slow
def test_grupper_intersections_never_differ_a_little_one_filter_change_apart(sample_db):
    """Every intersection Grupper and Overblik may list (all of them, not only the top ten)."""
    wave = catalog.latest_wave(sample_db)
    values = _values(sample_db)

    def publish(filters):
        gaps = find_gaps(
            sample_db,
            filters,
            group_views.open_dimensions(filters),
            top=None,
            only_under=False,
            k=K,
        )
        gaps = gaps[gaps["status"] != "too_few"]
        return {
            tuple(sorted(group.items())): float(n)
            for group, n in zip(gaps["group"], gaps["respondents"], strict=True)
            if n == n
        }

    starts = [
        filtering.Filters(wave=wave),
        filtering.Filters(wave=wave, genders=("kvinde", "mand")),
    ]
    pairs, leaks = attack(publish, starts, values, ("genders", "topics"))
    assert pairs >= 50, pairs  # enough published pairs for the attack to mean something
    assert not leaks, leaks[:5]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("rows", "cols"), [("age_band", "gender"), ("area", "topic"), ("time", "format")]
)
def test_the_udforsk_crosstab_never_differs_a_little_one_filter_change_apart(sample_db, rows, cols):
    """Udforsk's crosstab: the table, the chart and both downloads are drawn from this frame."""
    wave = catalog.latest_wave(sample_db)
    values = _values(sample_db)

    def publish(filters):
        return published(
            explore_views.explore_view(sample_db, filters, rows, cols, k=K), ["row", "col"]
        )

    fields = ("age_bands", "genders", "topics")
    pairs, leaks = attack(publish, few_starts(wave, values), values, fields)
    assert pairs >= 50, pairs  # enough published pairs for the attack to mean something
    assert not leaks, leaks[:5]


@pytest.mark.slow
@pytest.mark.parametrize("measure", ["topic", "format"])
def test_the_map_share_and_its_tooltip_never_differ_a_little_one_filter_change_apart(
    sample_db, measure
):
    """Kort's topic/format share: the tooltip shows the area's respondents and the share, so
    those who chose the option (share × n) are published as well."""
    wave = catalog.latest_wave(sample_db)
    values = _values(sample_db)
    code = values[f"{measure}s"][0]

    def publish(filters):
        frame = map_values.map_view(sample_db, filters, measure, code=code, k=K)
        shown = frame[~frame["suppressed"] & frame["value"].notna()]
        areas, n = shown["area_code"], shown["respondents"]
        cells = {(a, "n"): float(v) for a, v in zip(areas, n, strict=True)}
        chosen = (shown["value"] * n).round(6)  # share x n, as a reader multiplies them
        cells.update({(a, "chosen"): float(c) for a, c in zip(areas, chosen, strict=True)})
        return cells

    base = filtering.Filters(wave=wave)
    starts = [base] + [base.replace(genders=(g,)) for g in values["genders"]]
    pairs, leaks = attack(publish, starts, values, ("age_bands", "genders", "topics"))
    assert pairs >= 50, pairs  # enough published pairs for the attack to mean something
    assert not leaks, leaks[:5]


@pytest.mark.slow
def test_overblik_ranked_lists_and_the_age_gender_chart_never_differ_a_little(sample_db):
    wave = catalog.latest_wave(sample_db)
    values = _values(sample_db)

    def publish(filters):
        cells = {}
        for kind in ("topic", "format", "time"):
            ranked = overview_views.ranked_view(sample_db, filters, kind, k=K)
            cells.update({(kind, *c): n for c, n in published(ranked, ["code"]).items()})
        chart = overview_views.band_gender_view(sample_db, filters, k=K)
        cells.update(published(chart, ["age_band", "gender"]))
        return cells

    pairs, leaks = attack(publish, few_starts(wave, values), values, ("age_bands", "genders"))
    assert pairs >= 50, pairs  # enough published pairs for the attack to mean something
    assert not leaks, leaks[:5]


@pytest.mark.slow
def test_the_report_tables_never_differ_a_little_one_filter_change_apart(sample_db):
    """The council report's option tables (PDF, HTML and XLSX print the same Table rows)."""
    wave = catalog.latest_wave(sample_db)
    values = _values(sample_db)

    def publish(filters):
        weights = rake(sample_db, filters)
        total = counting.count_respondents(sample_db, filters)
        cells = {}
        for kind in ("topic", "format", "time"):
            table = option_shares(sample_db, filters, kind, weights, total, K, "da")
            cells.update({(kind, *c): n for c, n in published(table, ["code"]).items()})
        return cells

    pairs, leaks = attack(publish, few_starts(wave, values), values, ("age_bands", "genders"))
    assert pairs >= 50, pairs  # enough published pairs for the attack to mean something
    assert not leaks, leaks[:5]


def _page_cells(params: dict) -> dict:
    """The Udforsk table as a person sees it (age band x gender): (row, col) -> number."""
    at = app(page="udforsk", params={**params, "rows": "age_band", "cols": "gender"})
    table = next(frame.value for frame in at.dataframe)
    table = table.set_index(table.columns[0])
    return {
        (row, col): float(str(value).replace(".", ""))
        for row in table.index
        for col, value in table.loc[row].items()
        if str(value).replace(".", "").isdigit()
    }


@pytest.mark.slow
def test_the_udforsk_page_never_shows_a_cell_that_differs_a_little_one_filter_change_apart(
    app_db,
):
    """Through the page itself (AppTest, URL parameters as a viewer types them): age band x
    gender with no filter against each topic alone and every topic but one, cell by cell as
    the table shows it."""
    topics = _values_from_file(app_db)
    mine = _page_cells({})
    leaks, pairs = [], 0
    others = [{"topic": topic} for topic in topics]  # from topic=X, clearing it gives no filter
    others += [{"topic": ",".join(t for t in topics if t != drop)} for drop in topics]
    for other in others:
        theirs = _page_cells(other)
        for cell, a in mine.items():
            if cell in theirs:
                pairs += 1
                if _risky(a, theirs[cell]):
                    leaks.append((other, cell, a, theirs[cell]))
    assert pairs >= 50, pairs
    assert not leaks, leaks[:5]


def _values_from_file(db_file) -> tuple[str, ...]:
    import duckdb

    con = duckdb.connect(str(db_file), read_only=True)
    try:
        return _values(con)["topics"]
    finally:
        con.close()
