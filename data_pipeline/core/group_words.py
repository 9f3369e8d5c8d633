"""How a group is named in a sentence ('18-24' -> '18–24-årige', 'mand' -> 'mænd', an area
code -> 'borgere i Nordby'), shared by panels, goals and the citizens' summary."""

from __future__ import annotations

from data_pipeline.core.i18n import t

UNKNOWN = "?"  # a pool member without a known value: no population share, quota 0..size


def group_words(feature: str, value: str, lang: str = "da", areas: dict | None = None) -> str:
    """'18-24' -> '18–24-årige', 'mand' -> 'mænd', '01' -> 'borgere i Nordby'."""
    if value == UNKNOWN:
        return t(f"panel.unknown.{feature}", lang)
    if feature == "age_band":
        if value.endswith("+"):
            return t("group.ages_open", lang, age=value[:-1])
        return t("group.ages", lang, ages=value.replace("-", "–"))
    if feature == "gender":
        return t(f"group.gender.{value}", lang)
    return t("panel.group_area", lang, area=(areas or {}).get(value, value))
