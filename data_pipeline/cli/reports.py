"""The `report` command: the council report (or, with --public, the citizens' summary) as a file.

Owns argument parsing and the JSON shape of the command (keys: out, format, kind, lang, bytes,
wave; add keys, never rename them). The format follows the file extension; an unknown
extension, wave or filter value is invalid input (exit 2) with a bilingual message.
"""

from __future__ import annotations

from pathlib import Path

from data_pipeline.analysis.filtering import Filters
from data_pipeline.cli.registry import EXIT_OK, command, db_arg, json_arg
from data_pipeline.core.numbers import number

# option name -> (Filters field, vocabulary the values must come from)
FILTER_OPTIONS = {
    "age_band": ("age_bands", "age_band"),
    "gender": ("genders", "gender"),
    "area": ("areas", "area"),
    "topic": ("topics", "topic"),
    "format": ("formats", "format"),
    "time": ("times", "time"),
    "engagement": ("engagements", "engagement"),
}


def _setup_report(p):
    db_arg(p)
    p.add_argument("--out", required=True, type=Path, help="FILE.pdf, FILE.xlsx or FILE.html")
    p.add_argument("--wave", help="the survey wave (default: the latest)")
    for option in FILTER_OPTIONS:
        p.add_argument(
            f"--{option.replace('_', '-')}",
            dest=option,
            action="extend",
            nargs="+",
            default=[],
            metavar=option.upper(),
            help=f"only these {option} values: codes or labels (repeat or list several)",
        )
    p.add_argument("--lang", choices=["da", "en"], default="da")
    p.add_argument("--public", action="store_true", help="the summary for citizens (pdf, html)")
    json_arg(p)


@command("report", "the council report or the citizens' summary as PDF, XLSX or HTML")(
    _setup_report
)
def run_report(args) -> tuple[object, int]:
    from data_pipeline.analysis.cells import require_population
    from data_pipeline.cli.analysis import open_database
    from data_pipeline.present.reports import (
        build_public_summary,
        build_report,
        check_format,
        render,
    )

    # The format is checked before the database is opened: a typo should fail at once.
    fmt = check_format(args.out.suffix, public=args.public)
    con = open_database(args.db)
    try:
        filters = _filters(con, args)
        require_population(con, filters, ("age", "gender", "area"), "rapporten / the report")
        if args.public:
            report = build_public_summary(con, filters, lang=args.lang)
        else:
            report = build_report(con, filters, lang=args.lang)
        data = render(report, fmt)
    finally:
        con.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    payload = {
        "out": str(args.out),
        "format": fmt,
        "kind": report.kind,
        "lang": args.lang,
        "bytes": len(data),
        "wave": report.wave,
    }
    if not args.json:
        return f"Gemt / saved: {args.out} ({number(len(data))} bytes)", EXIT_OK
    return payload, EXIT_OK


def _filters(con, args) -> Filters:
    """Filters from the options: codes or labels; an unknown value or wave, or a wave
    without responses, is refused in words (filters_cli)."""
    from data_pipeline.cli.filters import resolve_filters

    chosen = {dim: getattr(args, option) for option, (_field, dim) in FILTER_OPTIONS.items()}
    return resolve_filters(con, wave=args.wave, **chosen)
