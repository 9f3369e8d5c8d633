"""Who took part in a dialogue a panel was drawn for (issue 17, "a loop that closes"): a flag on
each invitation, and the suppressed aggregates the citizens' summary shows per dialogue.

Owns the matching of an attendance list (emails, respondent ids or pseudonyms) against one
draw's invitees and the per-dialogue tables. Stores only a flag per invitation record; an email
is compared and forgotten, never written to the audit log, an error or the output.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from data_pipeline.core import dialect
from data_pipeline.core.disclosure import (
    DEFAULT_K,
    is_publishable,
    pseudonym,
    pseudonym_key,
    suppress_table,
)
from data_pipeline.core.errors import PipelineError
from data_pipeline.core.i18n import t
from data_pipeline.privacy.roles import Principal, require_role
from data_pipeline.store.db import audit, transaction

FEATURES = ("age_band", "gender", "area")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_PSEUDONYM = re.compile(r"^[0-9a-f]{24}$")
_ID = re.compile(r"^\d+$")


class AttendanceError(PipelineError):
    """An unknown draw or a list without a single usable entry: exit code 2."""

    exit_code = 2


@dataclass
class AttendanceResult:
    """Counts only: how many entries matched an invitee, never whom."""

    draw_id: int
    invitations: int
    entries: int
    took_part: int
    unmatched: int

    def to_json(self) -> dict:
        return {
            "draw_id": self.draw_id,
            "invitations": self.invitations,
            "entries": self.entries,
            "took_part": self.took_part,
            "unmatched": self.unmatched,
        }


def read_attendance(data: bytes | str | Path) -> list[str]:
    """The entries of an attendance list: per line, the first cell that is an email, a
    respondent id or a pseudonym (a CSV with a header or names beside the email works too)."""
    if isinstance(data, Path):
        data = data.read_bytes()
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    entries = []
    for line in text.splitlines():
        for cell in re.split(r"[,;\t]", line):
            value = cell.strip().strip('"').strip().lower()
            if _EMAIL.match(value) or _ID.match(value) or _PSEUDONYM.match(value):
                entries.append(value)
                break
    return entries


def _database_file(con) -> str | None:
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return row[0] if row and row[0] else None


def record_attendance(
    con: duckdb.DuckDBPyConnection,
    principal: Principal,
    draw_id: int,
    entries: list[str],
) -> AttendanceResult:
    """Mark who of the draw's invited and reserve took part; everyone else of the draw did not.
    A new list for the same draw replaces the earlier one (give the whole list each time)."""
    require_role(principal, "draw_panel")
    known = con.execute(
        "SELECT count(*) FROM panel_draw WHERE draw_id = $d", {"d": int(draw_id)}
    ).fetchone()[0]
    if not known:
        raise AttendanceError(
            f"Der er ingen udtrækning nr. {int(draw_id)}. / There is no draw number {int(draw_id)}."
        )
    if not entries:
        raise AttendanceError(
            "Listen har ingen emails, respondent-id'er eller pseudonymer. / "
            "The list holds no emails, respondent ids or pseudonyms."
        )
    invitees = con.execute(
        "SELECT i.respondent_id, lower(trim(any_value(c.email))) FROM panel_invitation i "
        "LEFT JOIN contact c USING (respondent_id) WHERE i.draw_id = $d GROUP BY 1",
        {"d": int(draw_id)},
    ).fetchall()
    key = pseudonym_key(_database_file(con))
    lookup: dict[str, int] = {}
    for rid, email in invitees:
        lookup[str(rid)] = int(rid)
        if email:
            lookup[email] = int(rid)
            lookup[pseudonym(key, email)] = int(rid)
    wanted = set(dict.fromkeys(entries))
    took_part = {lookup[e] for e in wanted if e in lookup}
    unmatched = sum(1 for e in wanted if e not in lookup)
    with transaction(con):
        con.execute(
            f"UPDATE panel_invitation SET attended = {dialect.list_has('ids', 'respondent_id')} "
            "WHERE draw_id = $d",
            {"ids": sorted(took_part), "d": int(draw_id)},
        )
        result = AttendanceResult(
            int(draw_id), len(invitees), len(wanted), len(took_part), unmatched
        )
        audit(con, principal.actor, "panel_attendance", result.to_json())
    return result


# --- per dialogue, for the citizens' summary ----------------------------------------------


@dataclass
class DialogueOutcome:
    """One dialogue: its topic and areas, how many were invited and took part, and per age
    band, gender and area the counts (NaN where suppressed) against the population's share."""

    draw_id: int
    topic: str
    areas: list[str]
    drawn_at: object
    invited: int
    took_part: int
    invited_shown: bool
    took_part_shown: bool
    table: pd.DataFrame


def _has_attendance(con) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'panel_invitation' "
            "AND column_name = 'attended' AND database_name = current_database()"
        ).fetchone()[0]
    )


def dialogue_outcomes(
    con: duckdb.DuckDBPyConnection, wave: str, k: int = DEFAULT_K, lang: str = "da"
) -> list[DialogueOutcome]:
    """Every dialogue drawn from this wave whose attendance was recorded, oldest first.

    Invited are those drawn as invited plus reserves who took part (they were invited when
    someone declined). Each count is suppressed below k, with its complement in the dialogue's
    total and a second cell in the same feature when only one would be hidden.
    """
    if not _has_attendance(con):  # a snapshot from before schema version 4
        return []
    draws = con.execute(
        "SELECT d.draw_id, d.drawn_at, d.topic, d.detail FROM panel_draw d "
        f"WHERE {dialect.json_text('d.detail', 'wave')} = $wave AND EXISTS (SELECT 1 FROM "
        "panel_invitation i WHERE i.draw_id = d.draw_id AND i.attended IS NOT NULL) "
        "ORDER BY d.drawn_at, d.draw_id",
        {"wave": wave},
    ).fetchall()
    return [
        _outcome(con, wave, draw_id, drawn_at, topic, json.loads(detail), k, lang)
        for draw_id, drawn_at, topic, detail in draws
    ]


def _counts(con, draw_id: int) -> pd.DataFrame:
    return con.execute(
        """
        WITH p AS (
            SELECT coalesce(r.age_band, '?') AS age_band, r.gender,
                coalesce(r.area_code, '?') AS area,
                i.role = 'invited' OR coalesce(i.attended, false) AS invited,
                coalesce(i.attended, false) AS took_part
            FROM panel_invitation i JOIN respondent r USING (respondent_id)
            WHERE i.draw_id = $d)
        SELECT 'age_band' AS feature, age_band AS value, count(*) FILTER (WHERE invited)
            AS invited, count(*) FILTER (WHERE took_part) AS took_part FROM p GROUP BY 2
        UNION ALL
        SELECT 'gender', gender, count(*) FILTER (WHERE invited),
            count(*) FILTER (WHERE took_part) FROM p GROUP BY 2
        UNION ALL
        SELECT 'area', area, count(*) FILTER (WHERE invited),
            count(*) FILTER (WHERE took_part) FROM p GROUP BY 2
        """,
        {"d": int(draw_id)},
    ).df()


def _outcome(con, wave, draw_id, drawn_at, topic, detail, k, lang) -> DialogueOutcome:
    from data_pipeline.core.group_words import group_words
    from data_pipeline.outreach.panel import population_shares

    areas = tuple(detail.get("areas") or ())
    shares = population_shares(con, wave, areas)
    counts = _counts(con, draw_id)
    found = {(f, v): (i, p) for f, v, i, p in counts.itertuples(index=False)}
    invited = int(counts.loc[counts["feature"] == "gender", "invited"].sum())
    took_part = int(counts.loc[counts["feature"] == "gender", "took_part"].sum())
    names = dict(con.execute("SELECT area_code, name FROM area").fetchall())
    order = dict(con.execute("SELECT label, sort_order FROM age_band").fetchall())
    rows = []
    for feature in FEATURES:
        values = set(shares.get(feature, {})) | {v for f, v in found if f == feature}
        if feature == "age_band":
            ranked = sorted(values, key=lambda v: (order.get(v, 999), v))
        else:
            ranked = sorted(values, key=lambda v: (v not in shares.get(feature, {}), v))
        for value in ranked:
            n_invited, n_took = found.get((feature, value), (0, 0))
            label = group_words(feature, value, lang, names)
            rows.append(
                {
                    "feature": feature,
                    "value": value,
                    "label": label[:1].upper() + label[1:],
                    "population_share": shares.get(feature, {}).get(value),
                    "invited": int(n_invited),
                    "invited_share": n_invited / invited if invited else None,
                    "took_part": int(n_took),
                    "took_part_share": n_took / took_part if took_part else None,
                }
            )
    frame = pd.DataFrame(rows)
    invited_shown = is_publishable(invited, k=k)
    took_part_shown = is_publishable(took_part, k=k)
    for column, total, shown in (
        ("invited", invited, invited_shown),
        ("took_part", took_part, took_part_shown),
    ):
        hidden = suppress_table(
            frame, column, k, total, "feature", dependent_columns=(f"{column}_share",)
        )
        # A feature with one value (the draw's single area) holds the total itself: its count
        # says nothing the total does not, so the complement rule does not hide it.
        alone = frame["feature"].map(frame["feature"].value_counts()) == 1
        keep = alone & shown
        frame[f"{column}_share"] = hidden[f"{column}_share"].where(~keep, frame[f"{column}_share"])
        frame[column] = hidden[column].where(~keep, frame[column])
        frame[f"{column}_suppressed"] = (hidden["suppressed"] & ~keep) | (not shown)
        if not shown:
            frame[column] = float("nan")
            frame[f"{column}_share"] = float("nan")
    vocabulary = dict(
        con.execute(
            f"SELECT code, {'label_en' if lang == 'en' else 'label_da'} FROM vocabulary "  # noqa: S608
            "WHERE kind = 'topic'"
        ).fetchall()
    )
    return DialogueOutcome(
        draw_id=int(draw_id),
        topic=vocabulary.get(topic, topic),
        areas=[names.get(a, a) for a in areas],
        drawn_at=drawn_at,
        invited=invited,
        took_part=took_part,
        invited_shown=invited_shown,
        took_part_shown=took_part_shown,
        table=frame,
    )


def outcome_sentence(outcome: DialogueOutcome, lang: str = "da", k: int = DEFAULT_K) -> str:
    """The dialogue in plain words: how many were invited and how many took part."""
    from data_pipeline.core.i18n import number

    where = t("panel.in_areas", lang, areas=", ".join(outcome.areas)) if outcome.areas else ""
    invited = number(outcome.invited, lang) if outcome.invited_shown else f"<{k}"
    took_part = number(outcome.took_part, lang) if outcome.took_part_shown else f"<{k}"
    return t(
        "public.dialogue.text",
        lang,
        topic=outcome.topic.lower(),
        where=where,
        invited=invited,
        took_part=took_part,
    )
