"""Reports on a real copy of the sample municipality: the council report as PDF, XLSX and HTML,
the citizens' summary, the CLI and the Rapport page.

One report per module is built and shared (the segment fit takes seconds). The database copy
holds a planted respondent with a distinctive name and email and an area named like a
formula, so every test also checks that neither leaks nor runs.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

import data_pipeline.analysis.counting as counting
import data_pipeline.analysis.filtering as filtering
import data_pipeline.present.map_values as map_values
import data_pipeline.present.overview as overview_views
from data_pipeline.analysis.raking import rake
from data_pipeline.analysis.segments import fit_segments
from data_pipeline.analysis.weighting import weighted_shares
from data_pipeline.cli.main import main
from data_pipeline.present import reports
from data_pipeline.present.reports.xlsx import HEADER_ROW
from data_pipeline.store.db import connect
from tests.conftest import ROOT

PLANTED_NAME, PLANTED_EMAIL = "Zørro Testesen", "zorro@example.dk"
FORMULA_AREA = "=1+2 Ålund"
CHROMIUM = Path("/usr/bin/chromium")


def plant(path: Path) -> None:
    """A consenting respondent with contact details, and an area named like a formula."""
    con = connect(path)
    try:
        con.execute(
            "INSERT INTO respondent SELECT * REPLACE (respondent_id + 10000000 AS respondent_id, "
            "TRUE AS consent_contact, $extra::JSON AS extra) FROM respondent "
            "WHERE wave_id = '2025' ORDER BY respondent_id LIMIT 1",
            {"extra": f'{{"kommentar": "{PLANTED_NAME} <{PLANTED_EMAIL}>"}}'},
        )
        con.execute(
            "INSERT INTO contact (respondent_id, name, email, phone, consent_at, source) "
            "SELECT max(respondent_id), $name, $email, '+45 12 34 56 78', now(), 'test' "
            "FROM respondent",
            {"name": PLANTED_NAME, "email": PLANTED_EMAIL},
        )
        con.execute("UPDATE area SET name = $name WHERE area_code = '15'", {"name": FORMULA_AREA})
    finally:
        con.close()


@pytest.fixture(scope="module")
def db_path(sample_db_file, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("reports") / "reports.duckdb"
    shutil.copy(sample_db_file, path)
    shutil.copy(f"{sample_db_file}.key", f"{path}.key")
    plant(path)
    return path


@pytest.fixture(scope="module")
def con(db_path):
    # Read-only like the CLI, so both can hold the file in this process at once.
    connection = connect(db_path, read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def segments(con):
    return fit_segments(con, filtering.Filters(wave="2025"))


@pytest.fixture(scope="module")
def council(con, segments):
    return reports.build_report(con, filtering.Filters(), segments=segments)


@pytest.fixture(scope="module")
def council_files(council) -> dict[str, bytes]:
    return {fmt: reports.render(council, fmt) for fmt in reports.COUNCIL_FORMATS}


@pytest.fixture(scope="module")
def public_files(con) -> dict[str, bytes]:
    summary = reports.build_public_summary(con)
    return {fmt: reports.render(summary, fmt) for fmt in reports.PUBLIC_FORMATS}


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def xlsx_strings(data: bytes) -> str:
    workbook = load_workbook(io.BytesIO(data))
    return "\n".join(
        str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row
    )


def sheet_rows(sheet) -> dict[str, list]:
    """Data rows of a table sheet, keyed by the first cell (the label)."""
    rows = {}
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
        if row[0] is None:
            break
        rows[str(row[0])] = list(row[1:])
    return rows


# --- PDF ----------------------------------------------------------------------------------


def test_pdf_opens_with_one_page_per_section_and_danish_text(council, council_files):
    pages = pdf_text(council_files["pdf"])
    assert len(pages) == len(council.sections) == 7
    text = "\n".join(pages)
    for expected in ("Besvarelser", "Svarprocent", "De fem største huller", "Interessesegmenter"):
        assert expected in text
    # The method sits alone on the last page, with its sources and the credit.
    assert pages[-1].lstrip().startswith("Metode")
    assert "Kilde: Danmarks Statistik" in pages[-1]
    assert "Datakilder" in pages[-1] and "population.csv" in pages[-1]


def test_public_pdf_is_a_two_page_leaflet_in_plain_danish(public_files):
    pages = pdf_text(public_files["pdf"])
    assert len(pages) == 2
    text = "\n".join(pages)
    assert "Hvad spurgte kommunen om?" in text
    assert "Hvem vil kommunen nu gøre mere for at nå?" in text
    assert "Kilde: Danmarks Statistik" in text


# --- XLSX: the same numbers as the dashboard --------------------------------------------


@pytest.fixture(scope="module")
def workbook(council_files):
    return load_workbook(io.BytesIO(council_files["xlsx"]))


def test_headline_sheet_matches_the_overview(con, workbook):
    overview = overview_views.overview_view(con, filtering.Filters(wave="2025"))
    overall = overview.scores.set_index("dimension").loc["overall"]
    rows = sheet_rows(workbook["Hovedtal"])
    assert rows["Besvarelser"][:2] == [overview.respondents, overview.previous_respondents]
    assert rows["Svarprocent"][0] == pytest.approx(overview.rate)
    assert rows["Borgere (15+)"][0] == overview.population
    assert rows["Laveste svarprocent ÷ højeste"][0] == pytest.approx(overall["min_max_ratio"])
    assert rows["Overlap med befolkningen"][0] == pytest.approx(overall["share_overlap"])
    assert rows["Ensartethed (R-indikator)"][0] == pytest.approx(overall["r_indicator"])
    assert workbook["Hovedtal"].cell(HEADER_ROW + 2, 2).number_format == "0.0%"


@pytest.mark.parametrize(
    ("sheet", "kind"), [("Emner", "topic"), ("Formater", "format"), ("Tid", "time")]
)
def test_share_sheets_match_the_weighted_and_unweighted_estimates(con, workbook, sheet, kind):
    filters = filtering.Filters(wave="2025")
    expected = weighted_shares(con, filters, kind, rake(con, filters)).set_index("label_da")
    ranked = overview_views.ranked_view(con, filters, kind).set_index("label")
    rows = sheet_rows(workbook[sheet])
    assert set(rows) == set(expected.index)
    for label, (respondents, unweighted, weighted) in rows.items():
        assert respondents == expected.loc[label, "respondents"]
        assert unweighted == pytest.approx(expected.loc[label, "unweighted_share"])
        assert weighted == pytest.approx(expected.loc[label, "weighted_share"])
        if kind in ("topic", "format"):  # the Overblik bars show the same unweighted share
            assert unweighted == pytest.approx(ranked.loc[label, "share"])
    assert workbook[sheet].freeze_panes == f"A{HEADER_ROW + 1}"
    assert workbook[sheet].cell(HEADER_ROW + 1, 3).number_format == "0.0%"
    assert workbook[sheet].cell(HEADER_ROW + 1, 2).number_format == "#,##0"
    assert workbook[sheet]._charts, "Excel users expect a bar chart beside the shares"


def test_map_and_gap_sheets_match_the_map_and_the_findings(con, workbook):
    filters = filtering.Filters(wave="2025")
    rate = map_values.map_view(con, filters, "rate").set_index("name")
    for name, (respondents, population, value) in sheet_rows(
        workbook["Kort – svarprocent"]
    ).items():
        assert population == rate.loc[name, "population"]
        if rate.loc[name, "suppressed"]:
            assert (respondents, value) == ("<5", None)
        else:
            assert respondents == rate.loc[name, "respondents"]
            assert value == pytest.approx(rate.loc[name, "value"])
    gaps = overview_views.overview_view(con, filters).gaps
    rows = list(sheet_rows(workbook["Største huller"]).values())
    assert len(rows) == min(5, len(gaps))
    for row, (_, gap) in zip(rows, gaps.iterrows(), strict=False):
        assert row[:2] == [gap["population"], gap["respondents"]]
        assert row[3] == pytest.approx(gap["ratio"])
        assert row[6] == pytest.approx(gap["missing_voices"])
    top = gaps.iloc[0]["group"]
    group = {f"{d}s": [v] for d, v in top.items() if d != "area"}
    ratio = map_values.map_view(con, filters, "ratio", group=group).set_index("name")
    for name, (_n, _pop, value) in sheet_rows(workbook["Kort – største hul"]).items():
        expected = ratio.loc[name, "value"]
        assert value is None if ratio.loc[name, "suppressed"] else value == pytest.approx(expected)


def test_segment_sheet_matches_the_segments(workbook, segments):
    rows = list(sheet_rows(workbook["Segmenter"]).values())
    assert [row[1] for row in rows] == [p["size"] for p in segments.profiles]
    assert [row[0] for row in rows] == [p["name_da"] for p in segments.profiles]


def test_every_sheet_prints_one_page_wide_and_key_messages_wrap(workbook):
    # LibreOffice printed the overview's long key messages over two pages, cut at the edge.
    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    overview = workbook.worksheets[0]
    width = overview.column_dimensions["A"].width
    long_rows = [c for c in overview["A"] if isinstance(c.value, str) and len(c.value) > width]
    assert long_rows, "the sample's key messages include sentences longer than the column"
    for cell in long_rows:
        assert cell.alignment.wrap_text, cell.value
        lines = overview.row_dimensions[cell.row].height / 15
        assert lines * width >= len(cell.value) * 0.9, (cell.value, lines)


def test_text_that_looks_like_a_formula_stays_text(workbook):
    cells = [c for sheet in workbook for row in sheet.iter_rows() for c in row if c.value]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    planted = [c for c in cells if c.value == FORMULA_AREA]
    assert planted and all(c.data_type == "s" for c in planted)


# --- HTML, privacy, suppression -----------------------------------------------------------


@pytest.mark.parametrize("which", ["council", "public"])
def test_html_is_one_file_with_no_external_references(council_files, public_files, which):
    html = (council_files if which == "council" else public_files)["html"].decode("utf-8")
    assert "<script" not in html and "<link" not in html and "@import" not in html
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)""", html)
    assert references and all(ref.startswith("data:image/png;base64,") for ref in references)
    assert not re.search(r"url\(\s*['\"]?https?:", html)


def test_planted_contact_data_never_reaches_any_report(council_files, public_files):
    texts = {
        "council.pdf": "\n".join(pdf_text(council_files["pdf"])),
        "council.html": council_files["html"].decode("utf-8"),
        "council.xlsx": xlsx_strings(council_files["xlsx"]),
        "public.pdf": "\n".join(pdf_text(public_files["pdf"])),
        "public.html": public_files["html"].decode("utf-8"),
    }
    for name, text in texts.items():
        for secret in ("Zørro", "Testesen", PLANTED_EMAIL, "zorro", "12 34 56 78"):
            assert secret.lower() not in text.lower(), f"{secret!r} found in {name}"


def test_small_cells_show_the_marker_and_never_the_hidden_number(con, segments):
    filters = filtering.Filters(areas=("13",), age_bands=("18-24", "25-29"))
    report = reports.build_report(con, filters, segments=segments)
    hidden = overview_views.ranked_view(con, filters.replace(wave="2025"), "topic")
    hidden = hidden[hidden["suppressed"]]
    assert len(hidden), "the filter must make some topic cells small"
    true_counts = counting.respondents_by(con, filters.replace(wave="2025"), ("topic",))
    true_counts = dict(zip(true_counts["topic"], true_counts["respondents"], strict=True))
    workbook = load_workbook(io.BytesIO(reports.render(report, "xlsx")))
    rows = sheet_rows(workbook["Emner"])
    html = reports.render(report, "html").decode("utf-8")
    for code, label in zip(hidden["code"], hidden["label"], strict=True):
        assert rows[label] == ["<5", None, None], label
        assert true_counts[code] not in rows[label]
        cells = re.search(rf"<tr><td class=\"text\">{re.escape(label)}</td>(.*?)</tr>", html)
        assert cells and re.findall(r">([^<]*)</td>", cells.group(1)) == ["&lt;5", "–", "–"]


def test_the_summary_speaks_english_on_request(con):
    summary = reports.build_public_summary(con, lang="en")
    text = reports.render(summary, "html").decode("utf-8")
    assert "What citizens told us" in text and "Whom will the municipality" in text


# --- CLI --------------------------------------------------------------------------------


# One council run (its segment fit takes seconds); pdf and html go through the summary path,
# which dispatches on the extension the same way.
@pytest.mark.parametrize(
    ("fmt", "public", "magic"),
    [("xlsx", False, b"PK\x03\x04"), ("pdf", True, b"%PDF-"), ("html", True, b"<!DOCTYPE html>")],
)
def test_cli_writes_each_format(db_path, con, tmp_path, fmt, public, magic):
    out = tmp_path / f"rapport.{fmt}"
    args = ["report", "--db", str(db_path), "--out", str(out), "--wave", "2021"]
    assert main([*args, "--public"] if public else args) == 0
    assert out.read_bytes().startswith(magic)


def test_cli_writes_the_public_summary_with_filters(db_path, con, tmp_path):
    out = tmp_path / "borgere.pdf"
    args = ["report", "--db", str(db_path), "--out", str(out), "--public", "--lang", "en"]
    assert main([*args, "--gender", "kvinde", "--area", "01", "02"]) == 0
    assert "What citizens told us" in "\n".join(pdf_text(out.read_bytes()))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--out", "rapport.docx"], "'.docx'"),
        (["--out", "rapport.xlsx", "--public"], "'.xlsx'"),
        (["--out", "rapport.pdf", "--wave", "1999"], "Ukendt bølge '1999'"),
        (["--out", "rapport.pdf", "--topic", "robotter"], "Unknown value for --topic"),
    ],
)
def test_cli_refuses_bad_input_with_exit_2(db_path, con, tmp_path, capsys, extra, message):
    extra = [str(tmp_path / v) if v.startswith("rapport.") else v for v in extra]
    assert main(["report", "--db", str(db_path), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


# --- the Rapport page -----------------------------------------------------------------------


def test_rapport_page_runs_and_offers_five_downloads(sample_db_file, tmp_path, monkeypatch):
    path = tmp_path / "app.duckdb"
    shutil.copy(sample_db_file, path)
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/rapport.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Rapport"
    assert len(at.get("download_button")) == 5


# --- what a person sees -------------------------------------------------------------------


def _shoot(url: str, out: Path) -> None:
    subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", f"--screenshot={out}", "--window-size=1200,2000",
         url],
        check=True, capture_output=True, timeout=90,
    )  # fmt: skip


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium is not installed")
def test_reports_render_in_headless_chromium(council_files, public_files, tmp_path):
    from PIL import Image

    for name, data in (("council", council_files["html"]), ("public", public_files["html"])):
        page = tmp_path / f"{name}.html"
        page.write_bytes(data)
        shot = tmp_path / f"{name}.png"
        _shoot(page.as_uri(), shot)
        colours = Image.open(shot).convert("RGB").resize((120, 200)).getcolors(maxcolors=100_000)
        assert len(colours) > 50, f"{name}.html rendered blank"
    # Chromium's PDF viewer does not paint in headless mode; printing the HTML through
    # Chromium checks the print layout, and poppler rasterises the PDF itself.
    printed = tmp_path / "printed.pdf"
    subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--no-pdf-header-footer",
         f"--print-to-pdf={printed}", (tmp_path / "council.html").as_uri()],
        check=True, capture_output=True, timeout=90,
    )  # fmt: skip
    assert len(PdfReader(printed).pages) >= 7
    if shutil.which("pdftoppm"):
        pdf = tmp_path / "council.pdf"
        pdf.write_bytes(council_files["pdf"])
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True
        )
        assert len(list(tmp_path.glob("page-*.png"))) == 7
