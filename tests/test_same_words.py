"""One group, one verdict, the same words everywhere (issue 12, item 6): the Overblik, Grupper,
the council report and the citizens' summary say the same thing about residents aged 80+,
with and without a topic filter; under a topic filter they speak of the share who chose the
topic, never of the response rate or of missing responses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_pipeline.analysis.filtering import Filters
from data_pipeline.analysis.segments import fit_segments
from data_pipeline.present.reports.content import build_report
from data_pipeline.present.reports.public import build_public_summary
from data_pipeline.store.db import connect

ROOT = Path(__file__).resolve().parents[1]
WHOLE = "en tredjedel af svarprocenten i hele kommunen"


def page_text(page: str, params: dict) -> str:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    if page != "overblik":
        at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception
    return " ".join(m.value.replace("\\", "") for m in at.markdown)


def report_text(report) -> str:
    parts = []
    for section in report.sections:
        parts += [*section.paragraphs, *section.items, *section.after]
        parts += [f"{f.label} {f.value} {f.note}" for f in section.facts]
    return " ".join(str(p) for p in parts)


@pytest.fixture(scope="module")
def texts(sample_db_file, tmp_path_factory):
    db = tmp_path_factory.mktemp("words") / "app.duckdb"
    shutil.copy(sample_db_file, db)
    con = connect(db)
    segments = fit_segments(con, Filters(wave="2025"))
    out = {}
    for name, filters, params in (
        ("whole", Filters(wave="2025"), {}),
        ("topic", Filters(wave="2025", topics=("klima",)), {"topic": "klima"}),
    ):
        out[name] = {
            "report": report_text(build_report(con, filters, segments=segments)),
            "public": report_text(build_public_summary(con, filters)),
            "params": params,
        }
    con.close()
    out["db"] = db
    return out


@pytest.mark.parametrize(
    ("case", "same", "never"),
    [
        ("whole", ["Borgere 80+ år", WHOLE], ["stemmer"]),
        (
            "topic",
            ["Borgere 80+ år", "valgte klima og miljø", "en tredjedel af andelen i hele kommunen"],
            ["svarprocenten i hele kommunen", "Der mangler"],
        ),
    ],
)
def test_one_group_is_described_alike_everywhere(texts, monkeypatch, case, same, never):
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(texts["db"]))
    params = texts[case]["params"]
    places = {
        "Overblik": page_text("overblik", params),
        "Grupper": page_text("grupper", params),
        "rapport": texts[case]["report"],
        "borgerresumé": texts[case]["public"],
    }
    for place, text in places.items():
        about = [s for s in text.split("Borgere 80+ år")[1:2]]
        assert about, f"{place} says nothing about residents aged 80+"
        sentence = "Borgere 80+ år" + about[0][:200]
        for words in same:
            assert words in sentence, (place, words, sentence)
        for words in never:
            assert words not in sentence, (place, words, sentence)
