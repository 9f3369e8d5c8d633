"""`python -m data_pipeline ...`: the command-line contract for imports, analysis and operations.

Exit codes are stable: 0 ok (or duplicate), 2 invalid input (a file refused whole), 1 internal
error. `--json` output keys are a contract too; add keys, never rename them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from data_pipeline.cli.registry import (
    COMMANDS,
    EXIT_INTERNAL,
    EXIT_INVALID,
    EXIT_OK,
    command,
    db_arg,
    json_arg,
)
from data_pipeline.core.errors import PipelineError
from data_pipeline.store.db import connect
from data_pipeline.store.locking import waited_seconds


def _setup_init(p):
    db_arg(p)
    p.add_argument("--sample", action="store_true", help="load the sample municipality")
    json_arg(p)


@command("init", "create the schema (and load the sample municipality)")(_setup_init)
def run_init(args) -> tuple[object, int]:
    con = connect(args.db)
    results = []
    if args.sample:
        from data_pipeline.store.sample import load_sample

        results = [r.to_json() for r in load_sample(con)]
        _store_segments(con, args.db)
    con.close()
    return {"db": args.db, "loaded": results}, EXIT_OK


def _setup_ingest(p):
    p.add_argument("files", nargs="+", type=Path)
    db_arg(p)
    p.add_argument("--kind", required=True, choices=["survey", "population", "areas", "platform"])
    p.add_argument("--wave")
    p.add_argument("--mapping", type=Path)
    p.add_argument("--code-field")
    p.add_argument("--name-field")
    p.add_argument("--lang", choices=["da", "en"], default="da")
    p.add_argument("--actor", default="cli")
    p.add_argument(
        "--check",
        action="store_true",
        help="dry run: print what a load would do (rows, rejections, new values) and change nothing",
    )
    p.add_argument(
        "--write-mapping",
        type=Path,
        metavar="FILE",
        help="when a file is refused for one column's values, write a mapping template to FILE",
    )
    json_arg(p)


@command("ingest", "load files as batches (one transaction each)")(_setup_ingest)
def run_ingest(args) -> tuple[object, int]:
    from data_pipeline.ingest.mapping import UserMapping
    from data_pipeline.store.load import IngestResult, ingest

    waited_before = waited_seconds()
    con = connect(args.db)
    mapping = UserMapping.from_file(args.mapping)
    results, code = [], EXIT_OK
    for path in _bundled(args.files):
        try:
            result = ingest(
                con,
                path,
                args.kind,
                wave=args.wave,
                mapping=mapping,
                actor=args.actor,
                lang=args.lang,
                code_field=args.code_field,
                name_field=args.name_field,
                check=args.check,
            )
        except PipelineError as exc:
            result = IngestResult(
                file=path.name, batch_id=None, status="rejected", message=str(exc)
            )
            code = max(code, exc.exit_code)
            template = getattr(exc, "mapping_template", None)
            if template and args.write_mapping:
                _write_mapping_template(args.write_mapping, template)
                result.message += (
                    f" (mappingskabelon skrevet til / template written to {args.write_mapping})"
                )
        except OSError as exc:
            result = IngestResult(
                file=path.name,
                batch_id=None,
                status="rejected",
                message=f"Filen kan ikke læses / Cannot read the file: {exc.strerror}",
            )
            code = max(code, EXIT_INVALID)
        results.append(result.to_json())
    if any(item.get("batch_id") is not None for item in results):
        _store_segments(con, args.db)
    con.close()
    waited = round(waited_seconds() - waited_before, 2)  # for another writer, in seconds
    return [{**item, "waited_s": waited} for item in results], code


def _write_mapping_template(path: Path, template: dict) -> None:
    """Merge into an existing mapping file, so several refusals build one file."""
    existing: dict = {}
    if path.exists():
        try:
            existing = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            existing = {}
    merged = {
        "columns": {**template.get("columns", {}), **existing.get("columns", {})},
        "values": dict(existing.get("values", {})),
    }
    for field_name, values in template.get("values", {}).items():
        merged["values"][field_name] = {**values, **merged["values"].get(field_name, {})}
    path.write_text(json.dumps(merged, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _bundled(paths: list[Path]) -> list[Path]:
    """SurveyXact's labels/structure files travel with their dataset file."""
    from data_pipeline.ingest.readers import bundle_inputs

    existing = [p for p in paths if p.is_file()]
    try:
        kept = set(bundle_inputs(existing))
    except (OSError, PipelineError):
        return list(paths)
    return [p for p in paths if p in kept or p not in existing]


def _setup_db_json(p):
    db_arg(p)
    json_arg(p)


@command("batches", "list loaded batches")(_setup_db_json)
def run_batches(args) -> tuple[object, int]:
    from data_pipeline.store.load import list_batches

    con = connect(args.db, read_only=Path(args.db).exists())
    rows = list_batches(con)
    con.close()
    return rows, EXIT_OK


def _setup_undo(p):
    p.add_argument("batch_id", type=int)
    db_arg(p)
    p.add_argument("--actor", default="cli")
    json_arg(p)


@command("undo", "remove everything one batch loaded")(_setup_undo)
def run_undo(args) -> tuple[object, int]:
    from data_pipeline.store.load import undo

    con = connect(args.db)
    result = undo(con, args.batch_id, actor=args.actor)
    _store_segments(con, args.db)
    con.close()
    return result, EXIT_OK


def _store_segments(con, db) -> None:
    """Cluster the data just written once, here, so no dashboard view waits for it (issue 16);
    only aggregates are stored. A failure never fails the import: the dashboard fits instead."""
    from data_pipeline.analysis import segment_store

    try:
        segment_store.store_all(con, db)
    except Exception as exc:  # noqa: BLE001 - reported; the page fits on its first view
        print(
            "Segmenterne blev ikke gemt; Grupper beregner dem ved første visning. / The segments "
            f"were not stored ({type(exc).__name__}); Grupper computes them on its first view.",
            file=sys.stderr,
        )


@command("summary", "counts per wave, population, areas and batches")(_setup_db_json)
def run_summary(args) -> tuple[object, int]:
    from data_pipeline.analysis.catalog import database_summary

    con = connect(args.db, read_only=Path(args.db).exists())
    result = database_summary(con)
    con.close()
    return result, EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    _register_optional_commands()
    parser = argparse.ArgumentParser(prog="python -m data_pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (setup, _handler, help_text) in COMMANDS.items():
        setup(sub.add_parser(name, help=help_text))
    return parser


def _register_optional_commands() -> None:
    """Analysis and operations commands live beside the code they drive; each registers
    itself in cli.registry when imported (none imports this module back)."""
    import data_pipeline.cli.analysis  # noqa: F401
    import data_pipeline.cli.goals  # noqa: F401
    import data_pipeline.cli.panel  # noqa: F401
    import data_pipeline.cli.privacy  # noqa: F401
    import data_pipeline.cli.reports  # noqa: F401
    import data_pipeline.cli.sources  # noqa: F401

    try:  # the benchmark is a developer tool outside the package (tools/bench.py)
        import tools.bench  # noqa: F401
    except ModuleNotFoundError as exc:
        if exc.name not in {"tools", "tools.bench"}:
            raise


def _print(payload: object, as_json: bool) -> None:
    if as_json:
        if (
            isinstance(payload, list)
            and payload
            and isinstance(payload[0], dict)
            and "batch_id" in payload[0]
            and "status" in payload[0]
        ):
            # ingest prints one JSON object per file, one per line
            for item in payload:
                print(json.dumps(item, ensure_ascii=False, default=str))
            return
        print(json.dumps(payload, ensure_ascii=False, default=str, indent=2))
        return
    print(_human(payload))


def _human(payload: object) -> str:
    if isinstance(payload, list):
        return "\n".join(_human(item) for item in payload)
    if isinstance(payload, dict):
        if "status" in payload and "rows_read" in payload:
            lines = [
                f"{payload['file']}: {payload['status']} (batch {payload['batch_id']}), "
                f"læst {payload['rows_read']}, indlæst {payload['rows_loaded']}, "
                f"afvist {payload['rows_rejected']}"
            ]
            if payload.get("message"):
                lines.append(f"  {payload['message']}")
            for r in payload.get("rejections", [])[:20]:
                lines.append(
                    f"  række {r['row']}, kolonne {r['column']!r}, værdi {r['value']!r}: {r['reason']}"
                )
            for note in payload.get("warnings") or []:
                lines.append(f"  advarsel / warning: {note}")
            for field_name, info in (payload.get("new_values") or {}).items():
                labels = ", ".join(
                    f"{item['label']!r} ({item['rows']})" for item in info.get("new", [])
                )
                if labels:
                    lines.append(f"  nye svarmuligheder / new options [{field_name}]: {labels}")
                if info.get("new") and info.get("order_inferred") is False:
                    lines.append(
                        "    rækkefølgen kunne ikke læses af ordene; den følger filen / "
                        "order not readable from the words; kept as in the file"
                    )
            if payload.get("ignored_columns"):
                lines.append(f"  ignorerede kolonner: {', '.join(payload['ignored_columns'])}")
            return "\n".join(lines)
        return json.dumps(payload, ensure_ascii=False, default=str, indent=2)
    return str(payload)


def _say_if_waited(before: float) -> None:
    """A command that waited for another writer says so on stderr (stdout stays JSON)."""
    waited = waited_seconds() - before
    if waited >= 0.1:
        print(
            f"Ventede {waited:.1f} s på en anden skrivning til databasen. / "
            f"Waited {waited:.1f} s for another write to the database.",
            file=sys.stderr,
        )


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup, handler, _help = COMMANDS[args.command]
    waited_before = waited_seconds()
    try:
        payload, code = handler(args)
    except PipelineError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # the contract: 1 on an internal error
        # The message of an unexpected error may quote a cell value (possibly contact data),
        # so it is shown only when debugging is switched on explicitly.
        detail = f": {exc}" if os.environ.get("DELTAGELSESATLAS_DEBUG") else ""
        print(f"Intern fejl / Internal error: {type(exc).__name__}{detail}", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        _say_if_waited(waited_before)
    _print(payload, getattr(args, "json", False))
    return code
