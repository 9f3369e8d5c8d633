"""Errors never quote a citizen's row beyond the offending value, and never a server path
(issue 13, finding 8): not in the CLI's JSON, not on the Upload page."""

from __future__ import annotations

import json

import pytest

from data_pipeline.cli.main import main
from data_pipeline.core.errors import InvalidFile, headers_text, public_message
from tests.security.helpers import app, copy_db, visible_text

SECRET_NAME, SECRET_MAIL = "Søren Hemmelig", "soren.hemmelig@example.dk"


def long_line_survey(tmp_path):
    """A survey whose second answer carries a 2.2 MB comment after the name and e-mail."""
    rows = [
        "Alder;Køn;Lokalområde;Må vi kontakte dig?;Navn;E-mail;Kommentar",
        "34;Kvinde;Nordby;Ja;Anna;anna@example.dk;ok",
        f"40;Mand;Nordby;Ja;{SECRET_NAME};{SECRET_MAIL};" + "x" * 2_200_000,
        "51;Mand;Sydby;Nej;Ole;ole@example.dk;hej",
    ]
    path = tmp_path / "svar.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def db(sample_db_file, tmp_path):
    return copy_db(sample_db_file, tmp_path / "atlas.duckdb")


def ingest_json(capsys, db, path) -> tuple[int, str]:
    code = main(["ingest", str(path), "--db", str(db), "--kind", "survey", "--wave", "W", "--json"])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_a_line_over_2_mb_is_refused_without_quoting_it(db, tmp_path, capsys):
    """DuckDB's "Original Line: 40;Mand;...;e-mail;..." never reaches the CLI's JSON."""
    code, output = ingest_json(capsys, db, long_line_survey(tmp_path))
    assert code == 2
    message = json.loads(output.splitlines()[0])["message"]
    assert "over 2 MB" in message
    assert SECRET_MAIL not in output and SECRET_NAME not in output
    assert "Original Line" not in output and str(tmp_path) not in output
    assert len(message) < 300


def test_a_headerless_file_does_not_echo_its_first_row(db, tmp_path, capsys):
    """A file without headers: its first row (a citizen's answer) is data; the refusal names at
    most a few shortened 'headers', never the long comment, and says how many more."""
    comment = "Jeg bor på Hemmelig Allé 12 og vil gerne kontaktes om skolen, " * 20
    first = ["40", "Mand", SECRET_MAIL, "+45 12 34 56 78", comment] + [
        f"svar{i}" for i in range(20)
    ]
    rows = [";".join(first), ";".join(["51", "Kvinde", "Ole", "87654321", "hej"] + ["x"] * 20)]
    path = tmp_path / "uden_overskrift.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, output = ingest_json(capsys, db, path)
    assert code == 2
    assert comment[:60] not in output and "svar19" not in output
    assert SECRET_MAIL not in output and "12 34 56 78" not in output
    assert "(+13)" in output


def test_the_upload_page_shows_the_refusal_without_the_row(app_db, tmp_path):
    """As an analyst uploading the same file on the Upload page, I read a sentence, not the
    citizen's name and e-mail."""
    at = app("upload", role="analyst")
    at.text_input(key="u_wave").set_value("2029").run()
    data = long_line_survey(tmp_path).read_bytes()
    at.file_uploader[0].set_value(("svar.csv", data, "text/csv")).run()
    assert not at.exception
    text = visible_text(at)
    assert SECRET_MAIL not in text and SECRET_NAME not in text
    assert "Original Line" not in text and "2 MB" in text


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Kan ikke læse /tmp/tmpa1b2/upload/svar.csv: nej", "Kan ikke læse svar.csv: nej"),
        ("Låst: /var/lib/atlas/atlas.duckdb.", "Låst: atlas.duckdb."),
        ("Cannot read C:\\Users\\dpo\\svar.csv now", "Cannot read svar.csv now"),
        ("15 / 20 % and https://example.dk/a/b stay", "15 / 20 % and https://example.dk/a/b stay"),
        (
            "Error on Line: 2\nOriginal Line: 40;Mand;soren@x.dk\nfile = /x/y.csv",
            "Error on Line: 2",
        ),
    ],
)
def test_messages_are_scrubbed_of_paths_and_rows(raw, expected):
    assert public_message(raw) == expected
    assert str(InvalidFile(raw)) == expected


def test_headers_are_shortened_and_counted():
    text = headers_text(["a" * 100, *(f"k{i}" for i in range(15))])
    assert "a" * 40 not in text and "'" + "a" * 39 + "…'" in text
    assert text.endswith("… (+4)")
