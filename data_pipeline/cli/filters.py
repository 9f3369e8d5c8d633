"""Filter values typed on the command line: a code or a Danish or English label.

`--topic klima`, `--topic "Klima og miljø"` and `--topic "climate AND environment"` mean the
same; case, surrounding spaces, non-breaking spaces and dashes do not matter. An unknown value
is invalid input (exit 2) and the message lists every known value as code (labels). The wave
is resolved here too: by id or name, the latest when none is given, and a wave without
responses is refused in words instead of analysed as zero.
"""

from __future__ import annotations

import re

import duckdb

from data_pipeline.analysis.catalog import latest_wave
from data_pipeline.analysis.cells import InvalidInput
from data_pipeline.analysis.counting import count_respondents
from data_pipeline.analysis.filtering import Filters
from data_pipeline.core.i18n import t
from data_pipeline.ingest.mapping import normalize_text

# dimension -> the Filters field it fills
FIELDS: dict[str, str] = {
    "age_band": "age_bands",
    "gender": "genders",
    "area": "areas",
    "topic": "topics",
    "format": "formats",
    "time": "times",
    "engagement": "engagements",
}
VOCABULARY_KINDS = ("topic", "format", "time", "engagement", "interest")
GENDER_WORDS = {
    "kvinde": ("kvinder", "women", "woman", "female", "k", "f"),
    "mand": ("mænd", "men", "man", "male", "m"),
    "andet": ("anden", "other", "non-binary"),
    "uoplyst": ("unknown", "not stated", "ikke oplyst"),
}


def _key(value: str) -> str:
    """The lookup key: normalize_text (case, NBSP, dashes, spaces), no spaces around '-'."""
    return re.sub(r"\s*-\s*", "-", normalize_text(value))


def _band_key(value: str) -> str:
    """Age bands also read as '18-24 år', '18-24 years' or '80+ år'."""
    return re.sub(r"\s*(år|years?|yrs?)$", "", _key(value))


def known_values(con: duckdb.DuckDBPyConnection, dim: str) -> list[tuple[str, list[str]]]:
    """Every value of a dimension as (code, [labels]), in the dimension's natural order."""
    if dim in VOCABULARY_KINDS:
        rows = con.execute(
            "SELECT code, label_da, label_en FROM vocabulary WHERE kind = $k ORDER BY sort_order",
            {"k": dim},
        ).fetchall()
        return [(code, [da, en]) for code, da, en in rows]
    if dim == "area":
        rows = con.execute("SELECT area_code, name FROM area ORDER BY area_code").fetchall()
        return [(code, [name] if name else []) for code, name in rows]
    if dim == "gender":
        return [
            (code, [t(f"gender.{code}", "da"), t(f"gender.{code}", "en"), *words])
            for code, words in GENDER_WORDS.items()
        ]
    if dim == "age_band":
        rows = con.execute("SELECT label FROM age_band ORDER BY sort_order").fetchall()
        return [(label, []) for (label,) in rows]
    if dim == "wave":
        rows = con.execute(
            "SELECT wave_id, name FROM survey_wave ORDER BY election_year, wave_id"
        ).fetchall()
        return [(code, [name] if name else []) for code, name in rows]
    raise ValueError(f"Unknown filter dimension {dim!r}")


def _lookup(known: list[tuple[str, list[str]]], dim: str) -> dict[str, str]:
    key = _band_key if dim == "age_band" else _key
    table: dict[str, str] = {}
    for code, _labels in known:  # codes first: a code always means itself
        table.setdefault(key(code), code)
    for code, labels in known:
        for label in labels:
            table.setdefault(key(label), code)
    return table


def _match(table: dict[str, str], value: str, dim: str) -> str | None:
    key = (_band_key if dim == "age_band" else _key)(value)
    if key in table:
        return table[key]
    if dim == "area" and key.isdigit():  # area "1" is area "01" (spreadsheets drop zeros)
        for known, code in table.items():
            if known.isdigit() and int(known) == int(key):
                return code
    return None


def describe_known(known: list[tuple[str, list[str]]]) -> str:
    """One line per value: code (label; English label)."""
    if not known:
        return "  (ingen / none)"
    lines = []
    for code, labels in known:
        shown = list(dict.fromkeys(label for label in labels[:2] if label and label != code))
        lines.append(f"  {code} ({'; '.join(shown)})" if shown else f"  {code}")
    return "\n".join(lines)


def resolve_values(
    con: duckdb.DuckDBPyConnection, dim: str, values, flag: str | None = None
) -> tuple[str, ...]:
    """Codes for what the user typed. A value is tried whole first, then split at commas
    (`--topic klima,trafik`), so a label that itself holds a comma still matches."""
    known = known_values(con, dim)
    table = _lookup(known, dim)
    codes, unknown = [], []
    for value in values:
        if value is None or not str(value).strip():
            continue
        whole = _match(table, str(value), dim)
        if whole is not None:
            codes.append(whole)
            continue
        for part in str(value).split(","):
            if not part.strip():
                continue
            code = _match(table, part, dim)
            if code is None:
                unknown.append(part.strip())
            else:
                codes.append(code)
    if unknown:
        flag = flag or f"--{dim.replace('_', '-')}"
        shown = ", ".join(f"'{u}'" for u in unknown)
        raise InvalidInput(
            f"Ukendt værdi for {flag}: {shown}. Brug en kode eller en betegnelse. / "
            f"Unknown value for {flag}: {shown}. Use a code or a label.\n"
            f"Kendte værdier / known values:\n{describe_known(known)}"
        )
    return tuple(dict.fromkeys(codes))


def resolve_wave(
    con: duckdb.DuckDBPyConnection, value: str | None, require_responses: bool = True
) -> str:
    """The wave id for `--wave` (id or name; None = the latest). Refuses, in words, a database
    without waves, an unknown wave and (with require_responses) a wave without responses."""
    known = known_values(con, "wave")
    if not known:
        raise InvalidInput(
            "Databasen har ingen spørgeskemabølger endnu; indlæs svar med "
            "'ingest --kind survey --wave NAVN'. / "
            "The database holds no survey waves yet; load responses with "
            "'ingest --kind survey --wave NAME'."
        )
    if value is None or not str(value).strip():
        wave = latest_wave(con)
    else:
        wave = _match(_lookup(known, "wave"), str(value), "wave")
        if wave is None:
            raise InvalidInput(
                f"Ukendt bølge '{value}'. / Unknown wave '{value}'.\n"
                f"Kendte bølger / known waves:\n{describe_known(known)}"
            )
    if require_responses and count_respondents(con, Filters(wave=wave)) == 0:
        with_answers = [code for code, _ in known if count_respondents(con, Filters(wave=code)) > 0]
        others = ", ".join(with_answers) or "ingen / none"
        raise InvalidInput(
            f"Bølgen '{wave}' har ingen svar endnu, så der er intet at beregne. Indlæs svar "
            f"(ingest --kind survey --wave {wave}) eller vælg en anden bølge med --wave "
            f"(bølger med svar: {others}). / "
            f"The wave '{wave}' has no responses yet, so there is nothing to compute. Load "
            f"responses or choose another wave with --wave (waves with responses: {others})."
        )
    return wave


def resolve_filters(
    con: duckdb.DuckDBPyConnection,
    wave: str | None = None,
    require_responses: bool = True,
    flags: dict[str, str] | None = None,
    **chosen,
) -> Filters:
    """Filters from typed values: `resolve_filters(con, wave="2025", topic=["Klima og miljø"])`.

    Keyword names are the dimensions of FIELDS; `flags` names the option in messages."""
    values = {}
    for dim, typed in chosen.items():
        if dim not in FIELDS:
            raise ValueError(f"Unknown filter dimension {dim!r}")
        flag = (flags or {}).get(dim)
        values[FIELDS[dim]] = resolve_values(con, dim, typed or (), flag)
    return Filters(wave=resolve_wave(con, wave, require_responses), **values)
