"""Odd but legitimate CSV files (issue 11): each is read correctly, row by row, or refused clearly.

Row numbers are CSV record numbers with the header as record 1; a quoted cell with line breaks
is still one record. Every file here is generated in tmp_path.
"""

from __future__ import annotations

import codecs
import csv
import io

import pytest

from data_pipeline.core.errors import InvalidFile
from data_pipeline.ingest.readers import (
    content_fingerprint,
    read_table,
    surveyxact,
    text,
    text_decode,
)
from data_pipeline.store.load import ingest
from tests.conftest import write_text

HEADER = ["Id", "Navn", "Alder", "Kommentar"]


def records(n: int, comment_every: int = 0) -> list[list[str]]:
    """n respondents; every `comment_every`-th one has a comment with line breaks."""
    rows = []
    for i in range(n):
        comment = (
            "Linje et\nlinje to\nlinje tre" if comment_every and i % comment_every == 1 else "ok"
        )
        rows.append([f"R_{i}", f"Søren Æbelø {i}", str(20 + i % 60), comment])
    return rows


def csv_bytes(
    rows, delimiter=";", newline="\r\n", encoding="utf-8", quoting=csv.QUOTE_MINIMAL
) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline, quoting=quoting).writerows(
        [HEADER, *rows]
    )
    return buffer.getvalue().encode(encoding)


def cells(raw, column: str) -> list:
    return raw.table.column(column).to_pylist()


def row_numbers(raw) -> list[int]:
    return raw.table.column("__row").to_pylist()


# --- 1. quoted line breaks -----------------------------------------------------------------


@pytest.mark.parametrize("n", [12, 5000])
@pytest.mark.parametrize(
    ("delimiter", "newline", "quoting"),
    [
        (";", "\r\n", csv.QUOTE_MINIMAL),  # Danish Excel
        (",", "\n", csv.QUOTE_ALL),  # Google Sheets download
        (",", "\r\n", csv.QUOTE_ALL),
    ],
)
def test_quoted_line_breaks_are_one_record(tmp_path, n, delimiter, newline, quoting):
    rows = records(n, comment_every=3)
    path = tmp_path / "svar.csv"
    path.write_bytes(csv_bytes(rows, delimiter, newline, quoting=quoting))
    raw = read_table(path)
    assert raw.headers == HEADER
    assert raw.rows == n
    assert cells(raw, "Id") == [r[0] for r in rows]
    assert cells(raw, "Kommentar")[1] == "Linje et\nlinje to\nlinje tre"
    # Record numbers, not line numbers: the record after three multi-line cells is still i + 2.
    assert row_numbers(raw) == list(range(2, n + 2))


def test_a_header_with_a_line_break_is_one_header(tmp_path):
    path = write_text(
        tmp_path / "forms.csv",
        '"Tidsstempel","Hvor gammel er du?\n(år)","Kommentar"\n'
        '"20.11.2025 14.03.43","34","Første linje\nanden linje"\n'
        '"20.11.2025 14.04.00","71","ok"\n',
        "utf-8",
    )
    raw = read_table(path)
    assert raw.meta["delimiter"] == ","
    assert raw.headers == ["Tidsstempel", "Hvor gammel er du?\n(år)", "Kommentar"]
    assert cells(raw, "Kommentar") == ["Første linje\nanden linje", "ok"]
    assert row_numbers(raw) == [2, 3]


def test_quoted_line_breaks_and_blank_lines_keep_record_numbers(tmp_path):
    body = (
        'Id;Navn;Kommentar\r\nR_1;Åse;"a\r\n\r\nb"\r\n\r\nR_2;Bo;ok\r\n;;\r\nR_3;"Ib\nIbsen";ok\r\n'
    )
    raw = read_table(write_text(tmp_path / "a.csv", body, "cp1252"))
    assert cells(raw, "Id") == ["R_1", None, "R_2", None, "R_3"]
    assert cells(raw, "Kommentar")[0] == "a\r\n\r\nb"
    assert row_numbers(raw) == [2, 3, 4, 5, 6]
    assert raw.meta["blank_rows"] == 2


# --- 2. and 3. line endings ----------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
@pytest.mark.parametrize("newline", ["\r", "\r\r\n"])
def test_old_mac_and_doubled_cr_line_endings(tmp_path, newline, encoding):
    rows = records(40)
    path = tmp_path / "svar.csv"
    path.write_bytes(csv_bytes(rows, newline=newline, encoding=encoding))
    raw = read_table(path)
    assert raw.headers == HEADER
    assert raw.rows == 40
    assert cells(raw, "Id") == [r[0] for r in rows]
    assert cells(raw, "Navn") == [r[1] for r in rows]
    assert cells(raw, "Kommentar") == ["ok"] * 40
    assert row_numbers(raw) == list(range(2, 42))
    for name in raw.headers:
        assert not any("\r" in v or "\n" in v for v in cells(raw, name) if v), name


def test_old_mac_line_endings_with_a_quoted_line_break(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(b'Id;Kommentar\rR_1;"et\rto"\rR_2;ok\r')
    raw = read_table(path)
    assert cells(raw, "Id") == ["R_1", "R_2"]
    assert cells(raw, "Kommentar") == ["et\nto", "ok"]
    assert row_numbers(raw) == [2, 3]


# --- 4. one row in another encoding ----------------------------------------------------------


def mixed_file(tmp_path, bad_record: int, bom: bool = False, comment_every: int = 0):
    """A UTF-8 file whose record `bad_record` (header = 1) is written in cp1252."""
    rows = records(100, comment_every=comment_every)
    chunks = [csv_bytes([], newline="\r\n")]
    for number, row in enumerate(rows, start=2):
        line = csv_bytes([row], newline="\r\n").split(b"\r\n", 1)[1]
        chunks.append(line.decode("utf-8").encode("cp1252" if number == bad_record else "utf-8"))
    path = tmp_path / "blandet.csv"
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + b"".join(chunks))
    return path, rows


@pytest.mark.parametrize("bom", [False, True])
def test_one_cp1252_row_in_a_utf8_file_is_fixed_and_reported(tmp_path, bom):
    path, rows = mixed_file(tmp_path, bad_record=57, bom=bom)
    raw = read_table(path)
    assert raw.meta["encoding"] == ("utf-8-bom" if bom else "utf-8")
    assert cells(raw, "Navn") == [r[1] for r in rows]  # no "SÃ¸ren" anywhere
    assert raw.meta["warnings"] == [
        "Række 57 var ikke UTF-8 og er læst som Windows-1252 / "
        "Row 57 was not UTF-8 and was read as Windows-1252"
    ]
    assert raw.meta["recoded_rows"] == [57]


def test_the_reported_row_is_the_record_after_quoted_line_breaks(tmp_path):
    path, rows = mixed_file(tmp_path, bad_record=57, comment_every=3)
    raw = read_table(path)
    assert cells(raw, "Navn") == [r[1] for r in rows]
    assert raw.meta["recoded_rows"] == [57]
    assert row_numbers(raw)[55] == 57


def test_a_cp1252_file_stays_cp1252_without_warnings(tmp_path):
    # "–" (0x96) and "€" (0x80) exist in cp1252 only; æøå are Latin-1 too.
    path = write_text(
        tmp_path / "a.csv", "Navn;Beløb\r\nSøren – Æbelø;100 €\r\nÅse;5\r\n", "cp1252"
    )
    raw = read_table(path)
    assert raw.meta["encoding"] == "cp1252"
    assert cells(raw, "Navn") == ["Søren – Æbelø", "Åse"]
    assert cells(raw, "Beløb") == ["100 €", "5"]
    assert "warnings" not in raw.meta


def test_a_row_that_is_neither_utf8_nor_cp1252_is_refused_by_number(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("Navn;By\nSøren;Ålund\n".encode() + b"Bo\x81;x\n")
    with pytest.raises(InvalidFile, match="Række 3"):
        read_table(path)


# --- 5. blank rows -------------------------------------------------------------------------


def test_blank_rows_are_kept_as_empty_records_and_counted(tmp_path):
    body = "Id;Navn;Alder;Kommentar\r\nR_1;Åse;40;x\r\n;;;\r\nR_2;Bo;41;y\r\n;;;\r\n"
    raw = read_table(write_text(tmp_path / "a.csv", body, "cp1252"))
    assert cells(raw, "Id") == ["R_1", None, "R_2", None]
    assert row_numbers(raw) == [2, 3, 4, 5]
    assert raw.meta["blank_rows"] == 2


SURVEY_HEADER = "Alder;Køn;Lokalområde;Emner;Formater;Må vi kontakte dig?;Navn;E-mail;Telefon"
GOOD = "40;Kvinde;Nordby;Klima;Borgermøder;Ja;Søren Æbelø;s@example.dk;+45 12 34 56 78"


@pytest.mark.parametrize("empty_line", [True, False])
def test_rejections_point_at_the_record_after_line_breaks_and_blank_rows(
    areas_db, tmp_path, empty_line
):
    lines = [
        SURVEY_HEADER,
        GOOD,  # record 2
        '41;Mand;Nordby;Klima;Borgermøder;Ja;"Bo\nBosen";b@example.dk;',  # record 3, two lines
        ";;;;;;;;",  # record 4: blank row
        *([""] if empty_line else []),  # record 5: an empty line
        "150;Mand;Nordby;Klima;;Nej;;;",  # impossible age
        GOOD.replace("40", "42"),
    ]
    path = write_text(tmp_path / "svar_2025.csv", "\r\n".join(lines) + "\r\n", "cp1252")
    result = ingest(areas_db, path, "survey", wave="2025")
    blank = [(4, None, None), *([(5, None, None)] if empty_line else [])]
    bad_age = 6 if empty_line else 5
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (
        len(lines) - 1,
        3,
        len(blank) + 1,
    )
    rejected = areas_db.execute(
        'SELECT row_number, "column", value FROM rejection WHERE batch_id = $b ORDER BY 1',
        {"b": result.batch_id},
    ).fetchall()
    assert rejected == [*blank, (bad_age, "Alder", "150")]


# --- 6. re-saved files and the content fingerprint -----------------------------------------


def test_a_resave_with_bom_and_crlf_reads_the_same_and_fingerprints_the_same(tmp_path):
    rows = records(30, comment_every=4)
    original = tmp_path / "original.csv"
    original.write_bytes(csv_bytes(rows, newline="\n"))
    resaved = tmp_path / "resaved.csv"
    resaved.write_bytes(codecs.BOM_UTF8 + csv_bytes(rows, newline="\r\n"))
    a, b = read_table(original), read_table(resaved)
    assert a.headers == b.headers == HEADER
    assert a.table.select(HEADER).to_pylist() == b.table.select(HEADER).to_pylist()
    assert content_fingerprint(a) == content_fingerprint(b)


def test_the_fingerprint_ignores_form_but_not_content(tmp_path):
    rows = records(30, comment_every=4)
    variants = {
        "cp1252_crlf.csv": csv_bytes(rows, newline="\r\n", encoding="cp1252"),
        "utf16.csv": csv_bytes(rows, delimiter="\t", encoding="utf-16"),
        # Python 3.11's writer quotes a cell with "\n" only if "\n" ends its lines.
        "mac.csv": csv_bytes(rows, newline="\r", quoting=csv.QUOTE_ALL),
        "doubled_cr.csv": csv_bytes(rows, newline="\r\r\n"),
        "blank_row_more.csv": csv_bytes([*rows, ["", "", "", ""]]),
        "padded.csv": csv_bytes([[f" {v} " for v in row] for row in rows]),
    }
    original = tmp_path / "original.csv"
    original.write_bytes(csv_bytes(rows, newline="\n"))
    expected = content_fingerprint(read_table(original))
    for name, data in variants.items():
        (tmp_path / name).write_bytes(data)
        assert content_fingerprint(read_table(tmp_path / name)) == expected, name
    changed = [list(r) for r in rows]
    changed[17][2] = "99"
    (tmp_path / "changed.csv").write_bytes(csv_bytes(changed))
    assert content_fingerprint(read_table(tmp_path / "changed.csv")) != expected
    moved = [rows[1], rows[0], *rows[2:]]
    (tmp_path / "moved.csv").write_bytes(csv_bytes(moved))
    assert content_fingerprint(read_table(tmp_path / "moved.csv")) != expected


def test_the_fingerprint_normalises_unicode(tmp_path):
    nfc = write_text(tmp_path / "nfc.csv", "Navn;By\nÅse;Ålund\n", "utf-8")
    nfd = write_text(tmp_path / "nfd.csv", "Navn;By\nA\u030ase;A\u030alund\n", "utf-8")
    assert content_fingerprint(read_table(nfc)) == content_fingerprint(read_table(nfd))


# --- 7. one sniffer and one BOM map --------------------------------------------------------


def surveyxact_triplet(folder, first_label: str):
    folder.mkdir()
    files = {
        "dataset.csv": [["respondentid", "s_1", "s_2", "statoverall"], ["101", "34", "1", "4"]],
        "labels.csv": [["s_2", "1", first_label], ["s_2", "2", "Mand"], ["statoverall", "4", "G"]],
        "structure.csv": [
            ["questionName", "variableName", "questionType", "subType", "questionText"],
            ["s_1", "s_1", "Open", "Numeric", "Hvor gammel er du?"],
            ["s_2", "s_2", "Closed", "Single", "Hvad er dit køn?"],
            ["statoverall", "statoverall", "Closed", "Single", "Samlet status"],
        ],
    }
    for name, rows in files.items():
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
        (folder / name).write_bytes(codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8"))
    return folder


def test_surveyxact_sniffs_the_delimiter_outside_quotes(tmp_path):
    # More commas than semicolons inside the quoted label: counting raw characters says ",".
    folder = surveyxact_triplet(tmp_path / "sx", "Kvinde, voksen, dansk, over 18")
    raw = read_table(folder / "dataset.csv")
    assert raw.meta["format"] == "surveyxact"
    assert raw.meta["delimiter"] == ";"
    assert raw.meta["encodings"] == {
        "dataset": "utf-8-bom",
        "labels": "utf-8-bom",
        "structure": "utf-8-bom",
    }
    assert cells(raw, "Hvad er dit køn?") == ["Kvinde, voksen, dansk, over 18"]


def test_surveyxact_uses_the_text_readers_sniffer_and_bom_map():
    assert surveyxact.sniff_delimiter is text.sniff_delimiter
    assert surveyxact.decode_text is text_decode.decode_text
    assert not hasattr(surveyxact, "_delimiter")


def test_sniffing_counts_fields_outside_quotes():
    assert text.sniff_delimiter('"a;b;c;d",x,y\n') == ","
    assert text.sniff_delimiter("Navn;Alder\n") == ";"
    assert text.sniff_delimiter('"Spørgsmål\nmed linjeskift";Alder;Køn\n') == ";"
    with pytest.raises(InvalidFile):
        text.sniff_delimiter("bare en kolonne\n")
    assert text.sniff_delimiter("bare en kolonne\n", strict=False) == ";"
