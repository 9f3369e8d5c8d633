"""The Upload page's wizard steps: keep the uploaded copies, show what was detected, plan the
columns, run the dry run, map unknown values, load, and the batch history with undo.

Each step draws one part of the page and returns what the next step needs; the SQL lives in
data_pipeline (store.preview, store.load). Nothing is stored before the load button's callback.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

import data_pipeline.privacy.roles as auth
from app_support import data, ui, words
from data_pipeline.core import safe_export, scratch
from data_pipeline.core.errors import PipelineError, in_language
from data_pipeline.core.i18n import number, t, tn
from data_pipeline.ingest import uploads
from data_pipeline.ingest.matching import remember
from data_pipeline.store.load import ingest, list_batches, undo
from data_pipeline.store.preview import FIELD_CHOICES, check_file, value_choices

MAX_MB = uploads.MAX_UPLOAD_BYTES // (1024 * 1024)
VALUE_FIELDS = ("area", "gender", "topics")  # one table per field, always in this order


def stored_uploads(files, lang: str) -> list[tuple[str, Path]]:
    """Each set of uploads gets its own private folder; the size and type are checked by
    content on the server (data_pipeline.ingest.uploads) before any reader opens a file."""
    digest = hashlib.sha256("|".join(f"{f.name}:{f.size}:{f.file_id}" for f in files).encode())
    root = Path(st.session_state.get("u_root") or "")
    if not st.session_state.get("u_root") or not root.is_dir():
        # Copies live in the private scratch directory (0700); a loaded or refused file is
        # deleted at once, an abandoned one by the sweep (data_pipeline.core.scratch).
        scratch.sweep()
        root = scratch.scratch_dir("upload_")
        st.session_state["u_root"] = str(root)
    folder = root / digest.hexdigest()[:16]
    stored = st.session_state.setdefault("u_stored", {})
    done = st.session_state.setdefault("u_done", set())
    if folder.name in stored and not all(
        Path(path).exists() for _, path in stored[folder.name][0] if path not in done
    ):
        del stored[folder.name]  # deleted after a refused load: copy again for the retry
    if folder.name not in stored:
        folder.mkdir(parents=True, exist_ok=True)
        kept, refused = [], []
        for upload in files:
            try:
                checked = uploads.store_upload(upload.getvalue(), upload.name, folder)
                kept.append((upload.name, str(checked.path)))
            except PipelineError as exc:
                refused.append((upload.name, in_language(str(exc), lang)))
        stored[folder.name] = (kept, refused)
    kept, refused = stored[folder.name]
    for name, error in refused:
        st.error(t("upload.refused", lang, name=ui.plain(name), error=ui.plain(error)))
    return [(name, Path(path)) for name, path in kept if path not in done]


def say(kind: str, text: str) -> None:
    """Messages from button callbacks, shown on the run that follows the click."""
    st.session_state["u_message"] = (kind, text)


def show_message() -> None:
    message = st.session_state.pop("u_message", None)
    if message:
        getattr(st, message[0])(message[1])


# Buttons act in on_click callbacks: they run before the page does, exactly once per click.
def do_undo(principal, lang: str) -> None:
    chosen = st.session_state.get("u_undo_id")
    if chosen is None or not st.session_state.get("u_undo_confirm"):
        say("warning", t("upload.undo_confirm_first", lang))
        return
    st.session_state["u_undo_confirm"] = False  # the next undo asks again
    cur = data.writer()
    try:
        auth.require_role(principal, "undo")
        undo(cur, int(chosen), actor=principal.actor)
        st.cache_data.clear()
        say("success", t("upload.undone", lang, batch=chosen))
    except PipelineError as exc:
        say("error", ui.error_text(exc, lang))
    finally:
        cur.close()


def do_load(principal, lang: str, unit: Path, kind: str, wave, mapping, fields, file_name) -> None:
    code_field, name_field = fields
    cur = data.writer()
    try:
        auth.require_role(principal, "upload")
        result = ingest(
            cur,
            unit,
            kind,
            wave=wave or None,
            mapping=mapping,
            actor=principal.actor,
            lang=lang,
            code_field=code_field,
            name_field=name_field,
            file_name=file_name,
        )
    except PipelineError as exc:
        say("error", ui.error_text(exc, lang))
        return
    finally:
        cur.close()
        scratch.remove(unit)  # loaded or refused: no copy stays behind
    st.session_state.setdefault("u_done", set()).add(str(unit))  # loaded: never copied again
    if result.status == "duplicate":
        say("info", t("upload.duplicate", lang, batch=result.batch_id))
        return
    st.cache_data.clear()  # every page shows the new batch
    loaded, rejected = number(result.rows_loaded, lang), number(result.rows_rejected, lang)
    say(
        "success", t("upload.loaded", lang, batch=result.batch_id, loaded=loaded, rejected=rejected)
    )


def do_remember(lang: str, chosen: list) -> None:
    picked = pd.concat(chosen).dropna(subset=["choice"])
    values: dict = {}
    for field_name, value, choice in zip(
        picked["field"], picked["value"], picked["choice"], strict=True
    ):
        values.setdefault(field_name, {})[value] = choice.split(" · ")[0]
    try:
        remember(data.db_path(), values=values)
        say("success", t("upload.remembered", lang))
    except PipelineError as exc:
        say("error", ui.error_text(exc, lang))


def batch_table(batches: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The batch history in the user's language, newest first."""
    shown = batches.iloc[::-1]
    when = words.short_time  # stored in UTC, shown in Danish time

    def count(v):
        return number(v, lang)  # 9.005 like every other count (not 9005 or 9,005)

    return pd.DataFrame(
        {
            t("upload.col.batch", lang): shown["batch_id"],
            t("upload.col.kind", lang): shown["kind"].map(lambda k: t(f"upload.kind.{k}", lang)),
            t("upload.col.file", lang): shown["file_name"],
            t("upload.col.wave", lang): shown["wave_id"].fillna(""),
            t("upload.col.read", lang): shown["rows_read"].map(count),
            t("upload.col.loaded", lang): shown["rows_loaded"].map(count),
            t("upload.col.rejected", lang): shown["rows_rejected"].map(count),
            t("upload.col.loaded_at", lang): shown["loaded_at"].map(when),
            t("upload.col.by", lang): shown["loaded_by"].map(
                lambda who: t(f"audit.actor.{who}", lang) if who == "sample" else who
            ),
            t("upload.col.undone_at", lang): shown["undone_at"].map(when),
        }
    )


def history(principal, lang: str) -> None:
    st.subheader(t("upload.history", lang))
    batches = pd.DataFrame(data.with_cursor(list_batches))
    if batches.empty:
        st.info(t("upload.no_batches", lang))
        return
    counts = ("upload.col.read", "upload.col.loaded", "upload.col.rejected")
    st.dataframe(
        ui.blank_missing(batch_table(batches, lang)),
        hide_index=True,
        key="u_batches",
        column_config={t(c, lang): st.column_config.TextColumn(alignment="right") for c in counts},
    )
    live = [int(b) for b in batches.loc[batches["undone_at"].isna(), "batch_id"]]
    if not live:
        return
    # No batch is chosen for you, and an undo asks for a tick first: it deletes the batch's rows.
    chosen = st.selectbox(
        t("upload.undo", lang),
        live[::-1],
        index=None,
        placeholder=t("upload.undo_choose", lang),
        key="u_undo_id",
    )
    confirmed = st.checkbox(
        t("upload.undo_confirm", lang, batch=chosen if chosen is not None else "…"),
        key="u_undo_confirm",
        disabled=chosen is None,
    )
    st.button(
        t("upload.undo_button", lang),
        key="u_undo",
        on_click=do_undo,
        args=(principal, lang),
        disabled=chosen is None or not confirmed,
    )


def show_detected(preview, lang: str) -> None:
    """Format, encoding, delimiter, sheet and rows, then the first rows of the file."""
    st.subheader(t("upload.detected", lang))
    meta = preview.detected
    delimiter = meta.get("delimiter")
    shown = {
        t("upload.format", lang): words.format_label(meta.get("format"), lang),
        t("upload.encoding", lang): meta.get("encoding"),
        t("upload.delimiter", lang): {"\t": "TAB"}.get(delimiter, delimiter),
        t("upload.sheet", lang): meta.get("sheet"),
        t("upload.rows", lang): number(meta.get("rows"), lang),
    }
    st.dataframe(ui.blank_missing(pd.DataFrame([shown])), hide_index=True, key="u_detected")
    st.caption(t("upload.preview", lang))
    st.dataframe(ui.blank_missing(preview.head), hide_index=True, key="u_head")


def plan_columns(preview, kind: str, unit: Path, lang: str):
    """The column plan (survey) or the code and name properties (areas):
    (columns or None, (code_field, name_field))."""
    columns = code_field = name_field = None
    if kind == "survey" and len(preview.columns):
        st.subheader(t("upload.columns", lang))
        st.caption(t("upload.columns_lead", lang))
        columns = st.data_editor(
            preview.columns.rename(columns={"suggestion": "field"}),
            hide_index=True,
            disabled=["header", "example"],
            column_config={
                "header": st.column_config.TextColumn(t("upload.header", lang)),
                "example": st.column_config.TextColumn(t("upload.example", lang)),
                "field": st.column_config.SelectboxColumn(
                    t("upload.field", lang),
                    options=FIELD_CHOICES,
                    required=True,
                    format_func=lambda code: words.field_label(code, lang),
                ),
            },
            key=f"u_columns_{unit.name}",
        )
    if kind == "areas" and preview.candidates:
        meta = preview.detected
        left, right = st.columns(2)
        codes = preview.candidates.get("code") or [meta.get("code_field")]
        code_field = left.selectbox(t("upload.code_field", lang), codes, key="u_code_field")
        names = preview.candidates.get("name") or [meta.get("name_field")]
        name_field = right.selectbox(t("upload.name_field", lang), names, key="u_name_field")
    return columns, (code_field, name_field)


def dry_run(unit: Path, kind: str, wave: str, mapping, fields, file_name: str, lang: str):
    """The validation report against the database file as it is now (not the snapshot), or
    None after saying why there is none."""
    cur = data.writer()
    try:
        return check_file(cur, unit, kind, wave or None, mapping, lang, *fields, file_name)
    except PipelineError as exc:
        if kind == "survey" and not wave and "--wave" in str(exc):
            st.warning(t("upload.wave_needed", lang))  # not the command line's "--wave"
        else:
            st.error(ui.error_text(exc, lang))
        return None
    finally:
        cur.close()


def show_report(report, file_name: str, lang: str) -> None:
    """Rows read, would load and rejected; the problems with a download; new answer labels."""
    st.subheader(t("upload.report", lang))
    cols = st.columns(3)
    cols[0].metric(t("upload.read", lang), number(report.rows_read, lang))
    cols[1].metric(t("upload.would_load", lang), number(report.rows_ok, lang))
    cols[2].metric(t("upload.rejected", lang), number(report.rows_rejected, lang))
    if len(report.problems):
        st.caption(tn("upload.problems", len(report.problems), lang))
        problems = words.problems_table(report.problems, lang)
        st.dataframe(ui.blank_missing(problems), hide_index=True, key="u_problems")
        st.download_button(
            t("upload.download_problems", lang),
            safe_export.csv_bytes(problems, lang=lang),  # a citizen's "=HYPERLINK(…)" stays text
            file_name=f"problemer_{Path(file_name).stem}.csv",
            mime="text/csv",
            key="u_problems_csv",
        )
    new_values = report.new_values_table()
    if len(new_values):
        st.subheader(t("upload.new_values", lang))
        st.caption(t("upload.new_values_lead", lang))
        shown = new_values[["header", "label", "rows", "merge_into"]].fillna("")
        shown.columns = [
            t("upload.col_field", lang),
            t("upload.col_label", lang),
            t("upload.col_rows", lang),
            t("upload.col_merge", lang),
        ]
        st.dataframe(shown, hide_index=True, key="u_new_values")


def map_unknown_values(report, lang: str) -> None:
    """One table per field of values the vocabulary does not know, largest first, each with a
    choice of meaning; "remember" keeps the choices for the next files."""
    st.subheader(t("upload.values", lang))
    if report.unknown.empty:
        st.caption(t("upload.no_unknown", lang))
        return
    st.caption(t("upload.values_lead", lang))
    options = data.with_cursor(value_choices, lang)
    st.caption(t("upload.values_all_at_once", lang))
    chosen = []
    fields = set(report.unknown["field"])
    for field_name in [f for f in VALUE_FIELDS if f in fields]:
        group = report.unknown[report.unknown["field"] == field_name].sort_values(
            ["rows", "value"], ascending=[False, True], na_position="last"
        )
        st.markdown(f"**{words.field_label(field_name, lang)}**")
        shown = group[["value", "rows"]].copy()
        shown["choice"] = [
            next((o for o in options[field_name] if o.split(" · ")[0] == s), None)
            for s in group["suggestion"]
        ]
        edited = st.data_editor(
            shown,
            hide_index=True,
            disabled=["value", "rows"],
            column_config={
                "value": st.column_config.TextColumn(t("upload.value", lang)),
                "rows": st.column_config.NumberColumn(t("upload.col_rows", lang)),
                "choice": st.column_config.SelectboxColumn(
                    t("upload.meaning", lang), options=options[field_name]
                ),
            },
            key=f"u_values_{field_name}",
        )
        edited["field"] = field_name
        chosen.append(edited)
    st.button(
        t("upload.remember", lang), key="u_remember", on_click=do_remember, args=(lang, chosen)
    )


def load_button(report, principal, lang: str, load_args: tuple) -> None:
    """Never a load that would keep no row."""
    if report.rows_ok <= 0:
        st.warning(t("upload.nothing_to_load", lang))
    st.button(
        t("upload.load", lang),
        type="primary",
        key="u_load",
        disabled=report.rows_ok <= 0,
        on_click=do_load,
        args=(principal, lang, *load_args),
    )
