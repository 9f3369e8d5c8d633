"""Statistics Denmark's labels, decoded: which column is which (OMRÅDE, ALDER, KØN, TID,
INDHOLD or their English and code forms), single years of age ("25 år", "100 år og derover"),
sexes ("Mænd", "2"), periods ("2025K1", "2025Q1", "2025M03") and totals ("I alt", "Alder i alt",
the country and regions as areas), which are dropped, never summed twice.

Pure: strings in, codes out; the loaders in load_population.py and load_reference.py use it.
"""

from __future__ import annotations

import re

from data_pipeline.ingest.mapping import normalize_header, normalize_text

TOTAL = "__total__"
DST_COLUMNS = {
    "area": (
        "område",
        "omraade",
        "omrade",
        "område_kode",
        "komk",
        "kommune",
        "kom",
        "region",
        "sogn",
        "sogn1",
        "area",
        "municipality",
    ),
    "age": ("alder", "age"),
    "gender": ("køn", "koen", "kon", "sex", "gender"),
    "period": ("tid", "time", "period"),
    "count": ("indhold", "content", "value", "antal"),
}
TOTAL_LABELS = {
    "i alt",
    "ialt",
    "total",
    "tot",
    "alder i alt",
    "age, total",
    "køn i alt",
    "sex, total",
    "hele landet",
    "all denmark",
    "denmark",
    "danmark",
}
# Statistics Denmark's own aggregates: the country (000), regions (081-085), "landsdele".
AGGREGATE_AREA = re.compile(r"^(0{3}|08[1-5]|region\b.*|landsdel\b.*|province\b.*)$")


def is_total(label: str) -> bool:
    text = normalize_text(label)
    return text in TOTAL_LABELS or text.endswith(" i alt") or text.endswith(", total")


def dst_age(label: str) -> int | str | None:
    """ "25 år", "1 year", "100 år og derover", "25" -> 25; totals -> TOTAL; bands -> None."""
    text = normalize_text(label)
    if is_total(text):
        return TOTAL
    if re.match(r"^\d{1,3}\s*-\s*\d{1,3}", text):
        return None  # an age band: the model keeps single years only
    match = re.match(r"^(\d{1,3})(\s*(år|years?|år og derover|years and over|\+))?$", text)
    if not match:
        match = re.match(r"^(\d{1,3})\s*(år og derover|years and over)", text)
    return int(match.group(1)) if match else None


def dst_gender(label: str) -> str | None:
    text = normalize_text(label)
    if is_total(text):
        return TOTAL
    return {
        "mænd": "mand",
        "men": "mand",
        "m": "mand",
        "1": "mand",
        "mand": "mand",
        "male": "mand",
        "males": "mand",
        "kvinder": "kvinde",
        "women": "kvinde",
        "k": "kvinde",
        "2": "kvinde",
        "kvinde": "kvinde",
        "female": "kvinde",
        "females": "kvinde",
    }.get(text)


def dst_period(label: str) -> str | None:
    """Quarters become "2025K1" whatever the language; months and years keep their form."""
    text = label.strip().upper()
    match = re.match(r"^(\d{4})\s*[KQ]([1-4])$", text)
    if match:
        return f"{match.group(1)}K{match.group(2)}"
    if re.match(r"^\d{4}(M(0[1-9]|1[0-2]))?$", text):
        return text
    return None


def find_column(headers: list[str], names: tuple[str, ...]) -> int | None:
    keys = [normalize_header(h) for h in headers]
    for name in names:
        if name in keys:
            return keys.index(name)
    return None
