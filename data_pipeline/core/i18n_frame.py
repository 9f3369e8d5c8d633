"""Words for the app frame (issue 14): failed pages, unknown paths, filters a page does not use,
Streamlit's own upload box, tiny selections. Danish and English.

Merged into data_pipeline.core.i18n.TEXT at import; never imports anything from the app.
"""

from __future__ import annotations

FRAME_TEXT: dict[str, tuple[str, str]] = {
    "app.page_failed": (
        "Siden kunne ikke vises. Fejlen er skrevet i serverens log; prøv igen, eller kontakt "
        "den, der driver Deltagelsesatlas.",
        "The page could not be shown. The error is written to the server log; try again, or "
        "contact whoever runs Deltagelsesatlas.",
    ),
    "app.press_enter": ("Tryk Enter for at bruge", "Press Enter to apply"),
    "app.no_results": ("Ingen resultater", "No results"),
    "map.click_hint": (
        "Klik på et område for at filtrere alle sider til det (skift-klik tilføjer flere).",
        "Click an area to filter every page to it (shift-click adds more).",
    ),
    "map.area_chosen": (
        "Filtreret til {names}. Klik på et andet område for at skifte, eller ryd valget for "
        "at se alle.",
        "Filtered to {names}. Click another area to switch, or clear the choice to see all.",
    ),
    "map.clear_area": ("Ryd områdevalg", "Clear area"),
    "app.running": ("Arbejder …", "Running …"),
    "app.not_found_title": ("Siden findes ikke", "No such page"),
    "app.not_found": (
        "Der er ingen side på adressen /{path}. Måske er linket skrevet forkert eller forældet.",
        "There is no page at /{path}. The link may be mistyped or out of date.",
    ),
    "app.not_found_back": ("Gå til {page}", "Go to {page}"),
    "filter.not_applied.activity": (
        "Filtrene i sidepanelet gælder ikke her: platformsaktiviteten er ikke knyttet til "
        "spørgeskemaets svar, så siden viser al aktivitet uanset bølge, alder, køn, område, "
        "emne, format, tid og engagement.",
        "The filters in the sidebar do not apply here: platform activity is not linked to the "
        "survey answers, so the page shows all activity whatever the wave, age, gender, area, "
        "topic, format, time and engagement.",
    ),
    "filter.not_applied.some": (
        "Disse filtre gælder ikke på denne side: {names}.",
        "These filters do not apply on this page: {names}.",
    ),
    "filter.not_applied.map_area": (
        "Kortet viser altid alle lokalområder.",
        "The map always shows every area.",
    ),
    "filter.not_applied.map_group": (
        "Gruppen vælges over kortet og træder i stedet for sidepanelets alder og køn.",
        "The group is chosen above the map and takes the place of the sidebar's age and gender.",
    ),
    "filter.not_applied.files": (
        "Siden arbejder med filer og indlæsninger, ikke med svarene.",
        "This page works with files and batches, not with the answers.",
    ),
    "activity.rest": ("Øvrige", "Others"),
    "upload.drop_here": ("Træk filer hertil", "Drag files here"),
    "upload.drop_limit": (
        "CSV, XLSX, ZIP, GeoJSON … højst {mb} MB pr. fil",
        "CSV, XLSX, ZIP, GeoJSON … at most {mb} MB per file",
    ),
    "upload.browse": ("Vælg filer", "Browse files"),
    "upload.undo_choose": ("Vælg en indlæsning", "Choose a batch"),
    "upload.undo_confirm": (
        "Ja, fortryd indlæsning nr. {batch}: dens rækker slettes fra databasen",
        "Yes, undo batch {batch}: its rows are deleted from the database",
    ),
    "upload.undo_confirm_first": (
        "Vælg en indlæsning, og sæt flueben ved bekræftelsen, før du fortryder.",
        "Choose a batch and tick the confirmation before undoing.",
    ),
    "upload.values_all_at_once": (
        "Forslagene er allerede udfyldt. Ret dem, der er forkerte, direkte i tabellerne, og gem "
        "alle valg på én gang.",
        "The suggestions are already filled in. Correct any that are wrong directly in the "
        "tables and save every choice at once.",
    ),
    "chart.too_few": (
        "For få svar til et diagram ({n}): med under {k} svar pr. gruppe skjules tallene. "
        "Udvid filteret for at se fordelingen.",
        "Too few responses for a chart ({n}): counts under {k} per group are hidden. "
        "Widen the filter to see the distribution.",
    ),
}
