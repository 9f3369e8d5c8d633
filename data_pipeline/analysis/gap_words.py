"""Gap words: a group, a ratio and a finding in one plain sentence, Danish or English.

The sentences the gap list, the reports and the segment descriptions share; the reference is
always the whole municipality, and the words say so (docs/DEFINITIONS.md).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from data_pipeline.analysis.filtering import Filters
from data_pipeline.analysis.lookups import per_data_version
from data_pipeline.core.disclosure import DEFAULT_K
from data_pipeline.core.i18n import t
from data_pipeline.core.numbers import number

# The catalogue key of each gender's word and of each fraction "ratio_words" may say.
_GENDER_KEYS = {"kvinde": "gap.who.women", "mand": "gap.who.men"}
_FRACTIONS = [
    (1 / 10, "gap.fraction.tenth"),
    (1 / 5, "gap.fraction.fifth"),
    (1 / 4, "gap.fraction.quarter"),
    (1 / 3, "gap.fraction.third"),
    (1 / 2, "gap.fraction.half"),
    (2 / 3, "gap.fraction.two_thirds"),
    (3 / 4, "gap.fraction.three_quarters"),
]


def describe_group(
    group: Mapping[str, str], lang: str = "da", names: Mapping[str, str] | None = None
) -> str:
    """Name a group in words: "Mænd 18-24 år i Nordby" / "Men aged 18-24 in Nordby".

    `group` maps age_band, gender and area (an area code, named through `names`, for example
    cells.area_names(con))."""
    gender, band, area = group.get("gender"), group.get("age_band"), group.get("area")
    key = _GENDER_KEYS.get(gender) if gender else None
    if key is None:
        key = "gap.who.residents" if band or area else "gap.who.all"
    text = t(key, lang)
    if band:
        text = t("gap.group.aged", lang, who=text, band=band)
    if area:
        name = (names or {}).get(area, area)
        only_area = not gender and not band
        text = t(
            "gap.group.of_area" if only_area else "gap.group.in_area", lang, who=text, area=name
        )
    return text


def ratio_words(ratio: float, lang: str = "da", interest: bool = False) -> str:
    """ "en femtedel af svarprocenten i hele kommunen" / "0,6 gange svarprocenten i hele
    kommunen": the reference is always the whole municipality, and the words say so. Under a
    topic, format or time filter (`interest`) the figure is the share who answered and chose
    it, so the words say "andelen i hele kommunen", never the response rate."""
    rate = t("gap.rate.share" if interest else "gap.rate.response", lang)
    if ratio != ratio:  # NaN: no ratio to put in words
        return "–"
    if abs(ratio - 1) < 0.05:
        return t("gap.ratio.about", lang, rate=rate)
    # Decided on the ratio as the brackets show it (two decimals), so two groups shown with the
    # same ratio never get different words ("en tredjedel (0,36)" beside "0,4 gange (0,36)"
    # was seen on Grupper). Within 10 % of a fraction: 0,54 reads as "halvdelen", 0,36 as "en
    # tredjedel", and "0,5 gange" can no longer stand beside "halvdelen".
    shown = round(ratio, 2)
    for value, key in _FRACTIONS:
        if abs(shown / value - 1) <= 0.10 + 1e-9:
            return t(key, lang, rate=rate)
    times = number(ratio, lang, 1 if ratio >= 0.1 else 2)
    return t("gap.ratio.times", lang, times=times, rate=rate)


@per_data_version
def _vocabulary_labels(con) -> dict[tuple[str, str], tuple[str, str]]:
    """(kind, code) -> (Danish label, English label) for every vocabulary entry."""
    rows = con.execute("SELECT kind, code, label_da, label_en FROM vocabulary").fetchall()
    return {(kind, code): (da, en) for kind, code, da, en in rows}


def interest_words(con, filters: Filters, lang: str) -> str | None:
    """What a topic, format, time or engagement filter selects, as words for a sentence:
    "valgte Klima og miljø" / "chose Climate and environment"; None without such a filter."""
    fields = [
        (kind, codes)
        for kind, codes in (
            ("topic", filters.topics),
            ("format", filters.formats),
            ("time", filters.times),
            ("engagement", filters.engagements),
        )
        if codes
    ]
    if not fields:
        return None
    labels = _vocabulary_labels(con)

    def word(kind: str, code: str) -> str:
        return labels.get((kind, code), (code, code))[1 if lang == "en" else 0].lower()

    # Any of the options within a field, every field at once (the filter's own logic):
    # "klima og miljø eller trafik, og deltage aktivt eller tage medansvar".
    options = t("gap.and_field", lang).join(
        t("gap.or", lang).join(word(kind, code) for code in codes) for kind, codes in fields
    )
    return t("gap.chose", lang, options=options)


def finding_sentence(
    group: Mapping[str, str],
    row: Mapping,
    lang: str,
    names: Mapping[str, str],
    k: int = DEFAULT_K,
    interest: str | None = None,
) -> str:
    """One plain sentence for one cell, Danish or English: who, their answers among their
    population, the ratio in words with its interval, and the missing voices
    (docs/DEFINITIONS.md).

    Under a topic, format or time filter, `interest` (interest_words) says what the count
    is: those who answered and chose it, compared with the same share in the whole
    municipality; no responses are "missing" then, since choosing a topic is not taking part.
    """
    who = describe_group(group, lang, names)
    pop = number(row["population"], lang)
    if pd.isna(row["respondents"]):
        hint = row.get("expected_hint")
        if hint is not None and not pd.isna(hint):  # the gap stays visible, the count hidden
            return t(
                "gaps.too_few_expected",
                lang,
                who=who,
                k=k,
                population=pop,
                expected=number(hint, lang),
            )
        return t("gap.too_few", lang, who=who, k=k, population=pop)
    values = {
        "who": who,
        "respondents": number(row["respondents"], lang),
        "population": pop,
        "numbers": t(
            "gap.interval",
            lang,
            ratio=number(row["ratio"], lang, 2),
            low=number(row["ci_low"], lang, 2),
            high=number(row["ci_high"], lang, 2),
        ),
    }
    if interest:
        words = ratio_words(row["ratio"], lang, interest=True)
        return t("gap.finding_interest", lang, interest=interest, words=words, **values)
    head = t("gap.finding", lang, words=ratio_words(row["ratio"], lang), **values)
    return f"{head} {_missing_words(row['missing_voices'], lang)}".rstrip()


def _missing_words(missing: float, lang: str) -> str:
    """Missing responses, said only for a group below the line (fewer responses than its
    share); "manglende svar", never "stemmer", which reads as votes."""
    if pd.isna(missing) or round(missing) <= 0:
        return ""
    return t("gap.missing", lang, count=number(missing, lang))
