"""Source commands of the CLI: `fetch-population` from Statistics Denmark's StatBank API.

Owns argument parsing and the JSON shape only; the request and loading live in statbank.py.
"""

from __future__ import annotations

from data_pipeline.cli.registry import EXIT_OK, command, db_arg, json_arg
from data_pipeline.store.db import connect


def _setup_fetch(p):
    p.add_argument("--table", default="FOLK1A", help="StatBank table, e.g. FOLK1A")
    p.add_argument(
        "--area", action="append", required=True, help="area code(s), e.g. 101 (repeat or 101,147)"
    )
    p.add_argument("--period", help="e.g. 2025K1; default the latest")
    p.add_argument("--lang", choices=["da", "en"], default="da")
    p.add_argument("--actor", default="cli")
    db_arg(p)
    json_arg(p)


@command("fetch-population", "fetch a population table from the StatBank API")(_setup_fetch)
def run_fetch_population(args) -> tuple[object, int]:
    from data_pipeline.store.statbank import fetch_population

    areas = [a.strip() for value in args.area for a in value.split(",") if a.strip()]
    con = connect(args.db)
    try:
        result = fetch_population(
            con, args.table, areas, args.period, actor=args.actor, lang=args.lang
        )
    finally:
        con.close()
    return [result.to_json()], EXIT_OK
