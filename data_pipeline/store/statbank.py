"""Statistics Denmark's StatBank API client: build the POST /v1/data request, fetch, load.

The answer (BULK CSV, code presentation) goes through the same reader and population loader
as a downloaded file, as one batch. No network in tests: `transport` is replaceable, and the
address can be pointed elsewhere with DELTAGELSESATLAS_STATBANK_URL.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import duckdb

from data_pipeline.core.errors import InvalidFile

DEFAULT_URL = "https://api.statbank.dk/v1"
TIMEOUT_SECONDS = 60
# Variable ids differ between tables; the first one the table has is used.
AREA_VARIABLES = ("OMRÅDE", "KOMK", "KOMMUNE", "SOGN", "BYDEL")
GENDER_VARIABLES = ("KØN", "KOEN")
AGE_VARIABLES = ("ALDER",)
TIME_VARIABLE = "Tid"
KNOWN_TABLES = {
    "FOLK1A": ("OMRÅDE", "KØN", "ALDER"),
    "FOLK1AM": ("OMRÅDE", "KØN", "ALDER"),
    "BY2": ("KOMK", "KØN", "ALDER"),
}


class StatbankUnavailable(InvalidFile):
    """The API could not be reached or refused the request (exit code 2)."""


Transport = Callable[[str, dict], str]


def base_url() -> str:
    return os.environ.get("DELTAGELSESATLAS_STATBANK_URL", DEFAULT_URL).rstrip("/")


def post_json(url: str, payload: dict) -> str:
    """POST the payload as JSON; the answer's text (UTF-8)."""
    body = json.dumps(payload).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.read().decode("utf-8-sig")
    except urllib.error.HTTPError as exc:
        detail = _api_message(exc.read().decode("utf-8", "replace"))
        raise StatbankUnavailable(
            f"Statistikbanken afviste forespørgslen ({exc.code}): {detail} / "
            f"StatBank refused the request ({exc.code}): {detail}"
        ) from exc
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise StatbankUnavailable(
            f"Statistikbanken ({url}) kan ikke nås – tjek netværket, eller hent tabellen på "
            f"statistikbanken.dk og indlæs filen med ingest --kind population. ({reason}) / "
            f"StatBank ({url}) cannot be reached – check the network, or download the table from "
            f"statistikbanken.dk and load it with ingest --kind population. ({reason})"
        ) from exc


def _api_message(text: str) -> str:
    try:
        return str(json.loads(text).get("message", text))[:300]
    except (ValueError, AttributeError):
        return text[:300]


# Replaced in tests; the rest of the module never calls urllib directly.
transport: Transport = post_json


def dst_area_code(code: str) -> str:
    """DAGI writes "0101", Statistics Denmark "101": the API wants three digits."""
    text = str(code).strip()
    if not text.isdigit():
        raise InvalidFile(
            f"Områdekoden '{text}' er ikke et tal (fx 101). / The area code '{text}' is not a "
            "number (e.g. 101)."
        )
    return str(int(text)).zfill(3)


def check_period(period: str) -> str:
    text = period.strip().upper().replace("Q", "K")
    if not re.fullmatch(r"\d{4}(K[1-4]|M(0[1-9]|1[0-2]))?", text):
        raise InvalidFile(
            f"Perioden '{period}' forstås ikke (fx 2025K1, 2024M04 eller 2023). / "
            f"The period '{period}' is not understood (e.g. 2025K1, 2024M04 or 2023)."
        )
    return text


def table_variables(table: str, info: dict | None = None) -> tuple[str, str, str]:
    """(area, gender, age) variable ids: from the table's metadata when fetched."""
    if info:
        ids = [v.get("id") for v in info.get("variables", [])]

        def pick(options):
            return next((o for o in options if o in ids), None)

        return pick(AREA_VARIABLES), pick(GENDER_VARIABLES), pick(AGE_VARIABLES)
    return KNOWN_TABLES.get(table.upper(), ("OMRÅDE", "KØN", "ALDER"))


def build_request(
    table: str,
    areas: list[str],
    period: str,
    variables: tuple[str | None, str | None, str | None] | None = None,
    lang: str = "da",
) -> dict:
    """The JSON body of POST /v1/data. Variables not named are totalled by the API."""
    area_var, gender_var, age_var = variables or table_variables(table)
    wanted = []
    if area_var:
        wanted.append({"code": area_var, "values": [dst_area_code(a) for a in areas]})
    if gender_var:
        wanted.append({"code": gender_var, "values": ["*"]})
    if age_var:
        wanted.append({"code": age_var, "values": ["*"]})
    wanted.append({"code": TIME_VARIABLE, "values": [check_period(period)]})
    return {
        "table": table.upper(),
        "format": "BULK",
        "lang": lang,
        "valuePresentation": "Code",
        "variables": wanted,
    }


def latest_period(table: str, info: dict) -> str:
    for variable in info.get("variables", []):
        if variable.get("id") == TIME_VARIABLE and variable.get("values"):
            return variable["values"][-1]["id"]
    raise StatbankUnavailable(
        f"Tabellen {table} har ingen tidsvariabel. / The table {table} has no time variable."
    )


def table_info(table: str) -> dict:
    text = transport(f"{base_url()}/tableinfo", {"table": table.upper(), "format": "JSON"})
    try:
        return json.loads(text)
    except ValueError as exc:
        raise StatbankUnavailable(
            "Statistikbanken svarede ikke med JSON. / StatBank did not answer with JSON."
        ) from exc


def fetch_population(
    con: duckdb.DuckDBPyConnection,
    table: str,
    areas: list[str],
    period: str | None = None,
    actor: str = "cli",
    lang: str = "da",
):
    """Fetch one table for some areas and load it as a population batch."""
    from data_pipeline.store.load import ingest

    if not areas:
        raise InvalidFile("Angiv mindst ét område (--area 101). / Give at least one --area.")
    info = None
    if period is None:
        info = table_info(table)
        period = latest_period(table, info)
    payload = build_request(table, areas, period, table_variables(table, info), lang)
    text = transport(f"{base_url()}/data", payload)
    if "INDHOLD" not in text.split("\n", 1)[0].upper():
        raise StatbankUnavailable(
            f"Uventet svar fra Statistikbanken: {text[:200]!r} / Unexpected StatBank answer."
        )
    name = f"statbank_{payload['table']}_{'-'.join(payload['variables'][0]['values'])}_{period}.csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8")
        result = ingest(con, path, "population", actor=actor, lang=lang)
    result.detected["request"] = payload
    return result
