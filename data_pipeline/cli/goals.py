"""`goals set|list|history|retire`: the director's goals for the term (issue 17).

Owns the arguments and the JSON output; the goals themselves live in data_pipeline.analysis.goals.
"""

from __future__ import annotations

from data_pipeline.cli.privacy import require_file
from data_pipeline.cli.registry import EXIT_OK, command, db_arg, json_arg
from data_pipeline.privacy.roles import cli_principal
from data_pipeline.store.db import connect


def _setup_goals(p):
    p.add_argument("action", choices=["set", "list", "history", "retire"])
    db_arg(p)
    p.add_argument("--dimension", choices=["age_band", "gender", "area"])
    p.add_argument("--group", help="age band (18-24), gender (kvinde/mand) or area (code or name)")
    p.add_argument("--target", type=float, help="the ratio to reach at least (1 = as everyone)")
    p.add_argument("--year", type=int, help="by which year")
    p.add_argument("--note")
    p.add_argument(
        "--channel",
        choices=["survey", "platforms"],
        help="survey waves (default for a new goal) or the participation platforms' participants",
    )
    p.add_argument("--goal-id", type=int, help="change (set) or retire this goal")
    p.add_argument("--actor", default="cli", help="who sets the goal (logged)")
    p.add_argument("--lang", choices=["da", "en"], default="da")
    json_arg(p)


@command("goals", "set, list, change or retire the goals for the term")(_setup_goals)
def run_goals(args) -> tuple[object, int]:
    import data_pipeline.analysis.goal_words as goal_words
    from data_pipeline.analysis import goals
    from data_pipeline.cli.filters import resolve_values

    require_file(args.db)
    con = connect(args.db, read_only=args.action in ("list", "history"))
    try:
        if args.action == "set":
            missing = [
                flag
                for flag, value in (
                    ("--dimension", args.dimension),
                    ("--group", args.group),
                    ("--target", args.target),
                    ("--year", args.year),
                )
                if value is None
            ]
            if missing:
                raise goals.InvalidGoal(
                    f"Mangler {', '.join(missing)}. / Missing {', '.join(missing)}."
                )
            group = resolve_values(con, args.dimension, [args.group], "--group")
            goal = goals.set_goal(
                con,
                cli_principal(args.actor),
                args.dimension,
                group[0],
                args.target,
                args.year,
                args.note,
                args.goal_id,
                args.channel,
            )
            return {
                **goals.goal_detail(goal),
                "sentence": goal_words.goal_sentence(con, goal, args.lang),
            }, EXIT_OK
        if args.action == "retire":
            if args.goal_id is None:
                raise goals.InvalidGoal("Angiv --goal-id. / Give --goal-id.")
            goal = goals.retire_goal(con, cli_principal(args.actor), args.goal_id)
            return goals.goal_detail(goal), EXIT_OK
        if args.action == "history":
            return [
                {
                    **goals.goal_detail(g),
                    "set_at": g.set_at.isoformat(timespec="seconds"),
                    "set_by": g.set_by,
                }
                for g in goals.goal_history(con, args.goal_id)
            ], EXIT_OK
        return goal_words.goals_json(con, args.lang), EXIT_OK
    finally:
        con.close()
