"""The pages of the app, in menu order. A page appears here only when its issue is done.

Each entry: (file, translation key of its title, Material icon, url path).
"""

from __future__ import annotations

PAGES: list[tuple[str, str, str, str]] = [
    ("pages/overblik.py", "nav.overview", ":material/dashboard:", "overblik"),
    ("pages/udforsk.py", "nav.explore", ":material/table_chart:", "udforsk"),
    ("pages/kort.py", "nav.map", ":material/map:", "kort"),
    ("pages/grupper.py", "nav.groups", ":material/groups:", "grupper"),
]
