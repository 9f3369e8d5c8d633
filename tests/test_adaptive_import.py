"""Imports that adapt to files we have never seen (issue 11).

Each test builds its own file in the shape real municipalities send (their wording, their
scales, their separators) and loads it through the real pipeline into a real DuckDB.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from data_pipeline.core.errors import InvalidFile
from data_pipeline.ingest.column_plan import map_columns
from data_pipeline.ingest.mapping import UserMapping
from data_pipeline.ingest.multiselect import split_column
from data_pipeline.ingest.scales import sort_position
from data_pipeline.store.load import ingest, undo
from tests.conftest import REAL_DATA, ROOT, write_text

AREAS = ["Nordby", "Sønderby", "Midtbyen", "Havnekvarteret"]


def own_wording_survey(tmp_path, n: int = 200, engagement=None, extra_rows=(), seed: int = 7):
    """A Danish Excel CSV (cp1252, ';') asking engagement with the municipality's own labels."""
    rng = random.Random(seed)
    engagement = engagement or [
        "Jeg vil gerne være med til at beslutte",
        "Jeg vil gerne bidrage med input",
        "Jeg vil gerne holdes orienteret",
    ]
    header = "Hvor gammel er du?;Køn;Hvor bor du?;Hvor aktiv vil du gerne være?;Hvilke emner?"
    rows = [
        f"{rng.randint(18, 90)};{rng.choice(['Kvinde', 'Mand'])};{rng.choice(AREAS)};"
        f"{rng.choice(engagement)};{rng.choice(['Kultur, idræt og fritid', 'Klima'])}"
        for _ in range(n)
    ]
    text = "\r\n".join([header, *rows, *extra_rows]) + "\r\n"
    return write_text(tmp_path / "borgere_2025.csv", text, "cp1252")


def test_the_municipalitys_own_answer_labels_load_as_the_waves_vocabulary(areas_db, tmp_path):
    result = ingest(areas_db, own_wording_survey(tmp_path), "survey")
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("loaded", 200, 0)
    new = result.new_values["engagement"]
    labels = [item["label"] for item in new["new"]]
    assert sorted(labels) == sorted(
        [
            "Jeg vil gerne være med til at beslutte",
            "Jeg vil gerne bidrage med input",
            "Jeg vil gerne holdes orienteret",
        ]
    )
    assert new["order_inferred"] is True
    # The scale runs from "kept informed" to "decide", read from the words.
    order = [
        label
        for (label,) in areas_db.execute(
            "SELECT label_da FROM vocabulary WHERE kind = 'engagement' AND label_da LIKE 'Jeg %' "
            "ORDER BY sort_order"
        ).fetchall()
    ]
    assert order == [
        "Jeg vil gerne holdes orienteret",
        "Jeg vil gerne bidrage med input",
        "Jeg vil gerne være med til at beslutte",
    ]
    # a ready-to-use mapping snippet merges the wave's labels into existing codes
    snippet = new["mapping_snippet"]["values"]["engagement"]
    assert snippet["Jeg vil gerne holdes orienteret"] == "orienteret"
    assert UserMapping.from_dict(new["mapping_snippet"]).values == new["mapping_snippet"]["values"]
    # Every respondent has an engagement code, and it is one of the wave's own.
    missing = areas_db.execute(
        "SELECT count(*) FROM respondent WHERE engagement_level IS NULL"
    ).fetchone()[0]
    assert missing == 0


@pytest.mark.parametrize(
    ("kind", "most_to_least"),
    [
        ("interest", ["I høj grad", "I nogen grad", "I mindre grad", "Slet ikke"]),
        ("interest", ["Meget", "Noget", "Kun lidt", "Slet ikke interesseret"]),
        (
            "interest",
            [
                "Meget interesseret",
                "Interesseret",
                "Hverken/eller",
                "Ikke særlig interesseret",
                "Slet ikke interesseret",
            ],
        ),
        ("interest", ["Vildt interesseret", "Lidt interesseret", "Ikke rigtig", "Slet ikke"]),
        ("interest", ["Very interested", "Somewhat interested", "Not at all interested"]),
        ("time", ["Over 10 timer", "5-10 timer", "2-4 timer", "0-1 time", "Ingen tid"]),
        ("time", ["Mere end 6 timer", "4-6 timer", "1-3 timer", "Under 1 time"]),
        ("time", ["Mere end 5 timer", "2-5 timer", "Op til 2 timer", "Ingen"]),
        ("time", ["5 timer eller mere", "3–5 timer", "1–2 timer", "Mindre end 1 time"]),
        (
            "engagement",
            [
                "Tage ansvar for at føre idéer ud i livet",
                "Være med til at træffe beslutninger",
                "Komme med input og idéer",
                "Holde mig orienteret",
            ],
        ),
        ("engagement", ["Medbestemmende", "Inddraget", "Hørt", "Informeret"]),
        ("engagement", ["Være med i et projekt", "Sige min mening", "Bare følge med"]),
    ],
)
def test_the_order_of_a_scale_is_read_from_its_words(kind, most_to_least):
    shuffled = list(most_to_least)
    random.Random(1).shuffle(shuffled)
    top = 5 if all(x.isdigit() for x in shuffled) else None
    ranked = sorted(shuffled, key=lambda label: sort_position(kind, label, top))
    # interest sorts most first (as the seed vocabulary), time and engagement least first
    expected = most_to_least if kind == "interest" else list(reversed(most_to_least))
    assert ranked == expected


def test_a_one_to_five_scale_is_ordered_by_its_numbers():
    labels = ["3", "1", "5", "2", "4"]
    assert sorted(labels, key=lambda x: sort_position("interest", x, 5)) == [
        "5",
        "4",
        "3",
        "2",
        "1",
    ]


def test_a_label_seen_once_among_known_ones_is_a_typo_and_rejects_its_row(areas_db, tmp_path):
    typo = "25;Mand;Nordby;Jeg vil gerne bidrage med inptu;Klima"
    path = own_wording_survey(tmp_path, extra_rows=[typo])
    result = ingest(areas_db, path, "survey")
    assert (result.rows_loaded, result.rows_rejected) == (200, 1)
    [rejection] = result.rejections
    assert rejection["row"] == 202
    assert rejection["column"] == "Hvor aktiv vil du gerne være?"
    assert rejection["value"] == "Jeg vil gerne bidrage med inptu"
    assert rejection["reason"].startswith("Sjælden stavemåde")
    typos = result.new_values["engagement"]["typos"]
    assert typos[0]["closest"] is not None


def test_dont_know_loads_with_the_answer_unknown(areas_db, tmp_path):
    path = own_wording_survey(tmp_path, extra_rows=["30;Kvinde;Nordby;Ved ikke;Klima"] * 3)
    result = ingest(areas_db, path, "survey")
    assert (result.rows_loaded, result.rows_rejected) == (203, 0)
    assert result.new_values["engagement"]["dont_know"] == ["Ved ikke"]


def test_a_column_that_fails_a_fifth_of_the_rows_refuses_the_file(areas_db, tmp_path):
    before = areas_db.execute("SELECT count(*) FROM batch").fetchone()[0]
    path = own_wording_survey(
        tmp_path,
        extra_rows=[f"{20 + i};Hest;Nordby;Jeg vil gerne bidrage med input;" for i in range(60)],
    )
    with pytest.raises(InvalidFile, match="kolonnen 'Køn' afviser 60 af 260") as caught:
        ingest(areas_db, path, "survey")
    assert "'Hest' (60)" in str(caught.value)
    assert caught.value.mapping_template["values"]["gender"] == {"Hest": ""}
    assert areas_db.execute("SELECT count(*) FROM batch").fetchone()[0] == before
    assert areas_db.execute("SELECT count(*) FROM survey_wave").fetchone()[0] == 0


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "data_pipeline", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_cli_refuses_with_exit_2_and_writes_a_mapping_template_that_then_loads(tmp_path):
    db = str(tmp_path / "cli.duckdb")
    assert (
        cli(
            "ingest", str(ROOT / "sample_data" / "areas.geojson"), "--kind", "areas", "--db", db
        ).returncode
        == 0
    )
    path = str(
        own_wording_survey(
            tmp_path,
            extra_rows=[
                f"{20 + i};Hest;Nordby;Jeg vil gerne bidrage med input;" for i in range(60)
            ],
        )
    )
    template = tmp_path / "mapping.json"
    survey = ("ingest", path, "--kind", "survey", "--db", db, "--json")
    refused = cli(*survey, "--write-mapping", str(template))
    assert refused.returncode == 2, refused.stderr
    result = json.loads(refused.stdout.splitlines()[0])
    assert result["status"] == "rejected" and result["rows_loaded"] == 0
    filled = json.loads(template.read_text(encoding="utf-8"))
    assert filled["values"]["gender"] == {"Hest": ""}
    filled["values"]["gender"]["Hest"] = "uoplyst"
    template.write_text(json.dumps(filled, ensure_ascii=False), encoding="utf-8")
    loaded = cli(*survey, "--mapping", str(template))
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout.splitlines()[0])["rows_loaded"] == 260


def test_a_load_that_would_keep_no_row_is_refused_and_leaves_no_wave(areas_db, tmp_path):
    text = "Alder;Køn;Lokalområde\r\n" + "".join(f"{30 + i};Mand;Atlantis\r\n" for i in range(5))
    path = write_text(tmp_path / "tom_2024.csv", text, "utf-8")
    with pytest.raises(InvalidFile, match="Ingen rækker ville blive indlæst"):
        ingest(areas_db, path, "survey")
    assert areas_db.execute("SELECT count(*) FROM survey_wave").fetchone()[0] == 0
    assert areas_db.execute("SELECT count(*) FROM batch WHERE kind = 'survey'").fetchone()[0] == 0
    # ... so the fixed file is not "already loaded"
    fixed = write_text(tmp_path / "tom_2024.csv", text.replace("Atlantis", "Nordby"), "utf-8")
    assert ingest(areas_db, fixed, "survey").rows_loaded == 5


def test_the_real_google_forms_export_with_unknown_postcodes_is_refused(areas_db):
    """The export the Upload page once loaded as "0 rows, 56 rejected", leaving an empty wave."""
    path = REAL_DATA / "surveys" / "googleforms_da-locale_mujemula_survey_data.csv"
    if not path.exists():
        pytest.skip("../shared/data/real is not present")
    with pytest.raises(InvalidFile):
        ingest(areas_db, path, "survey", wave="2024")
    assert areas_db.execute("SELECT count(*) FROM survey_wave").fetchone()[0] == 0


def test_undo_removes_the_wave_and_the_vocabulary_the_batch_added(areas_db, tmp_path):
    seeds = areas_db.execute("SELECT count(*) FROM vocabulary").fetchone()[0]
    result = ingest(areas_db, own_wording_survey(tmp_path), "survey")
    assert areas_db.execute("SELECT count(*) FROM vocabulary").fetchone()[0] > seeds
    undo(areas_db, result.batch_id)
    assert areas_db.execute("SELECT count(*) FROM survey_wave").fetchone()[0] == 0
    assert areas_db.execute("SELECT count(*) FROM wave_vocabulary").fetchone()[0] == 0
    assert areas_db.execute("SELECT count(*) FROM vocabulary").fetchone()[0] == seeds
    # and the same file loads again afterwards
    assert ingest(areas_db, own_wording_survey(tmp_path), "survey").status == "loaded"


def test_a_dry_run_reports_the_load_and_changes_nothing(areas_db, tmp_path):
    tables = ("batch", "respondent", "vocabulary", "survey_wave", "rejection", "audit_log")

    def counts():
        return [areas_db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables]  # noqa: S608

    before = counts()
    result = ingest(areas_db, own_wording_survey(tmp_path), "survey", check=True)
    assert (result.status, result.batch_id, result.rows_loaded) == ("check", None, 200)
    assert "engagement" in result.new_values
    assert counts() == before


def test_a_file_resaved_by_excel_is_a_duplicate(areas_db, tmp_path):
    text = "Alder;Køn;Lokalområde\n" + "".join(f"{30 + i};Mand;Nordby\n" for i in range(8))
    first = ingest(areas_db, write_text(tmp_path / "a_2025.csv", text, "utf-8"), "survey")
    resaved = write_text(tmp_path / "b_2025.csv", "\ufeff" + text.replace("\n", "\r\n"), "utf-8")
    second = ingest(areas_db, resaved, "survey")
    assert (second.status, second.batch_id) == ("duplicate", first.batch_id)
    assert areas_db.execute("SELECT count(*) FROM respondent").fetchone()[0] == 8


@pytest.mark.parametrize("value", ["NaN", "inf", "-inf", "32768", "1e300", "99999"])
def test_an_impossible_age_rejects_its_row_never_the_file(areas_db, tmp_path, value):
    text = f"Alder;Køn;Lokalområde\r\n40;Mand;Nordby\r\n{value};Mand;Nordby\r\n41;Mand;Nordby\r\n"
    result = ingest(areas_db, write_text(tmp_path / "x_2025.csv", text, "utf-8"), "survey")
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert result.rejections[0]["row"] == 3 and result.rejections[0]["value"] == value


def test_an_impossible_birth_year_rejects_its_row(areas_db, tmp_path):
    text = (
        "Fødselsår;Køn;Lokalområde\r\n1980;Mand;Nordby\r\n99999;Mand;Nordby\r\n1850;Mand;Nordby\r\n"
    )
    result = ingest(areas_db, write_text(tmp_path / "x_2025.csv", text, "utf-8"), "survey")
    assert (result.rows_loaded, result.rows_rejected) == (1, 2)


def test_an_unreadable_timestamp_rejects_its_row(areas_db, tmp_path):
    text = (
        "Tidsstempel;Alder;Køn;Lokalområde\r\n"
        "20.11.2025 14.03.43;40;Mand;Nordby\r\n"
        "i går;41;Mand;Nordby\r\n"
        "21.11.2025 09.00.00;42;Kvinde;Nordby\r\n"
    )
    result = ingest(areas_db, write_text(tmp_path / "x_2025.csv", text, "utf-8"), "survey")
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert result.rejections[0]["reason"] == "Tidspunktet kan ikke læses"


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2025/11/24 2:03:43 PM GMT+1", "2025-11-24 14:03:43"),
        ("2022-01-14T09:30:00+01:00", "2022-01-14 09:30:00"),
        ("20.11.2025 14.03.43", "2025-11-20 14:03:43"),
    ],
)
def test_timestamps_with_zones_keep_the_local_time(areas_db, tmp_path, stamp, expected):
    text = f"Timestamp;Alder;Køn;Lokalområde\r\n{stamp};40;Mand;Nordby\r\n"
    result = ingest(areas_db, write_text(tmp_path / "x_2025.csv", text, "utf-8"), "survey")
    assert result.rows_loaded == 1
    got = areas_db.execute("SELECT submitted_at::VARCHAR FROM respondent").fetchone()[0]
    assert got == expected


# --- multi-select ------------------------------------------------------------------------------

OPTIONS = [
    "Kultur, idræt og fritid",
    "Børn, unge og familie",
    "Veje/stier",
    "Ældre (pleje, omsorg)",
    "Klima og natur",
    "Trafik",
]


@pytest.mark.parametrize("separator", [";", "; ", "|", ", "])
def test_multi_select_never_breaks_an_option(separator):
    rng = random.Random(3)
    cells = set()
    for _ in range(300):
        picked = [o for o in OPTIONS if rng.random() < 0.3] or [rng.choice(OPTIONS)]
        cells.add(separator.join(picked))
    cells.add("Kultur, idræt og fritid")  # one option holding a comma, alone in its cell
    split = split_column(sorted(cells), [])
    for cell, options in split.items():
        assert separator.join(options) == cell
        assert set(options) <= set(OPTIONS), (cell, options)


def test_a_single_comma_option_in_a_semicolon_column_stays_whole(areas_db, tmp_path):
    """301 of 1,693 "Kultur, idræt og fritid" answers once became two phantom topics."""
    rows = ["40;Mand;Nordby;Kultur, idræt og fritid"] * 30 + ["41;Kvinde;Nordby;Klima; Trafik"] * 30
    text = "Alder;Køn;Lokalområde;Emner\r\n" + "\r\n".join(rows) + "\r\n"
    result = ingest(areas_db, write_text(tmp_path / "x_2025.csv", text, "utf-8"), "survey")
    assert result.rows_loaded == 60
    topics = dict(
        areas_db.execute(
            "SELECT v.label_da, count(*) FROM respondent_topic t JOIN vocabulary v "
            "ON v.kind = 'topic' AND v.code = t.topic GROUP BY 1"
        ).fetchall()
    )
    assert topics["Kultur, idræt og fritid"] == 30
    assert not {"Kultur", "idræt og fritid"} & set(topics)


# --- headers and consent ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Hvor gammel er du?", "age"),
        ("Alder (år)", "age"),
        ("How old are you?", "age"),
        ("Hvor bor du?", "area"),
        ("Bydel", "area"),
        ("Lokalsamfund", "area"),
        ("Skoledistrikt", "area"),
        ("Sogn", "area"),
        ("Where do you live?", "area"),
        ("Postnr.", "postal_code"),
        ("Post code", "postal_code"),
        ("Hvilket køn identificerer du dig med?", "gender"),
        ("Which gender do you identify with?", "gender"),
        ("Må vi kontakte dig?", "consent"),
        ("Samtykke til kontakt", "consent"),
        ("Kontakt ok?", "consent"),
        ("May we contact you later?", "consent"),
        ("Fornavn", "first_name"),
        ("Efternavn", "last_name"),
    ],
)
def test_headers_real_forms_use(header, field):
    plan = map_columns(["Respondent", header])
    assert plan.header(field) == header


@pytest.mark.parametrize(
    "header", ["I agree to participate", "Samtykke", "Jeg giver samtykke til databehandling"]
)
def test_a_consent_that_is_not_about_contact_never_makes_anyone_contactable(header):
    plan = map_columns(["Alder", "Lokalområde", header, "E-mail"])
    assert "consent" not in plan.fields
    assert header in plan.ignored
    assert header in plan.notes


def test_research_consent_answered_yes_gives_no_contact(areas_db, tmp_path):
    text = "Alder;Lokalområde;I agree to participate;E-mail\r\n" + "".join(
        f"{30 + i};Nordby;Ja;p{i}@example.dk\r\n" for i in range(5)
    )
    result = ingest(areas_db, write_text(tmp_path / "x_2025.csv", text, "utf-8"), "survey")
    assert result.rows_loaded == 5
    assert areas_db.execute("SELECT count(*) FROM contact").fetchone()[0] == 0
    assert any("samtykke" in w.lower() for w in result.warnings)


@pytest.mark.parametrize(
    ("answers", "contactable"),
    [
        (["Ja, I må gerne skrive til mig", "Nej"], 1),
        (["Ja, jeg vil gerne kontaktes", "Nej, jeg vil ikke kontaktes"], 1),
        (["Jeg giver samtykke til, at kommunen kontakter mig", ""], 1),
        (["Nej tak", "Nej"], 0),
    ],
)
def test_consent_answers_in_many_wordings(areas_db, tmp_path, answers, contactable):
    rows = [f"4{i};Nordby;{a};Navn {i};n{i}@example.dk" for i, a in enumerate(answers)]
    text = "Alder;Lokalområde;Må vi kontakte dig?;Navn;E-mail\r\n" + "\r\n".join(rows) + "\r\n"
    ingest(areas_db, write_text(tmp_path / "x_2025.csv", text, "utf-8"), "survey")
    assert areas_db.execute("SELECT count(*) FROM contact").fetchone()[0] == contactable


def test_forms_own_mail_column_gives_way_to_the_question(areas_db, tmp_path):
    text = (
        "Alder;Lokalområde;Mail;Navn;Må vi kontakte dig?;Dit fulde navn;Din e-mailadresse\r\n"
        "40;Nordby;anonymous;;Ja;Søren Æbelø;soeren@example.dk\r\n"
    )
    ingest(areas_db, write_text(tmp_path / "x_2025.csv", text, "utf-8"), "survey")
    assert areas_db.execute("SELECT name, email FROM contact").fetchall() == [
        ("Søren Æbelø", "soeren@example.dk")
    ]


def test_a_postal_code_that_spans_areas_is_not_given_wholly_to_one(areas_db, tmp_path):
    # sample postal table: 7430 lies wholly in 01; 7450 is split between 05 (62 %) and 10
    text = "Alder;Postnummer\r\n40;7430\r\n41;7450\r\n42;9999\r\n"
    result = ingest(areas_db, write_text(tmp_path / "x_2025.csv", text, "utf-8"), "survey")
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    rows = areas_db.execute(
        "SELECT postal_code, area_code FROM respondent ORDER BY postal_code"
    ).fetchall()
    assert rows == [("7430", "01"), ("7450", None)]


def test_user_mapping_still_merges_new_labels_into_codes(areas_db, tmp_path):
    mapping = UserMapping.from_dict(
        {"values": {"engagement": {"Jeg vil gerne holdes orienteret": "orienteret"}}}
    )
    result = ingest(areas_db, own_wording_survey(tmp_path), "survey", mapping=mapping)
    new = [item["label"] for item in result.new_values["engagement"]["new"]]
    assert "Jeg vil gerne holdes orienteret" not in new
    assert (
        areas_db.execute(
            "SELECT count(*) FROM respondent WHERE engagement_level = 'orienteret'"
        ).fetchone()[0]
        > 0
    )


def test_a_header_close_to_a_known_one_is_suggested_not_guessed(areas_db, tmp_path):
    text = "Alder;Lokalomrde\r\n40;Nordby\r\n"
    with pytest.raises(InvalidFile, match="Lokalomrde.*Ligner et spørgsmål om 'area'"):
        ingest(areas_db, write_text(tmp_path / "x_2025.csv", text, "utf-8"), "survey")
