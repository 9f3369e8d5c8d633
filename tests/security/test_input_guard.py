"""One input guard for every path (issue 13, findings 10 and 11): the command line refuses
what the Upload page refuses – bombs, files that are not what their name says, absurd column
counts – and boundary files and links cannot hold the write lock or the page for minutes."""

from __future__ import annotations

import json
import time
import zipfile

import numpy as np
import pytest
import shapely
from openpyxl import Workbook

from data_pipeline.cli.main import main
from data_pipeline.ingest.geo_repair import repair_within
from data_pipeline.store.db import connect
from data_pipeline.store.sample import SAMPLE_DIR
from tests.security.helpers import app

WORKBOOK_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
        "</Types>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org'
        '/spreadsheetml/2006/main"><sheets><sheet name="Ark1" sheetId="1"/></sheets></workbook>'
    ),
}


def xlsx_bomb(path, megabytes: int = 40):
    """A workbook whose one sheet unpacks to `megabytes` of identical rows (ratio ~ 300)."""
    row = b'<row><c t="inlineStr"><is><t>Alder</t></is></c></row>'
    block = row * (1 << 14)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in WORKBOOK_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b"<worksheet><sheetData>")
            for _ in range(megabytes * (1 << 20) // len(block)):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return path


def ingest(capsys, db, path, kind="survey", *extra) -> tuple[int, dict]:
    code = main(["ingest", str(path), "--db", str(db), "--kind", kind, "--json", *extra])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    return code, json.loads(lines[0])


def batches(db) -> int:
    con = connect(db)
    try:
        return con.execute("SELECT count(*) FROM batch").fetchone()[0]
    finally:
        con.close()


def test_the_cli_refuses_an_xlsx_bomb_before_any_parser(tmp_path, capsys):
    """As IT operations running a scheduled import, a zip bomb named .xlsx is refused as one,
    from the archive directory, with exit 2 and nothing loaded."""
    db = tmp_path / "atlas.duckdb"
    code, result = ingest(capsys, db, xlsx_bomb(tmp_path / "svar.xlsx"), "survey", "--wave", "W")
    assert code == 2 and result["status"] == "rejected"
    assert "zip-bombe" in result["message"]
    assert batches(db) == 0


def test_the_cli_decides_the_type_by_content(tmp_path, capsys):
    """A CSV renamed to .xlsx is refused through the CLI exactly as on the Upload page."""
    path = tmp_path / "svar.xlsx"
    path.write_bytes((SAMPLE_DIR / "survey_2021.csv").read_bytes())
    code, result = ingest(capsys, tmp_path / "atlas.duckdb", path, "survey", "--wave", "W")
    assert code == 2 and "indholdet er text" in result["message"]


def test_a_csv_with_ten_thousand_columns_is_refused_at_once(tmp_path, capsys):
    """An 80 KB file with 10,000 columns is refused by its header line, never parsed; the
    refusal names the count, not the headers."""
    path = tmp_path / "bred.csv"
    headers = ";".join(f"k{i}" for i in range(10_000))
    path.write_text(headers + "\n" + ";".join("x" * 10_000) + "\n", encoding="utf-8")
    code, result = ingest(capsys, tmp_path / "atlas.duckdb", path, "survey", "--wave", "W")
    assert code == 2
    assert "10.000 kolonner; grænsen er 2.000" in result["message"]
    assert "k9999" not in result["message"]


def test_a_workbook_with_too_many_columns_is_refused(tmp_path, capsys):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([f"kolonne {i}" for i in range(2_100)])
    sheet.append(["x"] * 2_100)
    path = tmp_path / "bred.xlsx"
    workbook.save(path)
    code, result = ingest(capsys, tmp_path / "atlas.duckdb", path, "survey", "--wave", "W")
    assert code == 2 and "2.100 kolonner" in result["message"]


def test_a_boundary_file_over_the_vertex_limit_is_refused(tmp_path, capsys, monkeypatch):
    """The vertex count is checked before any repair: with a limit of 100 the sample's 930
    vertices are refused with a sentence (exit 2)."""
    monkeypatch.setenv("DELTAGELSESATLAS_MAX_VERTICES", "100")
    code, result = ingest(capsys, tmp_path / "atlas.duckdb", SAMPLE_DIR / "areas.geojson", "areas")
    assert code == 2 and "punkter; grænsen er 100" in result["message"]


def knot(vertices: int, seed: int = 1) -> list[list[float]]:
    """A ring through random points: its edges cross each other thousands of times."""
    points = (np.random.default_rng(seed).random((vertices, 2)) * 0.05 + [10.0, 56.0]).tolist()
    return [*points, points[0]]


def test_a_polygon_that_crosses_itself_everywhere_is_refused_within_the_time_limit(
    tmp_path, capsys, monkeypatch
):
    """A 250-vertex knot takes GEOS's make_valid more than 10 s; with a 1 s limit the load is
    refused with a sentence, and the child doing the repair is stopped."""
    monkeypatch.setenv("DELTAGELSESATLAS_REPAIR_SECONDS", "1")
    feature = {
        "type": "Feature",
        "properties": {"kode": "01", "navn": "Knude"},
        "geometry": {"type": "Polygon", "coordinates": [knot(250)]},
    }
    path = tmp_path / "knude.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    code, result = ingest(capsys, tmp_path / "atlas.duckdb", path, "areas")
    assert code == 2 and "kan repareres på 1 s" in result["message"]


def test_an_ordinary_invalid_polygon_is_still_repaired_in_the_child():
    """A 100-vertex ring with one crossing (a figure eight) is repaired, as before."""
    angles = np.linspace(0, 2 * np.pi, 100, endpoint=False)
    ring = np.c_[np.sin(angles), np.sin(angles) * np.cos(angles)]  # crosses itself once
    [repaired] = repair_within([shapely.Polygon(ring)], seconds=30)
    assert repaired.is_valid and repaired.geom_type == "MultiPolygon"
    assert len(shapely.get_parts(repaired)) == 2


@pytest.mark.usefixtures("app_db")
def test_a_100_kb_url_parameter_is_dropped_with_a_short_notice():
    """A link with a 100 KB parameter opens normally and names it once, not its content."""
    at = app(params={"area": "=x," * 33_000, "topic": "y" * 100_000})
    notice = " ".join(i.value for i in at.info)
    assert "area" in notice and "topic" in notice
    assert len(notice) < 400 and "yyyy" not in notice


def zip_of(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def declared(path) -> tuple[int, int, float]:
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    total = sum(m.file_size for m in members)
    worst = max(m.file_size / max(m.compress_size, 1) for m in members if m.file_size > 1 << 20)
    return total, path.stat().st_size, worst


def test_each_archive_check_refuses_on_its_own(tmp_path, monkeypatch):
    """Each check of the archive directory is the only one a case trips, so none can be removed
    unnoticed: one member packed 1000:1 beside noise (whole archive ~9:1); forty 1 MB members
    packed hard (none over the per-member floor); a file that unpacks past the total limit at
    an honest ratio."""
    from data_pipeline.ingest import uploads

    noise = np.random.default_rng(0).bytes(1 << 20)
    one_hard = zip_of(tmp_path / "one.zip", {"big.bin": bytes(8 << 20), "noise.bin": noise})
    total, packed, worst = declared(one_hard)
    assert total < 100 * packed and worst > 100
    with pytest.raises(uploads.UnsafeUpload, match="suspiciously hard"):
        uploads.check_upload(one_hard)

    many = zip_of(tmp_path / "many.zip", {f"m{i}.bin": bytes(1 << 20) for i in range(40)})
    with zipfile.ZipFile(many) as archive:
        assert all(m.file_size <= uploads.CHUNK for m in archive.infolist())
    with pytest.raises(uploads.UnsafeUpload, match="suspiciously hard"):
        uploads.check_upload(many)

    monkeypatch.setattr(uploads, "MAX_UNCOMPRESSED_BYTES", 2 << 20)
    honest = zip_of(tmp_path / "honest.zip", {"noise.bin": noise * 3})
    with pytest.raises(uploads.UnsafeUpload, match="unpacks too large"):
        uploads.check_upload(honest)


def long_survey(path, copies: int = 40):
    """The sample's 2021 survey with its rows repeated: a real-shaped CSV that takes the
    reader seconds (about 240,000 rows)."""
    header, *rows = (SAMPLE_DIR / "survey_2021.csv").read_bytes().splitlines(keepends=True)
    with open(path, "wb") as out:
        out.write(header)
        for _ in range(copies):
            out.writelines(rows)
    return path


def test_a_file_whose_reading_takes_longer_than_the_limit_is_refused_and_stopped(
    tmp_path, capsys, monkeypatch
):
    """As IT operations: a file that takes longer to read than DELTAGELSESATLAS_PARSE_SECONDS
    (here 0.2 s) is refused with a sentence and exit 2, sooner than reading it takes, and the
    database keeps exactly what it had."""
    from data_pipeline.ingest.readers import read_table

    path = long_survey(tmp_path / "lang.csv")
    started = time.perf_counter()
    read_table(path)  # what the reader alone needs for this file
    reading = time.perf_counter() - started
    db = tmp_path / "atlas.duckdb"
    code, _ = ingest(capsys, db, SAMPLE_DIR / "areas.geojson", "areas")
    assert code == 0
    before = batches(db)

    monkeypatch.setenv("DELTAGELSESATLAS_PARSE_SECONDS", "0.2")
    started = time.perf_counter()
    code, result = ingest(capsys, db, path, "survey", "--wave", "W")
    refused_after = time.perf_counter() - started

    assert code == 2 and result["status"] == "rejected"
    assert "tog mere end 0,2 sekunder at læse" in result["message"]
    assert "took more than 0.2 seconds" in result["message"]
    assert batches(db) == before
    assert refused_after < reading, (refused_after, reading)
