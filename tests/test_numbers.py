"""The one number formatter (core/numbers.py) against Babel's CLDR data for da_DK and en_GB."""

from __future__ import annotations

import math
import random
from decimal import Decimal

import pytest
from babel import Locale
from babel.numbers import format_decimal

from data_pipeline.core.numbers import LOCALES, PERCENT_SUFFIX, SYMBOLS, count, number, percent

VALUES = [0, 1, -1, 0.5, 1.5, 2.5, 0.213, 999.5, 1450, -1450.55, 12345678.9, 1e-7, -0.0004]
VALUES += [random.Random(15).uniform(-1e7, 1e7) for _ in range(200)]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_symbols_are_babels(lang):
    symbols = Locale.parse(LOCALES[lang]).number_symbols["latn"]
    assert SYMBOLS[lang] == (symbols["decimal"], symbols["group"], symbols["minusSign"])
    cldr_percent = Locale.parse(LOCALES[lang]).percent_formats[None].pattern
    # CLDR puts a no-break space before the Danish %; the app keeps its plain space.
    assert cldr_percent.endswith(PERCENT_SUFFIX[lang].replace(" ", "\u00a0"))


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("decimals", [0, 1, 2, 3])
def test_number_and_percent_agree_with_babel(lang, decimals):
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    for value in VALUES:
        # Decimal(value) is the float's exact value, which both round half to even.
        expected = format_decimal(Decimal(value), format=pattern, locale=LOCALES[lang])
        assert number(value, lang, decimals) == expected, value
        expected = format_decimal(Decimal(value * 100), format=pattern, locale=LOCALES[lang])
        assert percent(value, lang, decimals) == expected + PERCENT_SUFFIX[lang], value


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: number(1450), "1.450"),
        (lambda: number(0.213, "da", 2), "0,21"),
        (lambda: number(1450, "en"), "1,450"),
        (lambda: percent(0.213), "21,3 %"),
        (lambda: percent(0.213, "en"), "21.3%"),
        (lambda: percent(12.5, "en"), "1,250.0%"),  # English keeps its thousands separator
        (lambda: percent(12.5, "da", 0), "1.250 %"),
        (lambda: count(1449.6), "1.450"),
        (lambda: number(None), "–"),
        (lambda: percent(math.nan, "en"), "–"),
    ],
)
def test_numbers_read_as_people_write_them(call, expected):
    assert call() == expected


def test_a_change_has_a_plus_only_above_zero_in_both_languages():
    from data_pipeline.core.i18n import points
    from data_pipeline.core.numbers import signed

    assert signed(1205, "da") == "+1.205"
    assert signed(-1.54, "da", 1) == "-1,5"
    assert signed(0, "en") == "0"  # English once showed "+0.0 pp" where Danish showed "0,0"
    assert points(0.054, "da") == "+5,4 %-point"
    assert points(0.0, "en") == "0.0 pp"
    assert points(-0.012, "en") == "-1.2 pp"
