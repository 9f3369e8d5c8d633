"""The shipped vocabulary (ingest/vocabulary.json): known headers, answer labels, genders,
consent words and the seed rows of the vocabulary table. Mapping reads it to recognise a
file; store.db seeds the database from it."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.json")


def load_vocabulary_seed() -> dict:
    return json.loads(_seed_text())


@lru_cache(maxsize=1)
def _seed_text() -> str:
    return VOCABULARY_FILE.read_text(encoding="utf-8")
