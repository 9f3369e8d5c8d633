"""Analysis commands of the CLI: `gaps`, `segments` and `weights`.

Owns only argument parsing and the JSON shape of these three commands (a contract: add keys,
never rename them); the analysis itself lives in analysis/ (gaps.py, raking.py, segments.py).
"""

from __future__ import annotations

import math
from pathlib import Path

from data_pipeline.analysis.cells import (
    BACKGROUND,
    InvalidInput,
    needed_variables,
    require_population,
)
from data_pipeline.cli.filters import resolve_filters
from data_pipeline.cli.registry import EXIT_OK, command, db_arg, json_arg
from data_pipeline.core.i18n import t
from data_pipeline.store.db import connect


def open_database(path: str):
    """Read-only when the file exists, so analysis runs beside the app; a missing file is
    invalid input rather than a new empty database."""
    if not Path(path).exists():
        raise InvalidInput(f"Databasen {path} findes ikke. / The database {path} does not exist.")
    return connect(path, read_only=True)


def _clean(value):
    """JSON has no NaN: a suppressed or undefined number becomes null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return _clean(value.item())
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _setup_gaps(p):
    db_arg(p)
    p.add_argument("--wave")
    p.add_argument("--by", default=",".join(BACKGROUND), help="age_band,gender,area")
    p.add_argument("--top", type=int, default=10)
    json_arg(p)


@command("gaps", "under-represented groups, ranked by missing voices")(_setup_gaps)
def run_gaps(args) -> tuple[object, int]:
    from data_pipeline.analysis.gaps import find_gaps

    dims = tuple(d.strip() for d in args.by.split(",") if d.strip())
    if args.top < 1:
        raise InvalidInput("--top skal være mindst 1. / --top must be at least 1.")
    con = open_database(args.db)
    try:
        filters = resolve_filters(con, wave=args.wave)
        require_population(con, filters, needed_variables(dims), "huller / gaps")
        found = find_gaps(con, filters, dims=dims, top=args.top)
    finally:
        con.close()
    # Respondents known only by a postal code spanning several areas count by area share; a
    # finding that names an area says so in "note"/"note_en" (null otherwise).
    note_da, note_en = found.attrs.get("note_da"), found.attrs.get("note_en")
    if not args.json:
        text = "\n".join(found["sentence_da"]) or "Ingen grupper under tærsklen."
        # What the list compares with and how it was judged (docs/DEFINITIONS.md).
        text += "\n" + t("report.gaps.note", "da")
        return (f"{text}\n{note_da}" if note_da else text), EXIT_OK
    keys = ["population", "respondents", "rate", "ratio", "ci_low", "ci_high", "missing_voices"]
    findings = [
        {
            "group": row["group"],
            **{key: row[key] for key in keys},
            "status": row["status"],
            # status "too_few": fewer than k answers where about this many were expected.
            "expected": row.get("expected_hint"),
            "sentence": row["sentence_da"],
            "sentence_en": row["sentence_en"],
            "note": note_da if "area" in row["group"] else None,
            "note_en": note_en if "area" in row["group"] else None,
        }
        for _, row in found.iterrows()
    ]
    return _clean(findings), EXIT_OK


def _setup_segments(p):
    db_arg(p)
    p.add_argument("--wave")
    p.add_argument("--k", default="auto", help="auto or a number from 2")
    json_arg(p)


@command("segments", "interest segments (KMeans, k by silhouette)")(_setup_segments)
def run_segments(args) -> tuple[object, int]:
    from data_pipeline.analysis.segments import fit_segments

    k = args.k if args.k == "auto" else _whole_number(args.k)
    con = open_database(args.db)
    try:
        result = fit_segments(con, resolve_filters(con, wave=args.wave), k=k)
    finally:
        con.close()
    if not args.json:
        lines = [f"k = {result.k}"]
        for profile in result.profiles:
            lines.append(f"{profile['segment']}. {profile['name_da']}")
            lines.extend(f"   {line}" for line in profile["description_da"].splitlines())
        return "\n".join(lines), EXIT_OK
    return _clean(result.to_json()), EXIT_OK


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(
            f"--k skal være 'auto' eller et tal, ikke '{text}'. / "
            f"--k must be 'auto' or a number, not '{text}'."
        ) from None


def _require_targets(payload: dict) -> None:
    """Weights without population targets are no weights: refuse rather than print nulls."""
    shares = [m.get("population_share") for m in payload.get("margins", [])]
    if not shares or any(v is None for v in shares) or payload.get("respondents", 0) == 0:
        raise InvalidInput(
            "Vægtene kan ikke beregnes: befolkningstallene giver ingen mål for alder, køn og "
            "område i denne bølge. / The weights cannot be computed: the population gives no "
            "targets for age, sex and area in this wave."
        )


def _setup_weights(p):
    db_arg(p)
    p.add_argument("--wave")
    json_arg(p)


@command("weights", "raking weights to the population margins")(_setup_weights)
def run_weights(args) -> tuple[object, int]:
    from data_pipeline.analysis.raking import rake

    con = open_database(args.db)
    try:
        filters = resolve_filters(con, wave=args.wave)
        require_population(con, filters, ("age", "gender", "area"), "vægte / weights")
        result = rake(con, filters)
    finally:
        con.close()
    payload = _clean(result.to_json())
    _require_targets(payload)
    if not args.json:
        return (
            f"Effektiv stikprøvestørrelse / effective sample size: "
            f"{payload['effective_sample_size']:.0f} af {payload['respondents'] + payload['excluded']}; "
            f"konvergeret / converged: {payload['converged']} "
            f"({payload['iterations']} iterationer)\n"
            f"Designeffekt (Kish) / design effect: {payload['design_effect']:.2f}\n"
            + "\n".join(
                f"{b['variable']}: standardiseret forskel / standardised difference "
                f"{b['before']:.3f} før / before, {b['after']:.3f} efter / after"
                for b in payload["balance"]
            )
        ), EXIT_OK
    return payload, EXIT_OK
