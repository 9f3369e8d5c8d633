"""The word catalogue (issue 15): gettext .po files for Danish and English, read through t()/tn().

Reads the .po files with Babel (the translators' source) and the code with `ast`, so a key that
is missing, unused, lopsided between the languages or built outside the catalogue fails here.
"""

from __future__ import annotations

import ast
import logging
import re
import string
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import data_pipeline.core.i18n as i18n
from data_pipeline.core.i18n import TEXT, MissingWord, counted, t, tn
from tests.conftest import ROOT

WORDS = ROOT / "data_pipeline" / "core" / "words"
CODE = sorted(
    [
        *ROOT.glob("data_pipeline/**/*.py"),
        *ROOT.glob("app_support/*.py"),
        *ROOT.glob("pages/*.py"),
        ROOT / "app.py",
    ]
)
# Keys the code builds from a code word (f"dim.{dim}"), so no literal names them. Each prefix
# must be the start of an f-string in the code (checked below), and only keys under these
# prefixes may go without a literal.
DYNAMIC_PREFIXES = (
    "activity.by.",  # the activity page's breakdowns
    "admin.by_",  # erase by email / respondent id
    "audit.action.",  # audit log actions
    "audit.actor.",
    "audit.kind.",  # import kinds in the audit log
    "col.",  # table columns named after a dimension
    "contact.col.",  # the contact export's column headers
    "dim.",  # the filter dimensions
    "explore.",  # the Udforsk measures
    "field.",  # survey fields in the Upload mapping
    "filter.",  # one label per filter dimension; filter.not_applied.<page>
    "format.",  # source file formats
    "gender.",  # gender codes
    "goals.channel.",  # survey / platforms
    "goals.status.",  # goal verdicts
    "group.gender.",  # genders inside a group's name
    "map.",  # map measures
    "panel.feature.",  # the panel's stratification features
    "panel.unknown.",  # "citizens of unknown <feature>"
    "problem.",  # the columns of the problem table
    "public.asked.q",  # the summary's five questions
    "reason.",  # why an upload's cell was rejected (ingest.row_checks.reason)
    "reason.population.",  # why a population row was rejected (store.load_reference)
    "report.message.",  # the council report's short messages
    "report.page.download_",  # the Rapport page's download buttons, one per format
    "report.shares.note_",  # single / multi answers
    "role.",  # role names
    "score.field.",  # the representation score's fields
    "status.",  # goal status badges
    "upload.kind.",  # upload kinds
    "word.",  # counted(n, word)
)
# Words that may stand as literals in a Streamlit call, with the reason.
ALLOWED_LITERALS = {
    "Deltagelsesatlas": "the product's name, the same in both languages",
    "Login": "the hidden login page's tab title; the same word in Danish and English",
}
# Keyword arguments of st.* calls that never reach a reader as text.
NOT_TEXT_KEYWORDS = {
    "key",
    "type",
    "format",
    "label_visibility",
    "mime",
    "file_name",
    "icon",
    "page_icon",
    "layout",
    "selection_mode",
    "on_select",
    "on_change",
    "on_click",
    "anchor",
    "url_path",
    "visibility",
    "position",
    "gap",
    "alignment",
    "initial_sidebar_state",
    "theme",
    "vertical_alignment",
    "width",
    "height",
}
# st.* calls that read or write state, not the page: their strings are keys.
STATE_ROOTS = ("st.session_state", "st.query_params", "st.user", "st.context", "st.form")


def catalogue(lang: str):
    with open(WORDS / f"{lang}.po", "rb") as fh:
        return read_po(fh, locale=lang)


def entries(lang: str) -> dict[str, str | tuple[str, ...]]:
    result = {}
    for message in catalogue(lang):
        if message.id:
            key = message.id[0] if message.pluralizable else message.id
            result[key] = tuple(message.string) if message.pluralizable else message.string
    return result


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def string_args_of(call: ast.Call, names: tuple[str, ...]) -> ast.expr | None:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return call.args[0] if name in names and call.args else None


# --- the catalogue itself ---------------------------------------------------------------------


def test_every_key_is_in_both_languages_with_the_same_placeholders():
    da, en = entries("da"), entries("en")
    assert sorted(set(da) ^ set(en)) == []
    lopsided = []
    for key in da:
        da_forms = da[key] if isinstance(da[key], tuple) else (da[key],)
        en_forms = en[key] if isinstance(en[key], tuple) else (en[key],)
        assert isinstance(da[key], tuple) == isinstance(en[key], tuple), key
        assert all(da_forms) and all(en_forms), f"{key}: an empty text"
        for da_text, en_text in zip(da_forms, en_forms, strict=True):
            if placeholders(da_text) != placeholders(en_text):
                lopsided.append((key, placeholders(da_text), placeholders(en_text)))
    assert lopsided == []


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_plural_entry_has_the_forms_the_language_needs(lang):
    cat = catalogue(lang)
    assert cat.num_plurals == 2 and cat.plural_expr == "(n != 1)"
    plurals = {k: v for k, v in entries(lang).items() if isinstance(v, tuple)}
    assert "word.row" in plurals and "report.message.answered" in plurals
    for key, forms in plurals.items():
        assert len(forms) == cat.num_plurals, key
        # The count itself shows in the form for many ({n}, or a named count like {pool}).
        assert placeholders(forms[-1]), key


def test_catalogue_files_are_sorted_and_the_compiled_mo_matches_the_po():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import words  # tools/words.py
    finally:
        sys.path.remove(str(ROOT / "tools"))
    assert words.main(["--check"]) == 0
    # The runtime reader sees exactly what Babel reads from the .po files.
    assert dict(TEXT) == {k: (v, entries("en")[k]) for k, v in entries("da").items()}


def test_entries_are_grouped_by_topic_with_a_heading():
    text = (WORDS / "da.po").read_text(encoding="utf-8")
    headings = re.findall(r"^# == (.+) ==$", text, flags=re.M)
    assert len(headings) == len(set(headings)) >= 10
    assert "issue" not in text.lower()


# --- code against catalogue -------------------------------------------------------------------


def literal_keys() -> list[tuple[str, int, str, str]]:
    """(file, line, function, key) for every t("…") / tn("…") with a literal key."""
    found = []
    for path in CODE:
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.Call):
                for fn in ("t", "tn"):
                    arg = string_args_of(node, (fn,))
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.append((str(path.relative_to(ROOT)), node.lineno, fn, arg.value))
    return found


def test_every_key_used_in_code_is_in_the_catalogue_with_the_right_kind():
    da = entries("da")
    used = literal_keys()
    assert len(used) > 400
    missing = [u for u in used if u[3] not in da]
    assert missing == []
    wrong_kind = [u for u in used if isinstance(da[u[3]], tuple) != (u[2] == "tn")]
    assert wrong_kind == []


def test_no_key_is_unused_and_every_dynamic_key_has_a_listed_prefix():
    constants: set[str] = set()
    heads: set[str] = set()
    for path in CODE:
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                constants.add(node.value)
            elif isinstance(node, ast.JoinedStr) and isinstance(node.values[0], ast.Constant):
                heads.add(node.values[0].value)
    keys = set(entries("da"))
    unused = sorted(k for k in keys if k not in constants and not k.startswith(DYNAMIC_PREFIXES))
    assert unused == []
    # Every listed prefix is really built by the code (so the list cannot hide dead keys) ...
    assert sorted(p for p in DYNAMIC_PREFIXES if p not in heads) == []
    # ... and every key built inside t()/tn() names at least one entry,
    for path in CODE:
        for node in ast.walk(parsed(path)):
            arg = isinstance(node, ast.Call) and string_args_of(node, ("t", "tn"))
            if isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
                head = arg.values[0].value
                assert any(k.startswith(head) for k in keys), (str(path), node.lineno, head)
    # ... and every f-string that builds a key starts with a listed prefix.
    key_heads = {h for h in heads if re.fullmatch(r"[a-z_]+\.[a-z_.0-9]*", h)}
    builds_key = {h for h in key_heads if any(k.startswith(h) for k in keys)}
    assert sorted(h for h in builds_key if not h.startswith(DYNAMIC_PREFIXES)) == []


def streamlit_literals(path: Path) -> list[tuple[int, str, str]]:
    """(line, call, literal) for each string with letters passed to a drawing st.* call."""
    found = []
    for node in ast.walk(parsed(path)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = ast.unparse(node.func)
        if not name.startswith("st.") or name.startswith(STATE_ROOTS):
            continue
        args = [*node.args, *(k.value for k in node.keywords if k.arg not in NOT_TEXT_KEYWORDS)]
        for arg in args:
            parts = [arg] if isinstance(arg, ast.Constant) else getattr(arg, "values", [])
            texts = [p.value for p in parts if isinstance(p, ast.Constant)]
            texts = [s for s in texts if isinstance(s, str)]
            if name == "st.html" and texts and texts[0].lstrip().startswith("<style"):
                continue  # CSS, whose words come from t() between the parts
            for text in texts:
                if not re.search(r"[A-Za-zÀ-ÿ]", text):
                    continue  # emoji (ℹ️ is a letter to Unicode), punctuation, numbers
                if text in TEXT or text in ALLOWED_LITERALS:
                    continue
                found.append((node.lineno, name, text))
    return found


def test_pages_and_app_support_pass_no_sentences_to_streamlit():
    files = sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("app_support/*.py"), ROOT / "app.py"])
    found = {
        str(p.relative_to(ROOT)): streamlit_literals(p) for p in files if streamlit_literals(p)
    }
    assert found == {}


def test_the_streamlit_check_catches_a_sentence(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(
        'import streamlit as st\nst.caption("Ingen data endnu")\nst.button(label=f"Gem {x}")\n'
        'st.write("📥")\nst.session_state.get("lang")\nst.title(t("app.title", lang))\n'
    )
    assert streamlit_literals(page) == [
        (2, "st.caption", "Ingen data endnu"),
        (3, "st.button", "Gem "),
    ]


# --- t() and tn() -----------------------------------------------------------------------------


def test_a_missing_key_raises_in_tests():
    with pytest.raises(MissingWord, match="no.such.key"):
        t("no.such.key", "da")
    with pytest.raises(MissingWord, match="use tn"):
        t("word.row", "da")
    with pytest.raises(MissingWord, match="not a plural entry"):
        tn("app.title", 2, "da")


def test_a_missing_key_in_production_is_logged_once_and_shows_the_key(monkeypatch, caplog):
    monkeypatch.delenv(i18n.RAISE_ENV)
    monkeypatch.setattr(i18n, "_reported", set())
    with caplog.at_level(logging.ERROR, logger="data_pipeline.core.i18n"):
        shown = [t("no.such.key", "en") for _ in range(3)]
    assert shown == ["no.such.key"] * 3
    assert [r.getMessage() for r in caplog.records] == [
        "Word 'no.such.key' (en): not in the catalogue; the key is shown instead"
    ]


@pytest.mark.parametrize(
    ("key", "n", "lang", "expected"),
    [
        ("word.participant", 1, "da", "1 deltager"),
        ("word.participant", 2, "da", "2 deltagere"),
        ("word.participant", 0, "da", "0 deltagere"),
        ("word.row", 6000, "da", "6.000 rækker"),
        ("word.row", 6000, "en", "6,000 rows"),
        ("word.response", 1, "en", "1 response"),
        ("word.citizen", 1.2, "da", "1 borger"),  # the form follows the number shown
        ("upload.problems", 1, "da", "Det første problem (række, kolonne, værdi, årsag)"),
        ("upload.problems", 20, "en", "The first 20 problems (row, column, value, reason)"),
    ],
)
def test_tn_picks_the_form_by_babels_plural_rule(key, n, lang, expected):
    assert tn(key, n, lang) == expected


def test_counts_in_sentences_agree_with_their_number():
    assert tn("report.message.answered", 1, "da", rate="0,1 %").startswith("1 borger svarede")
    assert tn("report.message.answered", 1450, "da", rate="30,0 %").startswith(
        "1.450 borgere svarede"
    )
    assert tn("panel.recent_set_aside", 1, "en", days=90) == (
        "1 citizen invited within the last 90 days is set aside."
    )
    assert counted(1, "contact", "en") == "1 contact record"
    # A caller may show its own count, e.g. a suppressed one, and still get the plural form.
    assert tn("postal.spread_detail", 7, "da", n="<5").startswith("<5 svar i denne bølge har")
