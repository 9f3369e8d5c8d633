"""Danish words for codes the database keeps: audit actions in sentences, survey fields, import
kinds. Pages call these so no raw code (`ingest`, `submitted_at`) or JSON reaches a reader."""

from __future__ import annotations

import json

import pandas as pd

from data_pipeline.core.i18n import TEXT, counted, t, vega_locale


def field_label(code: str, lang: str) -> str:
    """A survey field code as the analyst reads it: "submitted_at" -> "Indsendt"."""
    if code is None:
        return ""
    if str(code).startswith("extra."):
        name = str(code).removeprefix("extra.").replace("_", " ")
        return t("field.extra", lang, name=name)
    key = f"field.{code}"
    return t(key, lang) if key in TEXT else str(code)


LOCAL_ZONE = "Europe/Copenhagen"


def local_time(value) -> pd.Timestamp | None:
    """A stored timestamp (UTC without zone, as db.audit and load write it) in Danish time."""
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert(LOCAL_ZONE)


def short_time(value) -> str:
    """05-12-2026 10:22 in Danish time; empty for no time."""
    stamp = local_time(value)
    return "" if stamp is None else stamp.strftime("%d-%m-%Y %H:%M")


def format_label(code, lang: str) -> str:
    """A detected file format as people know it: "googleforms" -> "Google Forms"."""
    key = f"format.{code}"
    return t(key, lang) if key in TEXT else ("" if code is None else str(code))


def when_text(value, lang: str) -> str:
    """A timestamp in words, in Danish time: "5. december 2026 kl. 10:13"."""
    stamp = local_time(value)
    if stamp is None:
        return ""
    if lang == "en":
        return f"{stamp.day} {stamp.strftime('%B %Y %H:%M')}"
    month = vega_locale("da")["time"]["months"][stamp.month - 1]
    return f"{stamp.day}. {month} {stamp.year} kl. {stamp:%H:%M}"


def _detail(value) -> dict:
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(value) if value else {}
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def audit_sentence(action: str, detail, lang: str) -> str:
    """One audit entry as a sentence, from its ids and counts (never contact data)."""
    d = _detail(detail)
    try:
        if action == "ingest":
            kind = d.get("kind", "")
            kind_key = f"audit.kind.{kind}"
            return t(
                "audit.ingest",
                lang,
                rows=counted(d.get("rows", 0), "row", lang),
                kind=t(kind_key, lang) if kind_key in TEXT else kind,
                batch=d.get("batch_id", "?"),
            )
        if action == "undo":
            return t("audit.undo", lang, batch=d.get("batch_id", "?"))
        if action == "erase":
            return t(
                "audit.erase",
                lang,
                respondents=counted(d.get("respondents", 0), "response", lang),
                rows=counted(d.get("rows", 0), "row", lang),
            )
        if action == "purge_contacts":
            return t(
                "audit.purge_contacts",
                lang,
                rows=counted(d.get("rows", 0), "contact", lang),
                months=d.get("older_than_months", "?"),
            )
        if action == "export_contacts":
            return t(
                "audit.export_contacts",
                lang,
                rows=counted(d.get("rows", 0), "citizen", lang),
                format=str(d.get("format", "")).upper(),
                reason=d.get("reason", ""),
                segment=d.get("segment", ""),
            )
    except (TypeError, ValueError):
        pass
    # An action this version does not know: its details as "key: value", never raw JSON.
    return "; ".join(f"{key}: {value}" for key, value in d.items())


def audit_table(log: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The audit log (at, actor, action, detail) in words, in the interface language."""

    def action_label(code: str) -> str:
        key = f"audit.action.{code}"
        return t(key, lang) if key in TEXT else str(code)

    def actor_label(actor) -> str:
        key = f"audit.actor.{actor}"
        return t(key, lang) if key in TEXT else ("" if actor is None else str(actor))

    return pd.DataFrame(
        {
            t("col.at", lang): [when_text(v, lang) for v in log["at"]],
            t("col.actor", lang): [actor_label(v) for v in log["actor"]],
            t("col.action", lang): [action_label(v) for v in log["action"]],
            t("col.detail", lang): [
                audit_sentence(a, d, lang)
                for a, d in zip(log["action"], log["detail"], strict=True)
            ],
        }
    )


def problems_table(problems: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Rejected rows with Danish headers (Række / Kolonne / Værdi / Årsag) and no "None"."""
    shown = problems.copy()
    for column in shown.columns:
        if shown[column].dtype == object:
            shown[column] = shown[column].where(shown[column].notna(), "")
    names = {c: t(f"problem.{c}", lang) for c in ("row", "column", "value", "reason")}
    # The column is the file's own header, so it is shown as written.
    return shown.rename(columns={c: n for c, n in names.items() if c in shown.columns})
