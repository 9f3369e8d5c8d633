"""Words for panels (Kontakt: "Invitér et panel") and goals for the term (Mål), Danish and English.

Merged into data_pipeline.i18n.TEXT at import; never imports anything from the app.
"""

from __future__ import annotations

PANEL_TEXT: dict[str, tuple[str, str]] = {
    "nav.goals": ("Mål", "Goals"),
    "goals.title": ("Mål for valgperioden", "Goals for the term"),
}

PANEL_TEXT.update(
    {
        "panel.unknown.age_band": ("borgere uden oplyst alder", "citizens of unknown age"),
        "panel.unknown.gender": ("borgere uden oplyst køn", "citizens of unstated gender"),
        "panel.unknown.area": ("borgere uden kendt område", "citizens of unknown area"),
        "panel.group_area": ("borgere i {area}", "citizens in {area}"),
        "panel.in_areas": (" i {areas}", " in {areas}"),
        "panel.shortfall": (
            "Der er kun {count} samtykkende {group}{where}, der interesserer sig for {topic}; "
            "kvoten kræver mindst {needed}.",
            "There are only {count} consenting {group}{where} interested in {topic}; the quota "
            "needs at least {needed}.",
        ),
        "panel.hint": (
            "I alt svarede {answered} fra gruppen; de foretrækker {formats}. Nå dem ad de veje.",
            "{answered} of the group answered at all; they prefer {formats}. Reach them that way.",
        ),
        "panel.hint_few": (
            "Færre end {k} fra gruppen svarede overhovedet; nå dem ad andre veje end "
            "undersøgelsen.",
            "Fewer than {k} of the group answered at all; reach them by other means than the "
            "survey.",
        ),
        "panel.pool_too_small": (
            "Der er kun {pool} samtykkende borgere at trække fra, men panelet skal have {size}.",
            "There are only {pool} consenting citizens to draw from, but the panel needs {size}.",
        ),
        "panel.relax_hint": (
            "Vælg hvilken kvote der skal løsnes ({features}), eller gør panelet mindre.",
            "Choose which quota to loosen ({features}), or make the panel smaller.",
        ),
        "panel.recent_set_aside": (
            "{n} borgere, der blev inviteret inden for de sidste {days} dage, er sat til side.",
            "{n} citizens invited within the last {days} days are set aside.",
        ),
        "panel.recent_kept": (
            "{n} borgere blev inviteret inden for de sidste {days} dage, men er med igen: uden "
            "dem kan kvoterne ikke opfyldes.",
            "{n} citizens were invited within the last {days} days but are included again: "
            "without them the quotas cannot be met.",
        ),
        "panel.reserve_random": (
            "Lodtrækningen gav ikke reserver nok; de sidste på reservelisten er trukket "
            "tilfældigt blandt resten af gruppen.",
            "The lottery gave too few reserves; the last on the reserve list are drawn at "
            "random from the rest of the pool.",
        ),
        "panel.col_place": ("panel", "panel"),
        "panel.col_invited": ("inviteret", "invited"),
        "panel.col_reserve": ("reserve {rank}", "reserve {rank}"),
    }
)
