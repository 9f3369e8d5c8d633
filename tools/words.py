"""Keep the word catalogue tidy: re-sort the .po files by topic and compile them to .mo.

The words live in gettext catalogues, `data_pipeline/core/words/{da,en}.po` (msgid = the key,
msgstr = the text; plural entries carry msgid_plural and one msgstr per form). Translators edit
the .po files with any gettext tool; then run

    python tools/words.py          # re-sort by topic, rewrite the .po files, compile the .mo files
    python tools/words.py --check  # exit 1 if the .po or .mo files are not as this would write them

The app reads the compiled .mo files (stdlib, about 1 ms), not the .po files (Babel's parser
takes about 20 ms per language), so the first page visit does not pay for parsing.
"""

from __future__ import annotations

import argparse
import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

WORDS = Path(__file__).resolve().parents[1] / "data_pipeline" / "core" / "words"
LANGS = ("da", "en")
# Fixed dates keep the files byte-stable, so --check can compare them.
STAMP = datetime(2026, 12, 6, tzinfo=UTC)
HEADER = (
    "# Deltagelsesatlas: every word the app, the reports and the CLI show, in {name}.\n"
    "# msgid is the key code looks up with t(key, lang) or tn(key, n, lang); msgstr is the text.\n"
    "# Placeholders in {{braces}} must match the other language. Entries are grouped by topic and\n"
    "# sorted by key; run `python tools/words.py` after editing to re-sort and compile the .mo."
)
NAMES = {"da": "Danish (the default)", "en": "English"}

# Topic headings, in the order a reader meets them: (key prefixes, heading).
TOPICS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("app", "nav", "ui"), "App frame and navigation (app.py, app_support/navigation.py)"),
    (("filter", "wave"), "Filter bar and waves (app_support/state.py)"),
    (
        ("dim", "gender", "group", "period", "unknown", "word"),
        "Shared words: dimensions, groups, counts",
    ),
    (("metric", "overview"), "Overblik page"),
    (("explore", "col", "download", "tooltip", "series", "chart"), "Udforsk page, tables, charts"),
    (("map", "postal"), "Kort page and the map"),
    (("groups", "score", "gaps", "gap", "weights"), "Grupper page: gaps, scores, weights"),
    (("segment",), "Segments and area clusters (analysis/segment_words.py)"),
    (("activity",), "Aktivitet page: the participation platforms"),
    (
        ("upload", "field", "problem", "format", "reason", "coverage"),
        "Upload page: files, mapping, problems",
    ),
    (("auth", "role"), "Login and roles"),
    (("admin", "audit"), "Admin page: erasure and the audit log"),
    (("contact",), "Kontakt page: the contact export"),
    (("panel",), "Kontakt page: panels"),
    (("goals", "status"), "Mål page: goals for the term"),
    (("report",), "Council report (present/reports) and the Rapport page"),
    (("public",), "Citizens' summary (present/reports/public.py)"),
)


def topic_of(key: str) -> int:
    prefix = key.split(".", 1)[0]
    for i, (prefixes, _heading) in enumerate(TOPICS):
        if prefix in prefixes:
            return i
    raise SystemExit(f"{key}: no topic for prefix {prefix!r}; add it to TOPICS in tools/words.py")


def plural_id(key: str) -> str:
    """msgid_plural of a plural entry: the key with `.plural`, so both ids stay keys."""
    return f"{key}.plural"


def build(entries: dict[str, tuple], lang: str) -> Catalog:
    """A catalogue for one language from {key: (da, en)}, each a str or a tuple of plural forms."""
    catalog = Catalog(
        locale=lang,
        domain="deltagelsesatlas",
        header_comment=HEADER.format(name=NAMES[lang]),
        project="Deltagelsesatlas",
        version="1",
        copyright_holder="",
        msgid_bugs_address="",
        creation_date=STAMP,
        revision_date=STAMP,
        last_translator="",
        language_team="",
        fuzzy=False,
    )
    column = LANGS.index(lang)
    order = sorted(entries, key=lambda k: (topic_of(k), k))
    last_topic = None
    for key in order:
        text = entries[key][column]
        topic = topic_of(key)
        comments = []
        if topic != last_topic:
            comments = [f"== {TOPICS[topic][1]} =="]
            last_topic = topic
        msgid = (key, plural_id(key)) if isinstance(text, tuple) else key
        catalog.add(msgid, text, user_comments=comments)
    return catalog


def po_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=96, omit_header=False)
    return buf.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


def read_entries(folder: Path = WORDS) -> dict[str, tuple]:
    """{key: (da, en)} from the .po files; plural entries as tuples of forms."""
    texts: dict[str, list] = {}
    for column, lang in enumerate(LANGS):
        with open(folder / f"{lang}.po", "rb") as fh:
            catalog = read_po(fh, locale=lang)
        for message in catalog:
            if not message.id:
                continue
            key = message.id[0] if message.pluralizable else message.id
            text = tuple(message.string) if message.pluralizable else message.string
            texts.setdefault(key, [None, None])[column] = text
    return {key: tuple(pair) for key, pair in texts.items()}


def files_for(entries: dict[str, tuple]) -> dict[Path, bytes]:
    files = {}
    for lang in LANGS:
        catalog = build(entries, lang)
        files[WORDS / f"{lang}.po"] = po_bytes(catalog)
        files[WORDS / f"{lang}.mo"] = mo_bytes(catalog)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="only report files that differ")
    args = parser.parse_args(argv)
    entries = read_entries()
    missing = sorted(k for k, (da, en) in entries.items() if da is None or en is None)
    if missing:
        print("In one language only:", ", ".join(missing), file=sys.stderr)
        return 1
    stale = []
    for path, data in files_for(entries).items():
        if path.read_bytes() != data:
            stale.append(path.name)
            if not args.check:
                path.write_bytes(data)
    if args.check and stale:
        print("Not sorted or not compiled:", ", ".join(stale), "- run python tools/words.py")
        return 1
    print("rewrote " + ", ".join(stale) if stale else "catalogue is sorted and compiled")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
