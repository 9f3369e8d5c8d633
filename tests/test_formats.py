"""Every source format on generated, real-shaped files: detection, decoding, loading.

Files are made inside each test (tmp_path). The real files are checked in test_real_files.py.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

import openpyxl
import pytest

import data_pipeline.store.statbank as statbank
from data_pipeline.core.errors import InvalidFile
from data_pipeline.ingest.mapping import UserMapping
from data_pipeline.ingest.multiselect import split_column
from data_pipeline.ingest.readers import bundle_inputs, read_table
from data_pipeline.store.load import ingest
from tests.conftest import write_text


def xlsx(path, rows, sheets: dict | None = None):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Sheet1"
    for row in rows:
        workbook.active.append(row)
    for name, sheet_rows in (sheets or {}).items():
        sheet = workbook.create_sheet(name)
        for row in sheet_rows:
            sheet.append(row)
    workbook.save(path)
    return path


def rejection_rows(con, batch_id):
    return con.execute(
        'SELECT row_number, "column", value, reason FROM rejection WHERE batch_id = $b ORDER BY 1',
        {"b": batch_id},
    ).fetchall()


def topics_of(con, batch_id):
    return con.execute(
        "SELECT r.source_id, list(t.topic ORDER BY t.topic) FROM respondent r "
        "JOIN respondent_topic t USING (respondent_id) WHERE batch_id = $b GROUP BY 1 ORDER BY 1",
        {"b": batch_id},
    ).fetchall()


# --- Microsoft Forms --------------------------------------------------------------------------

MSFORMS_EN = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]
MSFORMS_DA = ["Id", "Starttidspunkt", "Fuldførelsestidspunkt", "Mail", "Navn"]


@pytest.mark.parametrize("fixed", [MSFORMS_EN, MSFORMS_DA], ids=["english", "danish"])
def test_microsoft_forms_in_english_or_danish(areas_db, tmp_path, fixed):
    questions = ["Hvad er din alder?", "Køn", "Lokalområde", "Hvilke emner interesserer dig mest?"]
    answers = [
        ["34", "Kvinde", "Nordby", "Klima og miljø;Trafik;"],
        ["61", "Mand", "Ålund", "Trafik;"],
    ]
    rows = [
        [i + 1, "2025-11-20 10:00:00", f"2025-11-20 10:0{i + 1}:00", "anonymous", None]
        + ([None] if len(fixed) == 6 else [])
        + answer
        for i, answer in enumerate(answers)
    ]
    path = xlsx(tmp_path / "forms_2025.xlsx", [fixed + questions, *rows])
    result = ingest(areas_db, path, "survey")
    assert result.detected["format"] == "msforms"
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 2, 0)
    assert result.detected["columns"]["submitted_at"] == fixed[2]
    assert topics_of(areas_db, result.batch_id) == [("1", ["klima", "trafik"]), ("2", ["trafik"])]
    submitted = areas_db.execute(
        "SELECT min(submitted_at)::VARCHAR FROM respondent WHERE batch_id = $b",
        {"b": result.batch_id},
    ).fetchone()[0]
    assert submitted == "2025-11-20 10:01:00"


# --- Google Forms -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "stamp", "expected"),
    [
        ("Tidsstempel", "27/05/2024 12.01.28", "2024-05-27 12:01:28"),
        ("Timestamp", "2020/10/30 3:08:44 PM GMT+1", "2020-10-30 15:08:44"),
    ],
    ids=["danish-locale", "english-locale"],
)
def test_google_forms_timestamps_and_comma_joined_options(
    areas_db, tmp_path, header, stamp, expected
):
    text = (
        f"{header},Alder,Køn,Postnummer,Hvilke emner interesserer dig mest?\r\n"
        f'{stamp},34,Kvinde,7410,"Klima og miljø, Trafik"\r\n'
        f'{stamp},51,Mand,7420,"Kultur og fritid"\r\n'
    )
    path = write_text(tmp_path / "google_2025.csv", text, "utf-8")
    result = ingest(areas_db, path, "survey")
    assert result.detected["format"] == "googleforms"
    assert (result.rows_loaded, result.rows_rejected) == (2, 0)
    stamps = areas_db.execute(
        "SELECT DISTINCT submitted_at::VARCHAR FROM respondent WHERE batch_id = $b",
        {"b": result.batch_id},
    ).fetchall()
    assert stamps == [(expected,)]
    topics = areas_db.execute(
        "SELECT count(*) FROM respondent_topic t JOIN respondent r USING (respondent_id) "
        "WHERE batch_id = $b",
        {"b": result.batch_id},
    ).fetchone()[0]
    assert topics == 3


@pytest.mark.parametrize(
    ("cell", "known", "expected"),
    [
        (
            "Networking, Performance (e.g. concerts), Retreat",
            [],
            ["Networking", "Performance (e.g. concerts)", "Retreat"],
        ),
        ("Fyn, Jylland (Aarhus, Aalborg)", [], ["Fyn", "Jylland (Aarhus, Aalborg)"]),
        ("Mad, drikke og fest, Sport", ["mad, drikke og fest"], ["Mad, drikke og fest", "Sport"]),
        ("Natur, miljø;Trafik;", [], ["Natur, miljø", "Trafik"]),
    ],
)
def test_split_multi_keeps_options_that_hold_commas(cell, known, expected):
    assert sorted(split_column([cell], known)[cell]) == sorted(expected)


# --- SurveyXact -------------------------------------------------------------------------------

SX_STRUCTURE = [
    [
        "questionName",
        "variableName",
        "questionType",
        "subType",
        "questionText",
        "choiceValue",
        "choiceText",
    ],
    ["s_1", "s_1", "Open", "String", "Hvor gammel er du?", None, None],
    ["s_2", "s_2", "Closed", "Single", "Hvad er dit køn?", None, None],
    ["s_3", "s_3", "Closed", "Single", "Angiv dit bosted", None, None],
    # The option code is in choiceValue (5, 7, 9), not in the column suffix (1, 2, 3).
    ["s_4", "s_4_1", "Closed", "Multiple", "Hvad optager dig?", 5, "Klima og miljø"],
    ["s_4", "s_4_2", "Closed", "Multiple", "Hvad optager dig?", 7, "Trafik"],
    ["s_4", "s_4_3", "Closed", "Multiple", "Hvad optager dig?", 9, "Kultur, musik og fritid"],
    ["statoverall", "statoverall", "Closed", "Single", "Samlet status", None, None],
]
SX_LABELS = [
    ["s_2", 1, "Kvinde"],
    ["s_2", 2, "Mand"],
    ["s_3", 1, "Nordby"],
    ["s_3", 2, "Ålund"],
    *[[f"s_4_{i}", v, t] for i in (1, 2, 3) for v, t in ((0, "Ikke valgt"), (1, "Valgt"))],
    *[
        ["statoverall", c, t]
        for c, t in (
            (1, "Ny"),
            (2, "Distribueret"),
            (3, "Nogen svar"),
            (4, "Gennemført"),
            (5, "Frafaldet"),
        )
    ],
]
SX_HEADER = ["respondentid", "s_1", "s_2", "s_3", "s_4_1", "s_4_2", "s_4_3", "statoverall"]
SX_DATA = [
    [101, 34, 1, 1, 1, 0, 1, 4],
    [102, 58, 2, 2, 0, 1, 0, 4],
    [103, None, None, None, 0, 0, 0, 2],
    [104, 41, 2, 1, 1, 1, 0, 3],
    [105, 70, 1, 2, 0, 0, 1, 4],
]
SX_MAPPING = UserMapping.from_dict(
    {
        "columns": {
            "Angiv dit bosted": "area",
            "Hvad optager dig?": "topics",
            "respondentid": "source_id",
        },
        "values": {"topics": {"Kultur, musik og fritid": "kultur"}},
    }
)


def surveyxact_xlsx(path):
    return xlsx(
        path, [], {"Labels": SX_LABELS, "Dataset": [SX_HEADER, *SX_DATA], "Structure": SX_STRUCTURE}
    )


def surveyxact_csvs(folder, delimiter=";", encoding="cp1252"):
    folder.mkdir(parents=True, exist_ok=True)
    parts = {
        "dataset.csv": [SX_HEADER, *SX_DATA],
        "labels.csv": SX_LABELS,
        "structure.csv": SX_STRUCTURE,
    }
    for name, rows in parts.items():
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(
            [["" if v is None else v for v in row] for row in rows]
        )
        (folder / name).write_bytes(buffer.getvalue().encode(encoding))
    return folder


def check_surveyxact_load(con, result):
    assert result.detected["format"] == "surveyxact"
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (5, 3, 2)
    assert [(r, c, v) for r, c, v, _ in rejection_rows(con, result.batch_id)] == [
        (4, "statoverall", "Distribueret"),
        (5, "statoverall", "Nogen svar"),
    ]
    assert all("ikke gennemført" in why for *_, why in rejection_rows(con, result.batch_id))
    assert topics_of(con, result.batch_id) == [
        ("101", ["klima", "kultur"]),
        ("102", ["trafik"]),
        ("105", ["kultur"]),
    ]
    people = con.execute(
        "SELECT source_id, age, gender, area_code FROM respondent WHERE batch_id = $b ORDER BY 1",
        {"b": result.batch_id},
    ).fetchall()
    assert people == [
        ("101", 34, "kvinde", "01"),
        ("102", 58, "mand", "15"),
        ("105", 70, "kvinde", "15"),
    ]


def test_surveyxact_excel_decodes_labels_and_multi_choice(tmp_path):
    raw = read_table(surveyxact_xlsx(tmp_path / "sx.xlsx"))
    assert raw.meta["format"] == "surveyxact" and raw.meta["sheet"] == "Dataset"
    assert raw.headers == [
        "respondentid",
        "Hvor gammel er du?",
        "Hvad er dit køn?",
        "Angiv dit bosted",
        "Hvad optager dig?",
    ]
    assert raw.table.column("Hvad optager dig?").to_pylist() == [
        "Klima og miljø;Kultur, musik og fritid;",
        "Trafik;",
        "Kultur, musik og fritid;",
    ]
    assert raw.table.column("Hvad er dit køn?").to_pylist() == ["Kvinde", "Mand", "Kvinde"]
    assert [s["row"] for s in raw.meta["skipped"]] == [4, 5]


def test_surveyxact_excel_loads_with_a_mapping_for_danish_questions(areas_db, tmp_path):
    path = surveyxact_xlsx(tmp_path / "surveyxact_2025.xlsx")
    with pytest.raises(InvalidFile, match="lokalområde eller postnummer"):
        ingest(areas_db, path, "survey")  # the Danish question texts need a mapping file
    check_surveyxact_load(areas_db, ingest(areas_db, path, "survey", mapping=SX_MAPPING))


@pytest.mark.parametrize(
    ("delimiter", "encoding", "expected"),
    [(";", "cp1252", "cp1252"), ("\t", "utf-16", "utf-16-bom")],
    ids=["semicolon-ansi", "tab-utf16"],
)
def test_surveyxact_csv_triplet_as_files_or_zip(areas_db, tmp_path, delimiter, encoding, expected):
    folder = surveyxact_csvs(tmp_path / "export", delimiter, encoding)
    files = sorted(folder.iterdir())
    assert bundle_inputs(files) == [folder / "dataset.csv"]
    raw = read_table(folder / "dataset.csv")
    assert (raw.meta["encoding"], raw.meta["delimiter"]) == (expected, delimiter)
    assert (
        raw.table.column("Hvad optager dig?").to_pylist()[0]
        == "Klima og miljø;Kultur, musik og fritid;"
    )

    bundle = tmp_path / "surveyxact_2025.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for path in files:
            archive.write(path, f"export/{path.name}")
    check_surveyxact_load(areas_db, ingest(areas_db, bundle, "survey", mapping=SX_MAPPING))


# --- Statistics Denmark -----------------------------------------------------------------------


def square(x: float) -> list:
    return [[[x, 55.0], [x, 55.1], [x + 0.1, 55.1], [x + 0.1, 55.0], [x, 55.0]]]


@pytest.fixture()
def dagi_db(tmp_path):
    """Two municipalities with DAGI's 4-digit codes and DAGI's spelling."""
    from data_pipeline.store.db import connect

    features = [
        {
            "type": "Feature",
            "properties": {"KOMKODE": code, "KOMNAVN": name},
            "geometry": {"type": "Polygon", "coordinates": square(x)},
        }
        for code, name, x in (("0101", "København", 12.0), ("0169", "Høje Taastrup", 12.2))
    ]
    path = tmp_path / "kommuner.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    con = connect(tmp_path / "dagi.duckdb")
    assert ingest(con, path, "areas").detected["format"] == "geojson"
    yield con
    con.close()


DST_FILES = {
    "danish-labels": (
        "OMRÅDE;KØN;ALDER;TID;INDHOLD\r\n"
        "København;Mænd;25 år;2024K1;4000\r\nKøbenhavn;Kvinder;25 år;2024K1;4100\r\n"
        "København;I alt;25 år;2024K1;8100\r\nHøje-Taastrup;Mænd;Alder i alt;2024K1;25000\r\n"
        "Høje-Taastrup;Kvinder;100 år og derover;2024K1;3\r\nHele landet;Mænd;25 år;2024K1;40000\r\n"
    ),
    "english-labels": (
        "OMRÅDE;KØN;ALDER;TID;INDHOLD\n"
        "Copenhagen;Men;25 years;2024Q1;4000\nCopenhagen;Women;25 years;2024Q1;4100\n"
        "Copenhagen;Total;25 years;2024Q1;8100\nHøje-Taastrup;Men;Age, total;2024Q1;25000\n"
        "Høje-Taastrup;Women;100 years and over;2024Q1;3\nAll Denmark;Men;25 years;2024Q1;40000\n"
    ),
    "codes": (
        "OMRÅDE;KOEN;ALDER;TID;INDHOLD\n"
        "101;1;25;2024K1;4000\n101;2;25;2024K1;4100\n101;TOT;25;2024K1;8100\n"
        "169;M;IALT;2024K1;25000\n169;K;100;2024K1;3\n000;1;25;2024K1;40000\n"
    ),
}


@pytest.mark.parametrize("presentation", list(DST_FILES))
def test_statistics_denmark_in_any_presentation(dagi_db, tmp_path, presentation):
    text = DST_FILES[presentation]
    mapping = UserMapping.from_dict({"values": {"area": {"Copenhagen": "0101"}}})
    path = write_text(tmp_path / "folk1a.csv", text, "utf-8-sig")
    result = ingest(dagi_db, path, "population", mapping=mapping)
    assert result.detected["format"] == "dst"
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (6, 3, 0)
    assert result.detected["totals_dropped"] == 3
    rows = dagi_db.execute(
        "SELECT area_code, age, gender, count, period FROM population ORDER BY count"
    ).fetchall()
    assert rows == [
        ("0169", 100, "kvinde", 3, "2024K1"),
        ("0101", 25, "mand", 4000, "2024K1"),
        ("0101", 25, "kvinde", 4100, "2024K1"),
    ]


def test_statistics_denmark_months_and_unknown_areas_are_reported(dagi_db, tmp_path):
    text = "OMRÅDE;TID;INDHOLD\nKøbenhavn;2024M04;650000\nKøbnhavn;2024M04;1\nRegion Hovedstaden;2024M04;2\n"
    result = ingest(dagi_db, write_text(tmp_path / "folk1am.csv", text, "utf-8"), "population")
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    [(row, column, value, reason)] = rejection_rows(dagi_db, result.batch_id)
    assert (row, column, value) == (3, "OMRÅDE", "Købnhavn")
    assert "mente du 'København' (0101)" in reason
    assert result.detected["suggestions"]["area"]["Købnhavn"][0][:2] == ["0101", "København"] or (
        result.detected["suggestions"]["area"]["Købnhavn"][0][:2] == ("0101", "København")
    )


RECORDED_BULK = "OMRÅDE;KØN;ALDER;TID;INDHOLD\n101;1;IALT;2025K1;330000\n101;1;30;2025K1;9000\n101;2;30;2025K1;9100\n"


def test_fetch_population_posts_a_bulk_request_and_loads_the_answer(dagi_db, monkeypatch):
    calls = []

    def recorded(url, payload):
        calls.append((url, payload))
        return RECORDED_BULK

    monkeypatch.setattr(statbank, "transport", recorded)
    result = statbank.fetch_population(dagi_db, "FOLK1A", ["0101"], "2025Q1")
    [(url, payload)] = calls
    assert url == "https://api.statbank.dk/v1/data"
    assert payload == {
        "table": "FOLK1A",
        "format": "BULK",
        "lang": "da",
        "valuePresentation": "Code",
        "variables": [
            {"code": "OMRÅDE", "values": ["101"]},
            {"code": "KØN", "values": ["*"]},
            {"code": "ALDER", "values": ["*"]},
            {"code": "Tid", "values": ["2025K1"]},
        ],
    }
    assert (result.status, result.rows_read, result.rows_loaded) == ("loaded", 3, 2)
    assert dagi_db.execute(
        "SELECT sum(count) FROM population WHERE area_code = '0101'"
    ).fetchone() == (18100,)


def test_fetch_population_without_period_asks_for_the_latest(dagi_db, monkeypatch):
    info = {
        "variables": [
            {"id": "OMRÅDE"},
            {"id": "KØN"},
            {"id": "ALDER"},
            {"id": "Tid", "values": [{"id": "2024K4"}, {"id": "2025K1"}]},
        ]
    }
    answers = iter([json.dumps(info), RECORDED_BULK])
    monkeypatch.setattr(statbank, "transport", lambda url, payload: next(answers))
    result = statbank.fetch_population(dagi_db, "FOLK1A", ["101"])
    assert result.detected["request"]["variables"][-1] == {"code": "Tid", "values": ["2025K1"]}


def test_fetch_population_without_network_exits_2_with_a_bilingual_message(tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {**__import__("os").environ, "DELTAGELSESATLAS_STATBANK_URL": "http://127.0.0.1:9/v1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "data_pipeline",
            "fetch-population",
            "--table",
            "FOLK1A",
            "--area",
            "101",
            "--period",
            "2025K1",
            "--db",
            str(tmp_path / "x.duckdb"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "kan ikke nås" in result.stderr and "cannot be reached" in result.stderr


# --- Go Vocal ---------------------------------------------------------------------------------


def test_go_vocal_survey_sheet_uses_the_registration_fields_after_the_clash(areas_db, tmp_path):
    header = [
        "ID",
        "Køn",
        "Hvad vil du ændre?",
        "Author name",
        "Author email",
        "Author ID",
        "Submitted at",
        "Project",
        "Køn (1)",
        "Birthyear",
        "Domicile",
    ]
    rows = [
        [
            "r1",
            "Andet",
            "Flere cykelstier",
            "Søren Æbelø",
            "s@example.dk",
            "u1",
            "2025-03-01 10:00:00",
            "Trafikplan",
            "Mand",
            1980,
            "Nordby",
        ],
        [
            "r2",
            "Andet",
            "Mere natur",
            "Åse Ø",
            "a@example.dk",
            "u2",
            "2025-03-02 11:00:00",
            "Trafikplan",
            "female",
            2001,
            "Nordbyy",
        ],
    ]
    result = ingest(areas_db, xlsx(tmp_path / "phase.xlsx", [header, *rows]), "platform")
    assert (result.detected["format"], result.detected["export"]) == ("govocal", "survey")
    stored = areas_db.execute(
        "SELECT kind, project, age, gender, area_code, user_key FROM platform_activity ORDER BY activity_id"
    ).fetchall()
    assert [s[:5] for s in stored] == [
        ("survey_response", "Trafikplan", 45, "mand", "01"),
        ("survey_response", "Trafikplan", 24, "kvinde", None),
    ]
    assert result.detected["suggestions"]["area"]["Nordbyy"][0][:2] in (
        ["01", "Nordby"],
        ("01", "Nordby"),
    )
    dump = str(areas_db.execute("SELECT * FROM platform_activity").fetchall())
    assert "example.dk" not in dump and "Søren" not in dump and "u1" not in {s[5] for s in stored}
    assert {"Author name", "Author email"} <= set(result.ignored_columns)


# --- Decidim ----------------------------------------------------------------------------------


def decidim_file(folder, entity, header, rows):
    path = folder / f"deltag.kommune.dk-open-data-{entity}.csv"
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_decidim_open_data_files(areas_db, tmp_path):
    files = [
        decidim_file(
            tmp_path,
            "proposals",
            [
                "id",
                "author/id",
                "author/name",
                "category/name/da",
                "participatory_space/id",
                "title/da",
                "published_at",
            ],
            [
                [1, "7, 8", "Bo Bæk", "Klima", 3, "Træer", "2025-02-01 10:00:00 +0100"],
                [2, "9", "Ea", "Trafik", 3, "Cykler", "2025-02-03T09:00:00.000+01:00"],
            ],
        ),
        decidim_file(
            tmp_path,
            "proposal_comments",
            [
                "id",
                "created_at",
                "body/da",
                "author/id",
                "author/name",
                "commentable_id",
                "commentable_type",
                "root_commentable_url",
            ],
            [
                [
                    11,
                    "2025-02-04 12:00:00 +0100",
                    "Enig",
                    "7",
                    "Bo Bæk",
                    1,
                    "Decidim::Proposals::Proposal",
                    "https://x/p/1",
                ]
            ],
        ),
        decidim_file(
            tmp_path,
            "meetings",
            [
                "id",
                "participatory_space/id",
                "title/da",
                "start_time",
                "end_time",
                "attendees",
                "contributions",
            ],
            [[21, 3, "Borgermøde", "2025-02-10 19:00:00 +0100", "2025-02-10 21:00:00 +0100", 4, 2]],
        ),
        decidim_file(
            tmp_path,
            "survey_responses",
            [
                "id",
                "created_at",
                "ip_hash",
                "user_status",
                "1. Hvad er din alder?",
                "2. Køn",
                "3. Lokalområde",
            ],
            [["tok1", "2025-02-11 08:00:00 +0100", "abc", "Registered", "34", "Kvinde", "Ålund"]],
        ),
    ]
    kinds = {}
    for path in files:
        result = ingest(areas_db, path, "platform")
        assert result.detected["format"] == "decidim"
        kinds[result.detected["export"]] = result.rows_loaded
    assert kinds == {"proposals": 2, "proposal_comments": 1, "meetings": 4, "survey_responses": 1}
    stored = areas_db.execute(
        "SELECT kind, count(*), count(DISTINCT user_key), min(occurred_at)::VARCHAR "
        "FROM platform_activity GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert stored == [
        ("comment", 1, 1, "2025-02-04 12:00:00"),
        ("idea", 2, 2, "2025-02-01 10:00:00"),
        ("meeting_attendance", 4, 0, "2025-02-10 19:00:00"),
        ("survey_response", 1, 1, "2025-02-11 08:00:00"),
    ]
    survey = areas_db.execute(
        "SELECT age, gender, area_code FROM platform_activity WHERE kind = 'survey_response'"
    ).fetchone()
    assert survey == (34, "kvinde", "15")
    # The same Decidim author behind a proposal and a comment links up, under a pseudonym.
    linked = areas_db.execute(
        "SELECT count(DISTINCT user_key) FROM platform_activity WHERE kind IN ('idea', 'comment')"
    ).fetchone()[0]
    assert linked == 2
    assert "Bo Bæk" not in str(areas_db.execute("SELECT * FROM platform_activity").fetchall())


# --- matching ---------------------------------------------------------------------------------


def test_area_names_match_tolerantly_but_fuzzy_ones_only_as_suggestions():
    from data_pipeline.ingest.matching import match_areas

    areas = [("0169", "Høje-Taastrup"), ("0101", "København"), ("03", "Indre By")]
    found = {
        m.value: m for m in match_areas(["Høje Taastrup", "Indre by ", "169", "Kobenhavn"], areas)
    }
    assert (found["Høje Taastrup"].code, found["Høje Taastrup"].how) == ("0169", "name")
    assert (found["Indre by "].code, found["169"].code) == ("03", "0169")
    assert found["Kobenhavn"].code is None
    assert found["Kobenhavn"].suggestions[0][:2] == ("0101", "København")


def test_a_confirmed_match_is_remembered_for_the_next_import(areas_db, tmp_path):
    from data_pipeline.ingest.matching import remember, remembered

    db_file = areas_db.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()[0]
    text = "Alder;Køn;Lokalområde\r\n34;Kvinde;Nordbyen\r\n"
    # A load that would keep no row is refused; the dry run shows why and what to confirm.
    first = ingest(
        areas_db, write_text(tmp_path / "a_2025.csv", text, "utf-8"), "survey", check=True
    )
    assert (first.status, first.rows_loaded, first.rows_rejected) == ("rejected", 0, 1)
    assert first.detected["suggestions"]["area"]["Nordbyen"][0][:2] == ("01", "Nordby")
    remember(db_file, values={"area": {"Nordbyen": "01"}})
    assert remembered(db_file).values == {"area": {"Nordbyen": "01"}}
    second = ingest(
        areas_db,
        write_text(tmp_path / "b_2025.csv", text + "35;Mand;Nordby\r\n", "utf-8"),
        "survey",
    )
    assert (second.rows_loaded, second.rows_rejected) == (2, 0)


# --- the CLI names every format ---------------------------------------------------------------


def test_cli_ingest_autodetects_and_names_each_format(tmp_path):
    import subprocess
    import sys

    from data_pipeline.store.sample import SAMPLE_DIR
    from tests.conftest import ROOT

    db = str(tmp_path / "cli.duckdb")

    def ingest_cli(kind, *files, mapping=None):
        extra = ["--mapping", str(mapping)] if mapping else []
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "data_pipeline",
                "ingest",
                *map(str, files),
                "--db",
                db,
                "--kind",
                kind,
                "--wave",
                "2025",
                "--json",
                *extra,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return [json.loads(line)["detected"]["format"] for line in result.stdout.splitlines()]

    assert ingest_cli("areas", SAMPLE_DIR / "areas.geojson") == ["geojson"]
    mapping = tmp_path / "sx.json"
    mapping.write_text(
        json.dumps({"columns": SX_MAPPING.columns, "values": SX_MAPPING.values}), encoding="utf-8"
    )
    folder = surveyxact_csvs(tmp_path / "sx")
    assert ingest_cli("survey", *sorted(folder.iterdir()), mapping=mapping) == ["surveyxact"]
    forms = xlsx(
        tmp_path / "f.xlsx",
        [
            MSFORMS_EN + ["Alder", "Lokalområde"],
            [1, "x", "2025-01-01 10:00:00", "anonymous", None, None, 30, "Nordby"],
        ],
    )
    google = write_text(
        tmp_path / "g.csv",
        "Tidsstempel,Alder,Lokalområde\n27/05/2024 12.01.28,30,Nordby\n",
        "utf-8",
    )
    plain = write_text(tmp_path / "p.csv", "Alder;Lokalområde\n30;Nordby\n", "utf-8")
    assert ingest_cli("survey", forms, google, plain) == ["msforms", "googleforms", "csv"]
    assert ingest_cli("platform", SAMPLE_DIR / "govocal_users.xlsx") == ["govocal"]
    decidim = decidim_file(
        tmp_path,
        "proposals",
        ["id", "author/id", "participatory_space/id", "title/da", "published_at"],
        [[1, "7", 3, "T", "2025-02-01"]],
    )
    assert ingest_cli("platform", decidim) == ["decidim"]
    population = write_text(
        tmp_path / "pop.csv", "OMRÅDE;ALDER;KØN;TID;INDHOLD\nNordby;30 år;Mænd;2025K1;10\n", "utf-8"
    )
    assert ingest_cli("population", population) == ["dst"]
