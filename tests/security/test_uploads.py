"""Upload hardening: size limit, type by magic bytes, zip and XML bombs refused before any
parser opens the file, safe file names, and openpyxl behind defusedxml."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from data_pipeline.ingest import uploads
from data_pipeline.ingest.uploads import UnsafeUpload, check_upload, store_upload
from data_pipeline.store.sample import SAMPLE_DIR
from tests.conftest import ROOT

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
        for i in range(1, 10)
    )
    + ']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    "</sheetData></worksheet>"
)


def small_xlsx() -> bytes:
    workbook = Workbook()
    workbook.active.append(["Alder", "Køn"])
    workbook.active.append(["34", "Kvinde"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def replace_member(xlsx: bytes, name: str, content: str) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            data = content.encode() if item.filename == name else src.read(item.filename)
            dst.writestr(item.filename, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "name", ["survey_2025.xlsx", "survey_2021.csv", "areas.geojson", "govocal_users.xlsx"]
)
def test_real_survey_and_boundary_files_pass(name):
    """As an analyst my ordinary files are accepted."""
    assert check_upload(SAMPLE_DIR / name).container in ("xlsx", "text", "json")


def test_a_zip_bomb_is_refused_in_under_a_second(tmp_path):
    """As the operator I know a small upload that unpacks to gigabytes is refused at once,
    from the archive's directory, before anything is unpacked."""
    bomb = tmp_path / "bomb.xlsx"
    chunk = b"\0" * (1 << 20)
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(600):
            member.write(chunk)
    assert bomb.stat().st_size < 5 * 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(UnsafeUpload, match="zip bomb"):
        check_upload(bomb)
    assert time.perf_counter() - started < 1.0


def test_an_archive_compressed_suspiciously_hard_is_refused(tmp_path):
    """As the operator I refuse an archive whose compression ratio only a bomb reaches."""
    path = tmp_path / "ratio.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (20 << 20))
    with pytest.raises(UnsafeUpload, match="zip bomb"):
        check_upload(path)


def test_an_xml_bomb_inside_an_xlsx_is_refused_before_parsing(tmp_path):
    """As the operator I refuse a workbook with a billion-laughs DTD, and openpyxl would refuse
    it on its own too, because it parses through defusedxml."""
    data = replace_member(small_xlsx(), "xl/worksheets/sheet1.xml", BILLION_LAUGHS)
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(data)
    started = time.perf_counter()
    with pytest.raises(UnsafeUpload, match="XML"):
        check_upload(path)
    assert time.perf_counter() - started < 1.0
    from defusedxml import DefusedXmlException

    with pytest.raises(ValueError) as refused:  # openpyxl wraps the defusedxml refusal
        load_workbook(path)
    assert isinstance(refused.value.__cause__, DefusedXmlException)


def test_an_oversized_file_is_refused_by_its_size(tmp_path):
    """As the operator I know no upload above the limit reaches a parser."""
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:
        handle.truncate(uploads.MAX_UPLOAD_BYTES + 1)  # sparse: cheap to make
    with pytest.raises(UnsafeUpload, match="too large"):
        check_upload(path)
    with pytest.raises(UnsafeUpload, match="too large"):
        store_upload(b"a" * (uploads.MAX_UPLOAD_BYTES + 1), "huge.csv", tmp_path)


def test_the_size_limit_is_the_operators_setting_when_the_file_is_checked(tmp_path, monkeypatch):
    """The limit is read at each check, so a server's or a benchmark's setting applies."""
    path = tmp_path / "three_mb.csv"
    path.write_text("Alder;Køn\n" + "34;Kvinde\n" * 300_000, encoding="utf-8")  # 3.0 MB
    monkeypatch.setenv("DELTAGELSESATLAS_MAX_UPLOAD_MB", "2")
    with pytest.raises(UnsafeUpload, match="grænsen er 2 MB"):
        check_upload(path)
    monkeypatch.setenv("DELTAGELSESATLAS_MAX_UPLOAD_MB", "4")
    assert check_upload(path).path == path


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("survey.xlsx", "Alder;Køn\n34;Kvinde\n".encode()),  # text named as a workbook
        ("survey.csv", None),  # a workbook named as text (filled in below)
        ("survey.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),  # an image named .csv
        ("survey.csv", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),  # a Windows program
        ("areas.gpkg", b'{"type": "FeatureCollection"}'),  # JSON named GeoPackage
        ("report.docx", b"PK\x03\x04rest"),  # a file type we never read
    ],
)
def test_a_mislabelled_file_is_refused_by_its_magic_bytes(tmp_path, name, content):
    """As the operator I know a file is judged by its bytes, not by the name it was given."""
    content = small_xlsx() if content is None else content
    with pytest.raises(UnsafeUpload):
        store_upload(content, name, tmp_path)
    assert list(tmp_path.iterdir()) == []  # a refused upload is not kept


def test_a_word_document_renamed_to_xlsx_is_refused(tmp_path):
    """As the operator I refuse a zip that is not a workbook but calls itself .xlsx."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(UnsafeUpload, match="xlsx"):
        store_upload(buffer.getvalue(), "survey.xlsx", tmp_path)


@pytest.mark.parametrize(
    "name", ["../../etc/cron.d/survey.csv", "..\\..\\windows\\survey.csv", "/etc/survey.csv"]
)
def test_path_traversal_in_a_file_name_stays_inside_the_upload_folder(tmp_path, name):
    """As the operator I know an uploaded file name can never place a file outside the folder."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    checked = store_upload("Alder;Køn\n34;Kvinde\n".encode(), name, folder)
    assert checked.path.parent == folder.resolve()
    assert checked.path.name == "survey.csv"
    assert [p.name for p in tmp_path.rglob("*.csv")] == ["survey.csv"]


def test_an_archive_with_a_traversing_member_is_refused(tmp_path):
    """As the operator I refuse a zip whose members would unpack outside their folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../evil.shp", b"x")
    with pytest.raises(UnsafeUpload, match="path"):
        store_upload(buffer.getvalue(), "areas.zip", tmp_path)


def test_the_app_refuses_to_start_when_openpyxl_is_not_using_defusedxml():
    """As the operator I know the app checks at start that openpyxl parses through defusedxml."""
    code = (
        "from data_pipeline.ingest.uploads import ensure_defusedxml, UnsafeSetup\n"
        "try:\n    ensure_defusedxml()\nexcept UnsafeSetup as exc:\n    print('REFUSED', exc)\n"
        "else:\n    print('OK')\n"
    )
    for flag, expected in (("True", "OK"), ("False", "REFUSED")):
        env = {**os.environ, "OPENPYXL_DEFUSEDXML": flag}
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert result.stdout.startswith(expected), result.stderr
