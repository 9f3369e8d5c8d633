"""The embedded sample municipality (Fjordlund Kommune): which files, in which order.

Areas come first because surveys and population are validated against them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from data_pipeline.store.load import IngestResult, ingest

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"

SAMPLE_FILES: tuple[tuple[str, str, str | None], ...] = (
    ("areas.geojson", "areas", None),
    ("postal_codes.csv", "areas", None),
    ("population.csv", "population", None),
    ("survey_2021.csv", "survey", "2021"),
    ("survey_2025.xlsx", "survey", "2025"),
    ("govocal_users.xlsx", "platform", None),
    ("govocal_ideas.xlsx", "platform", None),
)


def load_sample(
    con: duckdb.DuckDBPyConnection, sample_dir: Path = SAMPLE_DIR
) -> list[IngestResult]:
    results = []
    for file_name, kind, wave in SAMPLE_FILES:
        results.append(ingest(con, sample_dir / file_name, kind, wave=wave, actor="sample"))
    return results
