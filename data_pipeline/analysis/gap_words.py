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

_GENDER_WORDS = {"kvinde": ("Kvinder", "Women"), "mand": ("Mænd", "Men")}
_FRACTIONS = [
    (1 / 10, "en tiendedel af", "a tenth of"),
    (1 / 5, "en femtedel af", "a fifth of"),
    (1 / 4, "en fjerdedel af", "a quarter of"),
    (1 / 3, "en tredjedel af", "a third of"),
    (1 / 2, "halvdelen af", "half"),
    (2 / 3, "to tredjedele af", "two thirds of"),
    (3 / 4, "tre fjerdedele af", "three quarters of"),
]


def describe_group(
    group: Mapping[str, str], lang: str = "da", names: Mapping[str, str] | None = None
) -> str:
    """Name a group in words: "Mænd 18-24 år i Nordby" / "Men aged 18-24 in Nordby".

    `group` maps age_band, gender and area (an area code, named through `names`, for example
    cells.area_names(con))."""
    en = lang == "en"
    gender, band, area = group.get("gender"), group.get("age_band"), group.get("area")
    who = _GENDER_WORDS.get(gender, (None, None))[1 if en else 0] if gender else None
    if who is None:
        who = "Residents" if en else "Borgere"
        if not band and not area:
            who = "All residents" if en else "Alle borgere"
    text = who
    if band:
        text += f" aged {band}" if en else f" {band} år"
    if area:
        name = (names or {}).get(area, area)
        only_area = not gender and not band
        text += (f" of {name}" if only_area else f" in {name}") if en else f" i {name}"
    return text


def ratio_words(ratio: float, lang: str = "da", interest: bool = False) -> str:
    """ "en femtedel af svarprocenten i hele kommunen" / "0,6 gange svarprocenten i hele
    kommunen": the reference is always the whole municipality, and the words say so. Under a
    topic, format or time filter (`interest`) the figure is the share who answered and chose
    it, so the words say "andelen i hele kommunen", never the response rate."""
    en = lang == "en"
    rate = "the response rate of the whole municipality" if en else "svarprocenten i hele kommunen"
    if interest:
        rate = "the share in the whole municipality" if en else "andelen i hele kommunen"
    if ratio != ratio:  # NaN: no ratio to put in words
        return "–"
    if abs(ratio - 1) < 0.05:
        return f"about {rate}" if en else f"omtrent {rate}"
    for value, da_words, en_words in _FRACTIONS:
        # Within 7 %: 0,52 reads as "halvdelen", 0,36 as "en tredjedel"; the exact ratio
        # follows in brackets anyway.
        if abs(ratio / value - 1) <= 0.07:
            return f"{en_words if en else da_words} {rate}"
    times = number(ratio, lang, 1 if ratio >= 0.1 else 2)
    return f"{times} times {rate}" if en else f"{times} gange {rate}"


@per_data_version
def _vocabulary_labels(con) -> dict[tuple[str, str], tuple[str, str]]:
    """(kind, code) -> (Danish label, English label) for every vocabulary entry."""
    rows = con.execute("SELECT kind, code, label_da, label_en FROM vocabulary").fetchall()
    return {(kind, code): (da, en) for kind, code, da, en in rows}


def interest_words(con, filters: Filters, lang: str) -> str | None:
    """What a topic, format, time or engagement filter selects, as words for a sentence:
    "valgte Klima og miljø" / "chose Climate and environment"; None without such a filter."""
    chosen = [
        (kind, code)
        for kind, codes in (
            ("topic", filters.topics),
            ("format", filters.formats),
            ("time", filters.times),
            ("engagement", filters.engagements),
        )
        for code in codes
    ]
    if not chosen:
        return None
    labels = _vocabulary_labels(con)
    words = [labels.get(c, (c[1], c[1]))[1 if lang == "en" else 0].lower() for c in chosen]
    joined = (" or " if lang == "en" else " eller ").join(words)
    return f"chose {joined}" if lang == "en" else f"valgte {joined}"


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
    en = lang == "en"
    who = describe_group(group, lang, names)
    pop = number(row["population"], lang)
    if pd.isna(row["respondents"]):
        count = f"fewer than {k}" if en else f"færre end {k}"
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
        return f"{who}: {count} {'responses among' if en else 'svar blandt'} {pop} " + (
            "residents." if en else "borgere."
        )
    resp = number(row["respondents"], lang)
    numbers = (
        f"({number(row['ratio'], lang, 2)}; 95 %: "
        f"{number(row['ci_low'], lang, 2)}-{number(row['ci_high'], lang, 2)})"
    )
    if en:
        numbers = numbers.replace("95 %", "95%")
    if interest:
        words = ratio_words(row["ratio"], lang, interest=True)
        if en:
            return f"{who}: {resp} of {pop} residents answered and {interest} – {words} {numbers}."
        return f"{who}: {resp} af {pop} borgere svarede og {interest} – {words} {numbers}."
    head = (
        f"{who}: {resp} responses among {pop} residents – {ratio_words(row['ratio'], lang)} {numbers}."
        if en
        else f"{who}: {resp} svar blandt {pop} borgere – {ratio_words(row['ratio'], lang)} {numbers}."
    )
    return f"{head} {_missing_words(row['missing_voices'], lang)}".rstrip()


def _missing_words(missing: float, lang: str) -> str:
    """Missing responses, said only for a group below the line (fewer responses than its
    share); "manglende svar", never "stemmer", which reads as votes."""
    if pd.isna(missing) or round(missing) <= 0:
        return ""
    count = number(missing, lang)
    return (
        f"About {count} responses are missing."
        if lang == "en"
        else f"Der mangler ca. {count} svar."
    )
