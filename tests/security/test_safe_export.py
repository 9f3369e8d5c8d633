"""One safe writer for every CSV and XLSX (issue 13, finding 6; issue 14, exports): no cell a
citizen or a boundary file wrote is ever evaluated, in any page's download or in the contact
export, and Excel files hold numbers as numbers."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from data_pipeline.analysis.filtering import Filters
from data_pipeline.core.i18n import t
from data_pipeline.core.safe_export import FORMULA_STARTS, csv_bytes, neutralise, xlsx_bytes
from data_pipeline.outreach.contacts import Segment, export_contacts
from data_pipeline.privacy.roles import Principal
from data_pipeline.store.db import connect
from tests.security.helpers import app

OUTREACH = Principal("coordinator@kommune.dk", frozenset({"outreach"}))
AREA_PAYLOAD = "=cmd|' /C calc'!A0"
FORMULAS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","Klik")',
    "+1+1",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",  # ＝ full-width equals
    "\uff0b1+1",  # ＋
    "\uff0d1+1",  # －
    "\uff20SUM(A1)",  # ＠
    "\ufe661+1",  # ﹦ small equals
    "\ufe621+1",  # ﹢
    "\ufe631+1",  # ﹣
    "+45 12 34 56 78+A1",
]
NOT_FORMULAS = ["+45 12 34 56 78", "+4512345678", "-12", "-0,5", "-1.234,5 %", "4418", "Nordby"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_cell_that_starts_like_a_formula_gets_a_quote(text):
    """OWASP: = + - @ tab CR and their full-width and small forms start a formula."""
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", NOT_FORMULAS)
def test_a_phone_number_or_a_plain_number_is_left_as_it_is(text):
    """A phone number (+ then digits and spaces) or a plain number is not a formula."""
    assert neutralise(text) == text


class Downloads:
    """Every file a page handed to Streamlit's download store, by file id: bytes given at once,
    or the callable a deferred button runs when clicked (called here as a click would)."""

    def __init__(self, monkeypatch):
        self.files: dict[str, bytes] = {}
        self.deferred: dict[str, object] = {}
        self.names: dict[str, str] = {}
        stored = MemoryMediaFileStorage.load_and_get_id
        deferred = MediaFileManager.add_deferred

        def recording(storage, path_or_data, mimetype, kind, filename=None):
            file_id = stored(storage, path_or_data, mimetype, kind, filename)
            self.files[file_id] = storage.get_file(file_id).content
            return file_id

        def recording_deferred(manager, data_callable, *args, **kwargs):
            file_id = deferred(manager, data_callable, *args, **kwargs)
            self.deferred[file_id] = data_callable
            self.names[file_id] = kwargs.get("file_name", args[2] if len(args) > 2 else None)
            return file_id

        monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
        monkeypatch.setattr(MediaFileManager, "add_deferred", recording_deferred)

    def of(self, at, key: str) -> bytes:
        button = next(b for b in at.get("download_button") if b.proto.id.endswith(key))
        if button.proto.HasField("deferred_file_id"):
            data = self.deferred[button.proto.deferred_file_id]()
            return data.encode("utf-8") if isinstance(data, str) else data
        return self.files[button.proto.url.rsplit("/", 1)[1].split(".")[0]]


@pytest.fixture()
def downloads(monkeypatch):
    return Downloads(monkeypatch)


def plant_area_name(db_file, name: str) -> str:
    con = connect(db_file)
    try:
        code = con.execute("SELECT min(area_code) FROM area").fetchone()[0]
        con.execute("UPDATE area SET name = $n WHERE area_code = $c", {"n": name, "c": code})
        return code
    finally:
        con.close()


def csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_udforsk_csv_writes_an_area_named_like_a_formula_as_text(app_db, downloads):
    """As a director I download Udforsk's table by area; an area a boundary file named
    "=cmd|..." arrives as text in the CSV, never as a formula."""
    plant_area_name(app_db, AREA_PAYLOAD)
    at = app("udforsk", role="admin")
    at.selectbox(key="x_rows").set_value("area").run()
    assert not at.exception
    rows = csv_cells(downloads.of(at, "x_dl_csv"))
    first_column = [row[0] for row in rows]
    assert "'" + AREA_PAYLOAD in first_column
    assert not [c for row in rows for c in row if c.startswith(FORMULA_STARTS)]


def test_udforsk_excel_holds_numbers_as_numbers_and_names_as_text(app_db, downloads):
    """As an analyst I open Udforsk's Excel file: counts are numeric cells with a thousands
    format, the area named like a formula is a text cell, nothing is a formula."""
    plant_area_name(app_db, AREA_PAYLOAD)
    at = app("udforsk", role="admin")
    at.selectbox(key="x_rows").set_value("area").run()
    sheet = load_workbook(io.BytesIO(downloads.of(at, "x_dl_xlsx"))).active
    body = [cell for row in sheet.iter_rows(min_row=2) for cell in row[1:]]
    numbers = [cell for cell in body if cell.data_type == "n" and cell.value is not None]
    assert len(numbers) > len(body) / 2
    assert all(isinstance(c.value, int | float) and c.number_format == "#,##0" for c in numbers)
    texts = [cell.value for cell in body if cell.data_type == "s"]
    assert all(text.startswith("<") for text in texts), texts  # only hidden cells are text
    names = [row[0] for row in sheet.iter_rows(min_row=2)]
    planted = next(cell for cell in names if cell.value == AREA_PAYLOAD)
    assert planted.data_type == "s"
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_udforsk_shares_are_numbers_with_a_percent_format(app_db, downloads):
    at = app("udforsk", role="admin")
    at.radio(key="x_measure").set_value("row").run()
    sheet = load_workbook(io.BytesIO(downloads.of(at, "x_dl_xlsx"))).active
    body = [c for row in sheet.iter_rows(min_row=2) for c in row[1:]]
    shares = [c for c in body if c.data_type == "n" and c.value is not None]
    assert shares and all(0 <= c.value <= 1 and c.number_format == "0.0%" for c in shares)


def test_groups_excluded_by_the_filter_are_not_written_as_hidden(app_db, downloads):
    """As an analyst filtering on women, the men's row is absent from Udforsk's files, not
    "<5" (which would say there might be a few)."""
    at = app("udforsk", role="admin", params={"gender": "kvinde"})
    at.selectbox(key="x_rows").set_value("gender").run()
    rows = csv_cells(downloads.of(at, "x_dl_csv"))
    assert [row[0] for row in rows[1:]] == ["Kvinder"]
    assert not [c for row in rows for c in row if c.startswith("<")]


def test_grupper_files_are_named_in_danish(app_db, downloads):
    """The downloaded file says what it holds in Danish words, not the code 'age_band'."""
    at = app("grupper", role="admin")
    at.radio(key="g_split").set_value("age_band_gender").run()
    buttons = [b for b in at.get("download_button") if b.proto.id.endswith("g_dl_xlsx")]
    name = downloads.names[buttons[0].proto.deferred_file_id]
    assert name == "deltagelsesatlas_repraesentation_alder_koen.xlsx", name


def test_grupper_excel_holds_counts_rates_and_ratios_as_numbers(app_db, downloads):
    """As an analyst I open Grupper's Excel file and can sum and sort: population and
    respondents are numbers, the rate a percentage, the ratio a decimal."""
    at = app("grupper", role="admin")
    sheet = load_workbook(io.BytesIO(downloads.of(at, "g_dl_xlsx"))).active
    header = [c.value for c in sheet[1]]
    first = {h: c for h, c in zip(header, sheet[2], strict=True)}
    population, rate = first[t("col.population")], first[t("col.rate")]
    assert population.data_type == "n" and population.number_format == "#,##0"
    assert rate.data_type == "n" and rate.number_format == "0.0%" and 0 < rate.value < 1
    ratio = first[t("col.ratio")]
    assert ratio.data_type == "n" and ratio.number_format == "0.00"


def test_contact_csv_keeps_phone_numbers_plain_and_quotes_full_width_formulas(sample_db):
    """As a dialogue coordinator my CSV shows +45 12 34 56 78 as it is, while a name typed
    as ＝1+1 or ﹦1+1 is neutralised."""
    ids = [
        r[0]
        for r in sample_db.execute(
            "SELECT c.respondent_id FROM contact c JOIN respondent r USING (respondent_id) "
            "WHERE r.wave_id = '2025' AND r.consent_contact AND c.withdrawn_at IS NULL "
            "AND c.email IS NOT NULL ORDER BY 1 LIMIT 3"
        ).fetchall()
    ]
    for rid, name in zip(ids, ["\uff1d1+1", "\ufe661+1", "\uff0bcmd"], strict=True):
        sample_db.execute(
            "UPDATE contact SET name = $n, phone = '+45 12 34 56 78' WHERE respondent_id = $id",
            {"n": name, "id": rid},
        )
    export = export_contacts(sample_db, OUTREACH, Segment(Filters(wave="2025")), "Test", "csv")
    cells = [c for row in csv_cells(export.data) for c in row]
    assert "+45 12 34 56 78" in cells and "'+45 12 34 56 78" not in cells
    for name in ["\uff1d1+1", "\ufe661+1", "\uff0bcmd"]:
        assert "'" + name in cells and name not in cells


def test_contact_excel_has_phone_numbers_as_text_without_an_apostrophe(sample_db):
    sample_db.execute("UPDATE contact SET phone = '+45 12 34 56 78'")
    export = export_contacts(sample_db, OUTREACH, Segment(Filters(wave="2025")), "Test", "xlsx")
    sheet = load_workbook(io.BytesIO(export.data)).active
    phones = [row[3] for row in sheet.iter_rows(min_row=2)]
    assert phones and all(c.data_type == "s" and c.value == "+45 12 34 56 78" for c in phones)
    assert not any(c.quotePrefix for c in phones)
    ids = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "n" for c in ids)


def test_the_writer_types_every_cell(tmp_path):
    """The writer itself: ints and floats numeric with the column's format, text as text."""
    import pandas as pd

    frame = pd.DataFrame(
        {"navn": ["\ufe66HYPERLINK()", "Nordby"], "antal": [4418, 12], "andel": [0.153, None]}
    )
    sheet = load_workbook(io.BytesIO(xlsx_bytes(frame, kinds={"andel": "percent"}))).active
    assert [c.data_type for c in sheet[2]] == ["s", "n", "n"]
    assert sheet["B2"].value == 4418 and sheet["B2"].number_format == "#,##0"
    assert sheet["C2"].number_format == "0.0%" and sheet["C3"].value is None
    rows = csv_cells(csv_bytes(frame, {"andel": "percent"}, "da"))
    assert rows[1] == ["'\ufe66HYPERLINK()", "4418", "15,3 %"]
    assert rows[2] == ["Nordby", "12", ""]


def test_the_upload_problem_list_quotes_a_citizens_formula(app_db, downloads):
    """As an analyst I download the problem list of a file in which a citizen typed
    =HYPERLINK(…) as postal code: the CSV quotes it, Excel never runs it."""
    payload = '=HYPERLINK("http://evil.example/?x=1","Klik")'
    survey = (
        "Tidsstempel;Alder;Køn;Postnummer\r\n"
        "20/11/2029 10.00.00;34;Kvinde;7400\r\n"
        f'20/11/2029 10.05.00;51;Mand;"{payload.replace(chr(34), chr(34) * 2)}"\r\n'
        "20/11/2029 10.09.00;62;Kvinde;7400\r\n"
    )
    at = app("upload", role="analyst")
    at.text_input(key="u_wave").set_value("2029").run()
    at.file_uploader[0].set_value(("svar.csv", survey.encode("utf-8"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    cells = [c for row in csv_cells(downloads.of(at, "u_problems_csv")) for c in row]
    assert "'" + payload in cells
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]


def test_excel_columns_are_wide_enough_for_their_headers():
    """Opened in Excel or LibreOffice, "95 %-interval ↓" and "Repræsentation" are readable
    without widening columns by hand (they used to open at the default 8.43 characters)."""
    import pandas as pd

    frame = pd.DataFrame(
        {"Gruppe": ["15-17 år"], "Repræsentation": [0.7], "95 %-interval ↓": [0.6]}
    )
    sheet = load_workbook(io.BytesIO(xlsx_bytes(frame, kinds={"Repræsentation": "ratio"}))).active
    for cell in sheet[1]:
        width = sheet.column_dimensions[cell.column_letter].width
        assert width is not None and width >= len(cell.value) + 1, (cell.value, width)
    # Wider columns must not push the last ones onto a second printed page.
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1


def test_udforsk_excel_by_age_and_gender_has_no_blank_cells_and_aligns_hidden_ones(
    app_db, downloads
):
    """Opened in LibreOffice, the age × gender file showed blanks where nobody answered (read
    as "hidden?") and "<5" and the headers at the left of right-aligned numbers."""
    at = app("udforsk", role="admin")
    at.selectbox(key="x_rows").set_value("age_band").run()
    at.selectbox(key="x_cols").set_value("gender").run()
    assert not at.exception
    sheet = load_workbook(io.BytesIO(downloads.of(at, "x_dl_xlsx"))).active
    body = [cell for row in sheet.iter_rows(min_row=2) for cell in row[1:]]
    assert body and all(cell.value is not None for cell in body)
    hidden = [cell for cell in body if cell.data_type == "s"]
    assert hidden, "the sample hides some age × gender cells"
    assert all(cell.alignment.horizontal == "right" for cell in hidden)
    headers = list(sheet.iter_rows(max_row=1))[0]
    assert all(cell.alignment.horizontal == "right" for cell in headers[1:])


@pytest.mark.parametrize(
    ("page", "key", "params", "says"),
    [
        ("grupper", "g_dl_xlsx", {"gender": "kvinde"}, "Repræsentation efter alder"),
        ("udforsk", "x_dl_xlsx", {"gender": "kvinde"}, "Antal"),
        ("kort", "k_dl_xlsx", {"gender": "kvinde"}, "Svarprocent"),
    ],
)
def test_an_excel_file_says_what_it_holds_and_keeps_its_table_in_row_one(
    app_db, downloads, page, key, params, says
):
    """A file found in a folder next month still says what it is: a sheet "Om tabellen" with
    the title, municipality, wave, filters, source and date, the same in the printed header and
    footer; the table keeps its header in row 1 so sorting and pivot tables work."""
    at = app(page, role="admin", params=params)
    workbook = load_workbook(io.BytesIO(downloads.of(at, key)))
    table, about = workbook.worksheets
    assert workbook.active.title == table.title and about.title == "Om tabellen"
    assert table.cell(1, 1).font.bold and table.freeze_panes == "A2"
    rows = {row[0].value: row[1].value for row in about.iter_rows()}
    assert says in rows["Tabel"], rows
    assert rows["Kommune"] == "Fjordlund Kommune"
    assert rows["Undersøgelse (bølge)"] == "2025"
    assert "Kvinder" in rows["Filtre"]
    assert "Danmarks Statistik" in rows["Kilde"]
    assert rows["Hentet"] and "<5" in rows["Skjulte tal"]
    assert workbook.properties.title == rows["Tabel"]
    assert says in table.oddHeader.left.text and "Kvinder" in table.oddHeader.right.text
    assert "2025" in table.oddHeader.right.text
    assert "Danmarks Statistik" in table.oddFooter.left.text
