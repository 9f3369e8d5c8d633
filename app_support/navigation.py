"""The pages of the app, in menu order. A page appears here only when its issue is done.

Each entry: (file, translation key of its title, Material icon, url path).
"""

from __future__ import annotations

PAGES: list[tuple[str, str, str, str]] = [
    ("pages/overblik.py", "nav.overview", ":material/dashboard:", "overblik"),
    ("pages/udforsk.py", "nav.explore", ":material/table_chart:", "udforsk"),
    ("pages/kort.py", "nav.map", ":material/map:", "kort"),
    ("pages/grupper.py", "nav.groups", ":material/groups:", "grupper"),
    ("pages/aktivitet.py", "nav.activity", ":material/timeline:", "aktivitet"),
    ("pages/rapport.py", "nav.report", ":material/description:", "rapport"),
    ("pages/maal.py", "nav.goals", ":material/flag:", "maal"),
    ("pages/upload.py", "nav.upload", ":material/upload:", "upload"),
    ("pages/kontakt.py", "nav.contact", ":material/contact_mail:", "kontakt"),
    ("pages/admin.py", "nav.admin", ":material/admin_panel_settings:", "admin"),
]


def pages_for(roles) -> list[tuple[str, str, str, str]]:
    """The pages these roles may see, in menu order (data_pipeline.auth decides)."""
    from data_pipeline.auth import can_see_page

    return [page for page in PAGES if can_see_page(roles, page[3])]


def urls_hidden_from(roles) -> list[str]:
    """The url paths these roles may not see: they get a refusal page, never the page."""
    from data_pipeline.auth import can_see_page

    return [page[3] for page in PAGES if not can_see_page(roles, page[3])]
