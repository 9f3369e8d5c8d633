"""`panel`: draw a panel that looks like the municipality and write its contact file (issue 17).

Owns the arguments and the JSON output of the command. Never prints contact data: the list goes
only to --out (0600), and the output gives ids-free figures: quotas, probabilities, seed, sha256.
"""

from __future__ import annotations

from pathlib import Path

from data_pipeline.cli.privacy import require_file, write_private
from data_pipeline.cli.registry import EXIT_OK, command, db_arg, json_arg
from data_pipeline.privacy.roles import cli_principal
from data_pipeline.store.db import connect


def _setup_panel(p):
    db_arg(p)
    p.add_argument("--topic", required=True, help="the dialogue's topic: a code or a label")
    p.add_argument("--size", required=True, type=int, help="how many to invite")
    p.add_argument("--area", action="append", default=[], help="area code or name; repeatable")
    p.add_argument("--format", action="append", default=[], help="preferred format; repeatable")
    p.add_argument("--wave", help="survey wave (default: the latest)")
    p.add_argument("--seed", type=int, help="the lottery's seed (default: a random one, printed)")
    p.add_argument("--reserve", type=int, help="reserve list length (default: size/4 rounded up)")
    p.add_argument(
        "--relax",
        action="append",
        default=[],
        choices=["age_band", "gender", "area"],
        help="loosen this quota when the pool cannot fill it; repeatable",
    )
    p.add_argument("--reason", required=True, help="why these citizens are invited (logged)")
    p.add_argument("--actor", required=True, help="who draws (logged)")
    p.add_argument("--out", required=True, type=Path, help="contact file, .csv or .xlsx")
    p.add_argument("--lang", choices=["da", "en"], default="da")
    json_arg(p)


@command("panel", "draw a stratified panel of consenting citizens and export it (audited)")(
    _setup_panel
)
def run_panel(args) -> tuple[object, int]:
    from data_pipeline.cli.filters import resolve_filters
    from data_pipeline.outreach.contacts import file_format_for
    from data_pipeline.outreach.panel import plan_panel, refusal
    from data_pipeline.outreach.panel_draw import draw_panel
    from data_pipeline.outreach.panel_model import PanelRequest, QuotasNotMet
    from data_pipeline.outreach.panel_record import export_panel

    file_format = file_format_for(args.out.name)
    require_file(args.db)
    principal = cli_principal(args.actor)
    con = connect(args.db)
    try:
        filters = resolve_filters(
            con, wave=args.wave, topic=[args.topic], area=args.area, format=args.format
        )
        if len(filters.topics) != 1:
            raise QuotasNotMet("Angiv ét emne med --topic. / Give one topic with --topic.")
        request = PanelRequest(
            topic=filters.topics[0],
            size=args.size,
            wave=filters.wave,
            areas=filters.areas,
            formats=filters.formats,
            relax=tuple(dict.fromkeys(args.relax)),
            reserve=args.reserve,
        )
        plan = plan_panel(con, principal, request, args.lang)
        stop = refusal(plan, args.lang)
        if stop:
            raise QuotasNotMet(stop, plan.shortfalls)
        drawn = draw_panel(con, principal, plan, args.seed, args.lang)
        export = export_panel(con, principal, drawn, args.reason, file_format, args.lang)
    finally:
        con.close()
    write_private(args.out, export.data)
    quotas = drawn.comparison(args.lang)
    payload = {
        "out": str(args.out),
        "draw_id": export.draw_id,
        "rows": export.rows,
        "invited": len(drawn.invited),
        "reserve": len(drawn.reserve),
        "pool": len(plan.pool),
        "seed": drawn.seed,
        "algorithm": "maximin",
        "selection_probability": drawn.probability_summary(),
        "quotas": quotas.to_dict(orient="records"),
        "notes": [*plan.notes, *([drawn.reserve_note] if drawn.reserve_note else [])],
        "format": file_format,
        "sha256": export.sha256,
    }
    return payload, EXIT_OK


def _setup_attendance(p):
    db_arg(p)
    p.add_argument("--draw", required=True, type=int, help="the draw (draw_id from `panel`)")
    p.add_argument(
        "--file",
        required=True,
        type=Path,
        help="who took part: one email, respondent id or pseudonym per line (or a CSV)",
    )
    p.add_argument("--actor", required=True, help="who records it (logged)")
    json_arg(p)


@command(
    "panel-attendance",
    "record who of a drawn panel took part in the dialogue (a flag per invitation; audited)",
)(_setup_attendance)
def run_attendance(args) -> tuple[object, int]:
    from data_pipeline.outreach.panel_attendance import (
        AttendanceError,
        read_attendance,
        record_attendance,
    )

    require_file(args.db)
    if not args.file.is_file():
        raise AttendanceError(
            f"Deltagerlisten {args.file} findes ikke. / The attendance list {args.file} does "
            "not exist."
        )
    entries = read_attendance(args.file)
    principal = cli_principal(args.actor)
    con = connect(args.db)
    try:
        result = record_attendance(con, principal, args.draw, entries)
    finally:
        con.close()
    return result.to_json(), EXIT_OK
