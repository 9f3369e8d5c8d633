"""The differencing attack, automated (issue 13, finding 2): a viewer sets one filter, then the
same filter with one value dropped (or the field cleared, or every value but one chosen), and
subtracts the two counts the app publishes. No such pair may differ by 1 to k-1, on the
Overblik headline or on the map's per-area counts, for any filter tried on the sample."""

from __future__ import annotations

import pytest

from data_pipeline.analysis import queries as q
from data_pipeline.core.disclosure import DEFAULT_K
from data_pipeline.present import views

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


def one_change_away(filters: q.Filters, values: dict) -> list[q.Filters]:
    """Every filter a user gets from `filters` by dropping one value of one field: from a
    narrowed field (down to clearing it), or from an open field (all values but one)."""
    result = []
    for field in FIELDS:
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


def starting_points(wave: str, values: dict) -> list[q.Filters]:
    """No filter, every single area, and area 04 (the reported attack) with each gender."""
    base = q.Filters(wave=wave)
    points = [base] + [base.replace(areas=(a,)) for a in values["areas"]]
    return points + [base.replace(areas=("04",), genders=(g,)) for g in values["genders"]]


def _risky(a, b) -> bool:
    return 1e-9 < abs(a - b) < K - 1e-9


def test_the_reported_attack_is_closed(sample_db):
    """/?area=04 shows its count; with gender narrowed to kvinde,mand,uoplyst the count that
    would reveal 04/andet is hidden."""
    wave = q.latest_wave(sample_db)
    whole = views.headline_count(sample_db, q.Filters(wave=wave, areas=("04",)), K)
    narrowed = q.Filters(wave=wave, areas=("04",), genders=("kvinde", "mand", "uoplyst"))
    true_narrowed = q.count_respondents(sample_db, narrowed)
    assert whole is not None
    assert _risky(whole, true_narrowed), "the sample still holds the reported small cell"
    assert views.headline_count(sample_db, narrowed, K) is None


@pytest.mark.slow
def test_no_two_published_headline_counts_one_filter_change_apart_reveal_a_small_cell(sample_db):
    wave = q.latest_wave(sample_db)
    values = _values(sample_db)
    published: dict[q.Filters, float | None] = {}

    def shown(filters):
        if filters not in published:
            published[filters] = views.headline_count(sample_db, filters, K)
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
    wave = q.latest_wave(sample_db)
    values = _values(sample_db)
    base = q.Filters(wave=wave)
    starts = [base] + [base.replace(**{field: (v,)}) for v in values[field]]
    leaks = []
    for start in starts:
        shown = views.map_view(sample_db, start, "rate", k=K).set_index("area_code")
        for other in one_change_away(start, values):
            if getattr(other, field) == getattr(start, field):
                continue
            theirs = views.map_view(sample_db, other, "rate", k=K).set_index("area_code")
            for area in shown.index:
                a, b = shown.at[area, "respondents"], theirs.at[area, "respondents"]
                if a == a and b == b and _risky(a, b):  # both shown (not NaN)
                    leaks.append((start, other, area, a, b))
    assert not leaks, leaks[:5]
