"""The words: every visible string, Danish (default) and English, from gettext catalogues.

The texts live in `core/words/{da,en}.po` (edited by translators, re-sorted and compiled to
`.mo` by `tools/words.py`); this module reads the compiled `.mo` once per process and looks
keys up with `t(key, lang, **values)` and, for counts, `tn(key, n, lang, **values)`. Numbers
are formatted by core/numbers.py (re-exported here). It never builds a sentence itself.
"""

from __future__ import annotations

import gettext
import logging
import os
import re
import struct
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

from data_pipeline.core.numbers import VEGA_LOCALE, number, percent, signed, vega_locale

__all__ = [
    "LANGS",
    "TEXT",
    "VEGA_LOCALE",
    "MissingWord",
    "counted",
    "gender_label",
    "number",
    "percent",
    "plural",
    "t",
    "tn",
    "vega_locale",
]

LANGS = ("da", "en")
WORDS = Path(__file__).with_name("words")
# Set by the test suite: a key missing from the catalogue raises instead of showing the key.
RAISE_ENV = "DELTAGELSESATLAS_RAISE_MISSING_WORDS"

log = logging.getLogger(__name__)
_reported: set[tuple[str, str]] = set()


class MissingWord(KeyError):
    """A key that is not in the catalogue (or a plural key looked up without a count)."""


class _Catalogue:
    """One compiled catalogue: {key: text or tuple of plural forms} and its plural rule."""

    def __init__(self, path: Path) -> None:
        data = path.read_bytes()
        order = "<" if data[:4] == b"\xde\x12\x04\x95" else ">"
        _revision, size, originals, translations = struct.unpack(order + "4I", data[4:20])
        self.texts: dict[str, str | tuple[str, ...]] = {}
        plural_rule = "n != 1"
        ids = struct.unpack(f"{order}{2 * size}I", data[originals : originals + 8 * size])
        strs = struct.unpack(f"{order}{2 * size}I", data[translations : translations + 8 * size])
        for i in range(0, 2 * size, 2):
            msgid = data[ids[i + 1] : ids[i + 1] + ids[i]].decode()
            text = data[strs[i + 1] : strs[i + 1] + strs[i]].decode()
            if not msgid:
                for line in text.splitlines():
                    if line.startswith("Plural-Forms:"):
                        plural_rule = line.split("plural=", 1)[1].rstrip(";").strip()
            elif "\x00" in msgid:
                self.texts[msgid.split("\x00", 1)[0]] = tuple(text.split("\x00"))
            else:
                self.texts[msgid] = text
        # The Plural-Forms expression Babel wrote from CLDR (da and en: "(n != 1)").
        self.plural_index = gettext.c2py(plural_rule)


@cache
def catalogue(lang: str) -> _Catalogue:
    return _Catalogue(WORDS / f"{'en' if lang == 'en' else 'da'}.mo")


def _missing(key: str, lang: str, why: str) -> str:
    if os.environ.get(RAISE_ENV) == "1":
        raise MissingWord(f"{key!r} ({lang}): {why}")
    if (key, lang) not in _reported:
        _reported.add((key, lang))
        log.error("Word %r (%s): %s; the key is shown instead", key, lang, why)
    return key


def t(key: str, lang: str = "da", **values) -> str:
    text = catalogue(lang).texts.get(key)
    if text is None:
        return _missing(key, lang, "not in the catalogue")
    if isinstance(text, tuple):
        return _missing(key, lang, "a plural entry: use tn(key, n, lang)")
    return text.format(**values) if values else text


def plural_index(count: float | int | None, lang: str = "da") -> int:
    """Which plural form a count takes: decided on the whole number people see."""
    shown = 0 if count is None else int(round(abs(count)))
    return catalogue(lang).plural_index(shown)


def tn(key: str, n: float | int | None, lang: str = "da", /, **values) -> str:
    """A text with a count in the right number: tn("word.row", 1) -> "1 række".

    `{n}` is the count formatted for `lang` unless the caller passes `n=` in `values`
    (for instance a suppressed "<5").
    """
    forms = catalogue(lang).texts.get(key)
    if not isinstance(forms, tuple):
        why = "not in the catalogue" if forms is None else "not a plural entry: use t()"
        return _missing(key, lang, why)
    text = forms[min(plural_index(n, lang), len(forms) - 1)]
    values.setdefault("n", number(n, lang))
    return text.format(**values)


def plural(count: float | int | None, singular: str, plural_form: str, lang: str = "da") -> str:
    """1 -> "1 deltager", 2 -> "2 deltagere" (the number formatted the Danish way)."""
    word = (
        (singular, plural_form)[min(plural_index(count, lang), 1)]
        if count is not None
        else plural_form
    )
    return f"{number(count, lang)} {word}"


def counted(count: float | int | None, word: str, lang: str = "da") -> str:
    """A count with its word in the right number: counted(1, "row") -> "1 række"."""
    return tn(f"word.{word}", count, lang)


def gender_label(code: str, lang: str = "da") -> str:
    return t(f"gender.{code}", lang) if f"gender.{code}" in TEXT else code


class _Words(Mapping):
    """Read-only {key: (da, en)} over both catalogues (plural entries as tuples of forms)."""

    def __getitem__(self, key: str) -> tuple:
        da, en = catalogue("da").texts.get(key), catalogue("en").texts.get(key)
        if da is None and en is None:
            raise KeyError(key)
        return da, en

    def __contains__(self, key: object) -> bool:
        return key in catalogue("da").texts or key in catalogue("en").texts

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*catalogue("da").texts, *catalogue("en").texts]))

    def __len__(self) -> int:
        return sum(1 for _ in self)


TEXT: Mapping[str, tuple] = _Words()


_QUARTER = re.compile(r"^(\d{4})K([1-4])$")


def period_text(period: str | None, lang: str = "da") -> str:
    """A Statistics Denmark period in words: "2025K4" → "4. kvartal 2025" / "Q4 2025"; any
    other period (a year, a date) as it is, and "–" when there is none."""
    if period is None or str(period).strip() == "":
        return "–"
    match = _QUARTER.match(str(period).strip())
    if match is None:
        return str(period)
    return t("period.quarter", lang, year=match.group(1), quarter=match.group(2))


def points(difference: float, lang: str = "da") -> str:
    """A difference of two shares in percentage points: 0.054 -> "+5,4 %-point" / "+5.4 pp"."""
    return t("metric.points", lang, value=signed(difference * 100, lang, 1))
