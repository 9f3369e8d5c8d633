"""Words for panels (Kontakt: "Invitér et panel") and goals for the term (Mål), Danish and English.

Merged into data_pipeline.i18n.TEXT at import; never imports anything from the app.
"""

from __future__ import annotations

PANEL_TEXT: dict[str, tuple[str, str]] = {
    "nav.goals": ("Mål", "Goals"),
    "goals.title": ("Mål for valgperioden", "Goals for the term"),
}
