"""How numbers read for people: one formatter, on Babel's CLDR rules for Danish and English.

Danish (da_DK): 1.450, 0,21 and 21,3 %; English (en_GB, like the app's British spelling):
1,450, 0.21 and 1,234.5%. Numbers for machines (CSV cells) are written by core/safe_export.py.
"""

from __future__ import annotations

import math

# The CLDR symbols of the two locales, as Babel (requirements.txt) gives them: (decimal, group,
# minus, percent pattern). tests/test_numbers.py checks this table against babel.core.Locale and
# every output of number()/percent() against babel.numbers.format_decimal, so they cannot drift.
# The app does not import Babel at run time: loading its locale data costs about 25 ms on the
# first page visit and each Babel call about 15 µs, against 1 µs here.
LOCALES = {"da": "da_DK", "en": "en_GB"}
SYMBOLS = {"da": (",", ".", "-"), "en": (".", ",", "-")}
# CLDR's Danish percent is "#,##0\u00a0%" (no-break space); the app has always printed a plain
# space ("21,3 %"), which tables, PDFs and the tests expect, so the suffix keeps it.
PERCENT_SUFFIX = {"da": " %", "en": "%"}
MISSING = "–"


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | int | None, lang: str = "da", decimals: int = 0) -> str:
    """1450 -> "1.450" (da) / "1,450" (en); 0.213 -> "0,21" with decimals=2; None -> "–"."""
    if _is_missing(value):
        return MISSING
    decimal, group, minus = SYMBOLS["en" if lang == "en" else "da"]
    text = f"{value:,.{max(decimals, 0)}f}"
    if lang != "en":
        text = text.replace(",", "\x00").replace(".", decimal).replace("\x00", group)
    return text if minus == "-" else text.replace("-", minus)


def percent(value: float | None, lang: str = "da", decimals: int = 1) -> str:
    """0.213 -> "21,3 %" (da) / "21.3%" (en); 12.5 -> "1.250,0 %" / "1,250.0%"."""
    if _is_missing(value):
        return MISSING
    return number(value * 100, lang, decimals) + PERCENT_SUFFIX["en" if lang == "en" else "da"]


def signed(value: float | int | None, lang: str = "da", decimals: int = 0) -> str:
    """A change: a plus only above zero (st.metric reads a leading "-" as down), 0 as "0"."""
    if _is_missing(value):
        return MISSING
    return ("+" if value > 0 else "") + number(value, lang, decimals)


def count(value: float | int | None, lang: str = "da") -> str:
    """A count as people read it, rounded to a whole number: 1449.6 -> "1.450"."""
    return MISSING if _is_missing(value) else number(int(round(value)), lang)


# d3 number and time locales for Vega-Lite charts (config.locale): decimal commas and Danish
# month names in every axis and legend, as in the tables.
VEGA_LOCALE = {
    "da": {
        "number": {
            "decimal": ",",
            "thousands": ".",
            "grouping": [3],
            "currency": ["", "\u00a0kr."],
            "percent": "\u00a0%",
        },
        "time": {
            "dateTime": "%A den %d. %B %Y %X",
            "date": "%d.%m.%Y",
            "time": "%H:%M:%S",
            "periods": ["", ""],
            "days": ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"],
            "shortDays": ["søn", "man", "tir", "ons", "tor", "fre", "lør"],
            "months": [
                "januar",
                "februar",
                "marts",
                "april",
                "maj",
                "juni",
                "juli",
                "august",
                "september",
                "oktober",
                "november",
                "december",
            ],
            "shortMonths": [
                "jan",
                "feb",
                "mar",
                "apr",
                "maj",
                "jun",
                "jul",
                "aug",
                "sep",
                "okt",
                "nov",
                "dec",
            ],
        },
    },
    "en": {
        "number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", ""]},
    },
}


def vega_locale(lang: str = "da") -> dict:
    """The Vega `config.locale` for a language: Danish commas and month names in charts."""
    return VEGA_LOCALE.get(lang, VEGA_LOCALE["da"])
