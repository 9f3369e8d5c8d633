"""Every reader on real-shaped generated files: encodings, delimiters, title rows."""

from __future__ import annotations

import openpyxl
import pytest

from data_pipeline.core.errors import InvalidFile
from data_pipeline.ingest.readers import read_table
from tests.conftest import write_text

HEADER = ["Navn", "Alder", "Køn"]
ROWS = [["Søren Æbelø", "34", "Mand"], ["Åse Østergård", "71", "Kvinde"]]


def _csv(delimiter: str, newline: str = "\r\n") -> str:
    lines = [delimiter.join(HEADER)] + [delimiter.join(r) for r in ROWS]
    return newline.join(lines) + newline


@pytest.mark.parametrize(
    ("encoding", "delimiter", "expected_encoding"),
    [
        ("cp1252", ";", "cp1252"),
        ("utf-8-sig", ";", "utf-8-bom"),
        ("utf-8", ",", "utf-8"),
        ("utf-16", "\t", "utf-16-bom"),
    ],
)
def test_delimited_files_keep_danish_letters(tmp_path, encoding, delimiter, expected_encoding):
    path = write_text(tmp_path / "svar.csv", _csv(delimiter), encoding)
    raw = read_table(path)
    assert raw.meta["encoding"] == expected_encoding
    assert raw.meta["delimiter"] == delimiter
    assert raw.headers == HEADER
    assert raw.table.column("Navn").to_pylist() == ["Søren Æbelø", "Åse Østergård"]
    assert raw.table.column("__row").to_pylist() == [2, 3]


def test_cp1252_is_never_mistaken_for_cp1250(tmp_path):
    path = write_text(tmp_path / "a.csv", "Navn;By\r\nSøren Æbelø;Ålund\r\n", "cp1252")
    raw = read_table(path)
    assert raw.table.column("Navn").to_pylist() == ["Søren Æbelø"]


def test_blank_lines_keep_file_row_numbers(tmp_path):
    path = write_text(tmp_path / "a.csv", "Navn;Alder\n\nMette;40\n", "utf-8")
    raw = read_table(path)
    assert raw.table.column("__row").to_pylist() == [2, 3]
    assert raw.table.column("Navn").to_pylist() == [None, "Mette"]


def test_xlsx_header_found_under_a_title_row(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Borgerundersøgelse 2025 – eksport"])
    sheet.append([])
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append([row[0], int(row[1]), row[2]])
    workbook.create_sheet("Noter").append(["intet her"])
    path = tmp_path / "svar.xlsx"
    workbook.save(path)
    raw = read_table(path)
    assert raw.meta["sheet"] == "Sheet"
    assert raw.meta["header_row"] == 3
    assert raw.headers == HEADER
    assert raw.table.column("Alder").to_pylist() == ["34", "71"]
    assert raw.table.column("__row").to_pylist() == [4, 5]


def test_msforms_layout_is_detected(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["ID", "Start time", "Completion time", "Email", "Name", "Alder"])
    workbook.active.append([1, "x", "y", "anonymous", None, 30])
    path = tmp_path / "forms.xlsx"
    workbook.save(path)
    assert read_table(path).meta["format"] == "msforms"


def test_file_type_comes_from_content_not_extension(tmp_path):
    path = tmp_path / "svar.xlsx"
    write_text(path, _csv(";"), "utf-8")
    assert read_table(path).meta["format"] == "csv"


def test_binary_garbage_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x00\x01\x02\x03binary")
    with pytest.raises(InvalidFile, match="Unknown file type"):
        read_table(path)
