"""Go Vocal and Decidim export rows -> `Activity` records: who did what, when and where.

Reads only the columns an activity needs: the id, the time, the project and topic, the user's
id, and the registration or background answers (gender, birth year or age, domicile) as
written. A row without an id is a rejection (row number, column, reason). No database and no
pseudonyms here: `store/load_platform.py` maps the answers, pseudonymises the user and stores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from data_pipeline.core.errors import InvalidFile
from data_pipeline.ingest.column_plan import map_columns
from data_pipeline.ingest.mapping import UserMapping, normalize_header
from data_pipeline.ingest.readers import ROW_COLUMN, RawTable
from data_pipeline.ingest.readers.govocal import key as govocal_key

REGISTRATION_FIELDS = {
    "gender": ("køn", "gender", "sex"),
    "birth_year": ("fødselsår", "birthyear", "birth year", "year of birth", "årgang"),
    "area": (
        "bopæl",
        "domicile",
        "lokalområde",
        "område",
        "place of residence",
        "bydel",
        "area",
        "neighbourhood",
        "where do you live",
        "hvor bor du",
    ),
}
# Go Vocal's own columns; registration fields come after the last of these.
GOVOCAL_FIXED = {
    "id",
    "email",
    "first_name",
    "last_name",
    "profile_page",
    "created_at",
    "registration_completed_at",
    "invite_status",
    "title",
    "description",
    "author_name",
    "author_email",
    "author_id",
    "proposed_budget",
    "published_at",
    "submitted_at",
    "updated_at",
    "comments",
    "likes",
    "dislikes",
    "votes",
    "project",
    "phase",
    "topics",
    "status",
    "assignee",
    "assignee_email",
    "latitude",
    "longitude",
    "location_description",
    "url",
}
# A registration field whose title a survey question already uses gets " (1)" in the export.
CLASH_SUFFIX = re.compile(r"\s*\(\d+\)$")
TIMESTAMP_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(:\d{2})?)")
# A meeting row becomes one row per attendee: a mistyped count must not fill the memory.
MAX_ATTENDEES = 100_000


@dataclass
class Activity:
    """One row of platform_activity before gender and area are mapped."""

    platform: str
    activity_id: str
    kind: str
    occurred_at: str | None
    project: str | None
    topic: str | None
    user: str | None
    birth_year: str | None = None
    age: str | None = None
    gender: str | None = None
    area: str | None = None


# --- Go Vocal ----------------------------------------------------------------------------------


def registration_columns(headers: list[str]) -> dict[str, str | None]:
    """Gender, birth year and domicile columns: the registration fields after the fixed
    columns first (a survey question with the same title comes earlier, as "X", and the
    registration field then gets " (1)")."""
    keys = [govocal_key(h) for h in headers]
    last_fixed = max((i for i, k in enumerate(keys) if k in GOVOCAL_FIXED), default=-1)
    ordered = headers[last_fixed + 1 :] + headers[: last_fixed + 1]
    found: dict[str, str | None] = {}
    for field_name, names in REGISTRATION_FIELDS.items():
        found[field_name] = next(
            (h for h in ordered if normalize_header(CLASH_SUFFIX.sub("", h)) in names), None
        )
    return found


def govocal_activities(raw: RawTable) -> tuple[list[Activity], list[tuple]]:
    export = raw.meta.get("export")
    by_key = {govocal_key(h): h for h in reversed(raw.headers)}
    kind, user_col, when_cols = {
        "users": ("registration", "id", ("registration_completed_at", "created_at")),
        "ideas": ("idea", "author_id", ("published_at", "submitted_at", "created_at")),
        "survey": ("survey_response", "author_id", ("submitted_at", "published_at")),
    }[export]
    fields = registration_columns(raw.headers)
    activities, rejections = [], []
    for row in raw.table.to_pylist():
        activity_id = row.get(by_key["id"])
        if not activity_id:
            rejections.append((row[ROW_COLUMN], by_key["id"], None, _no_id_reason()))
            continue
        when = next(
            (row.get(by_key[c]) for c in when_cols if c in by_key and row.get(by_key[c])), None
        )
        activities.append(
            Activity(
                platform="govocal",
                activity_id=str(activity_id),
                kind=kind,
                occurred_at=_timestamp(when),
                project=row.get(by_key["project"]) if "project" in by_key else None,
                topic=row.get(by_key["topics"]) if "topics" in by_key else None,
                user=str(row.get(by_key.get(user_col, ""), "") or ""),
                birth_year=_get(row, fields["birth_year"]),
                gender=_get(row, fields["gender"]),
                area=_get(row, fields["area"]),
            )
        )
    return activities, rejections


# --- Decidim -----------------------------------------------------------------------------------


def decidim_activities(raw: RawTable, mapping: UserMapping) -> tuple[list[Activity], list[tuple]]:
    entity = raw.meta.get("entity")
    reader = {
        "proposals": _decidim_proposals,
        "proposal_comments": _decidim_comments,
        "meetings": _decidim_meetings,
        "survey_responses": _decidim_survey,
    }.get(entity)
    if reader is None:
        raise InvalidFile(
            f"Decidim-filen ({entity}) understøttes ikke; brug proposals, proposal_comments, "
            f"meetings eller survey responses. / Decidim entity '{entity}' is not supported."
        )
    activities, rejections = [], []
    rows = raw.table.to_pylist()
    for row in rows:
        if not row.get("id"):
            rejections.append((row[ROW_COLUMN], "id", None, _no_id_reason()))
    rows = [r for r in rows if r.get("id")]
    activities = reader(rows, raw.headers, mapping)
    return activities, rejections


def _first_author(value: str | None) -> str | None:
    # Decidim joins co-authors with ", ": the first author stands for the activity.
    return value.split(",")[0].strip() if value else None


def _first_column(headers: list[str], prefixes: tuple[str, ...]) -> str | None:
    return next((h for p in prefixes for h in headers if h.lower().startswith(p)), None)


def _space(row: dict) -> str | None:
    return row.get("participatory_space/url") or row.get("participatory_space/id")


def _decidim_proposals(rows, headers, mapping) -> list[Activity]:
    topic_col = _first_column(headers, ("category/name/", "taxonomies/name/", "scope/name/"))
    return [
        Activity(
            platform="decidim",
            activity_id=f"proposal-{row['id']}",
            kind="idea",
            occurred_at=_timestamp(row.get("published_at") or row.get("created_at")),
            project=_space(row),
            topic=row.get(topic_col) if topic_col else None,
            user=_first_author(row.get("author/id")),
        )
        for row in rows
    ]


def _decidim_comments(rows, headers, mapping) -> list[Activity]:
    return [
        Activity(
            platform="decidim",
            activity_id=f"comment-{row['id']}",
            kind="comment",
            occurred_at=_timestamp(row.get("created_at")),
            project=row.get("root_commentable_url") or row.get("commentable_type"),
            topic=None,
            user=_first_author(row.get("author/id")),
        )
        for row in rows
    ]


def _decidim_meetings(rows, headers, mapping) -> list[Activity]:
    """A meeting export counts attendees, not people: one anonymous row per attendee."""
    topic_col = _first_column(headers, ("category/name/", "taxonomies/name/"))
    out = []
    for row in rows:
        count = _int(row.get("attendees") or row.get("attendees_count"))
        for n in range(min(count, MAX_ATTENDEES)):
            out.append(
                Activity(
                    platform="decidim",
                    activity_id=f"meeting-{row['id']}-{n + 1}",
                    kind="meeting_attendance",
                    occurred_at=_timestamp(row.get("start_time")),
                    project=_space(row),
                    topic=row.get(topic_col) if topic_col else None,
                    user=None,
                )
            )
    return out


def _decidim_survey(rows, headers, mapping) -> list[Activity]:
    """Answers to "N. question" columns: background questions map like a survey's."""
    questions = [re.sub(r"^\d+\.\s*", "", h) for h in headers]
    plan = map_columns(questions, mapping)

    def answer(row, field_name):
        index = plan.fields.get(field_name)
        return row.get(headers[index]) if index is not None and index >= 4 else None

    return [
        Activity(
            platform="decidim",
            activity_id=f"response-{row['id']}-{row.get(ROW_COLUMN)}",
            kind="survey_response",
            occurred_at=_timestamp(row.get("created_at")),
            project=None,
            topic=None,
            user=str(row["id"]),
            birth_year=answer(row, "birth_year"),
            age=answer(row, "age"),
            gender=answer(row, "gender"),
            area=answer(row, "area"),
        )
        for row in rows
    ]


# --- shared ------------------------------------------------------------------------------------


def _timestamp(value) -> str | None:
    """ "2024-05-01 10:11:12 +0200" and "2024-05-01T10:11:12.000+02:00" -> local time text."""
    if value is None:
        return None
    match = TIMESTAMP_PREFIX.match(str(value).strip())
    return f"{match.group(1)} {match.group(2)}" if match else str(value).strip() or None


def _get(row: dict, column: str | None) -> str | None:
    value = row.get(column) if column else None
    return str(value).strip() if value not in (None, "") else None


def _int(value) -> int:
    try:
        return max(0, int(float(str(value).replace(",", "."))))
    except (TypeError, ValueError):
        return 0


def _no_id_reason() -> str:
    return "Rækken har intet id / The row has no id"
