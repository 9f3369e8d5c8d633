"""The reader registry (issue 15): every format registers itself in one detection order, and the
byte-order marks live in one table."""

from __future__ import annotations

import codecs

import pytest

from data_pipeline.core.errors import InvalidFile
from data_pipeline.ingest.readers import read_table, registry
from data_pipeline.ingest.uploads import bom_encoding, sniff


def test_every_reader_and_layout_has_registered_itself_in_detection_order():
    assert [reader.name for reader in registry.readers()] == list(registry.READER_ORDER)
    assert [layout.name for layout in registry.layouts()] == list(registry.LAYOUT_ORDER)


def test_a_reader_without_a_place_in_the_order_is_refused():
    class Stray:
        name = "stray"

    with pytest.raises(ValueError, match="stray"):
        registry.register(Stray())
    assert "stray" not in [reader.name for reader in registry.readers()]


@pytest.mark.parametrize(
    ("content", "claimed_by"),
    [
        (b"navn;alder\nA;30\n", "csv"),
        (codecs.BOM_UTF16_LE + "navn;alder\n".encode("utf-16-le"), "csv"),
        (b"PK\x03\x04 not really a zip", None),  # damaged: refused while claiming
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", None),
    ],
)
def test_the_first_reader_that_claims_a_file_reads_it(tmp_path, content, claimed_by):
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    source = registry.Source.sniff(path)
    if content.startswith(b"PK"):
        with pytest.raises(InvalidFile, match="beskadiget"):
            registry.reader_for(source)
        return
    reader = registry.reader_for(source)
    assert (reader.name if reader else None) == claimed_by


def test_a_file_no_reader_claims_is_refused_by_its_container(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    with pytest.raises(InvalidFile, match="Legacy .xls"):
        read_table(path)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (codecs.BOM_UTF8 + b"a;b", "utf-8-sig"),
        (codecs.BOM_UTF16_LE + b"a\x00", "utf-16"),
        (codecs.BOM_UTF16_BE + b"\x00a", "utf-16"),
        (b"a;b", None),
    ],
)
def test_one_bom_table_names_the_encoding(head, expected):
    assert bom_encoding(head) == expected


def test_the_upload_sniffer_reads_the_same_bom_table():
    assert sniff(codecs.BOM_UTF16_LE + "a;b".encode("utf-16-le")) == "text"
    assert sniff(b"\x00\x01binary") == "binary"
    assert sniff(codecs.BOM_UTF8 + b' {"type": "FeatureCollection"}') == "json"
