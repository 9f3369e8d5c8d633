"""Headers -> canonical fields: the column plan of a file.

A header maps by the user's mapping file first, then by the synonyms in vocabulary.json, then
by keyword rules for long question texts; what maps to nothing is listed as ignored, with a
suggestion when a synonym is close. Never reads a cell: the answers are `mapping.py`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from data_pipeline.ingest.fuzzy import closest
from data_pipeline.ingest.mapping import CONTACT_FIELDS, UserMapping, normalize_header
from data_pipeline.ingest.vocabulary import load_vocabulary_seed

# Consent to CONTACT is recognised only from a question about contact ("Må vi kontakte dig?",
# "Samtykke til kontakt", "Kontakt ok?"). Other consent questions ("I agree to participate",
# "Samtykke til databehandling") are research consent: listed as ignored, never a permission
# to contact anyone.
CONTACT_WORDS = (
    r"kontakt|skrive til dig|ringe til dig|\bcontact|reach you|get in touch|write to you"
)
CONSENT_WORDS = r"samtykke|consent|\bagree|accept|tilladelse|permission"
CONTACT_QUESTION = (
    rf"^(?=.*({CONTACT_WORDS}))"
    rf"(?=.*(\bmå\b|\bmay\b|\bcan\b|\bok\b|sæt kryds|gerne|{CONSENT_WORDS}))"
)


# Fallback rules for long question texts, tried in this order after exact synonyms.
# Order matters: "Hvilke emner interesserer dig" is about topics, not interest.
KEYWORD_RULES: tuple[tuple[str, str], ...] = (
    (
        "topics",
        r"\bemne|\btopic|interesseområde|hvad går du (mest )?op i|hvad optager dig|"
        r"what do you care",
    ),
    (
        "formats",
        r"\bformat|deltagelsesform|hvordan .*(deltage|inddrages|være med|involveret)|"
        r"på hvilke måder|how .*(take part|participate|be involved)|in which ways",
    ),
    ("time_per_month", r"\btid\b|\btimer\b|time .*month|hours .*month|how much time"),
    (
        "engagement",
        r"engager|engagement|hvor aktiv|hvilken rolle|ønsket inddragelse|"
        r"hvor meget vil du (være med|inddrages|deltage)|how (active|involved)|what role",
    ),
    ("interest", r"interesse|interest"),
    ("consent", CONTACT_QUESTION),
    ("birth_year", r"fødselsår|født|birth year|year of birth|born"),
    ("age_band", r"aldersgruppe|age group|age band"),
    ("age", r"\balder\b|\bage\b|hvor gammel|how old"),
    ("gender", r"\bkøn\b|gender|\bsex\b"),
    ("postal_code", r"postn|postal|zip|post code"),
    (
        "area",
        r"lokalområde|område|bydel|bopæl|\bbor du\b|lokalsamfund|skoledistrikt|\bsogn|"
        r"kommunedel|landsby|\barea\b|district|neighbou?rhood|where do you live",
    ),
    ("first_name", r"^fornavn|first name|given name"),
    ("last_name", r"^efternavn|last name|surname|family name"),
    ("email", r"e-?mail|\bmail\b"),
    ("phone", r"telefon|phone|mobil|\btlf\b"),
    ("name", r"\bnavn\b|\bname\b"),
)


@dataclass
class ColumnPlan:
    """Which source column feeds each canonical field, and what is left out (and why)."""

    fields: dict[str, int]
    headers: list[str]
    ignored: list[str]
    # Later columns that name a contact field again (Microsoft Forms' own "Mail"/"Navn" before
    # the questions "Din e-mail"/"Dit navn"): staging keeps the column that holds the data.
    alternates: dict[str, list[int]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def header(self, field_name: str) -> str | None:
        index = self.fields.get(field_name)
        return None if index is None else self.headers[index]


def header_synonyms() -> dict[str, str]:
    seed = load_vocabulary_seed()["headers"]
    return {normalize_header(s): name for name, synonyms in seed.items() for s in synonyms}


def map_columns(headers: list[str], user: UserMapping | None = None) -> ColumnPlan:
    user = user or UserMapping()
    synonyms = header_synonyms()
    fields: dict[str, int] = {}
    ignored: list[str] = []
    alternates: dict[str, list[int]] = {}
    notes: dict[str, str] = {}
    user_columns = {normalize_header(k): v for k, v in user.columns.items()}
    for index, header in enumerate(headers):
        key = normalize_header(header)
        target = user_columns.get(key) or synonyms.get(key) or _keyword_field(key)
        if target is None and re.search(CONSENT_WORDS, key):
            notes[header] = (
                "Et samtykke, der ikke handler om kontakt, giver ikke lov til at kontakte "
                "nogen. / A consent that is not about contact never permits contact."
            )
        if target in CONTACT_FIELDS and target in fields and key not in user_columns:
            alternates.setdefault(target, []).append(index)
            continue
        if target is None and header not in notes:
            guess = _closest_header(key, synonyms)
            if guess:
                notes[header] = (
                    f"Ligner et spørgsmål om '{guess}'; er det det, så angiv det i en mappingfil. "
                    f"/ Looks like a question about '{guess}'; if so, map it in a mapping file."
                )
        if target in (None, "ignore", "ignored_known") or target in fields:
            ignored.append(header)
            continue
        fields[target] = index
    return ColumnPlan(
        fields=fields, headers=list(headers), ignored=ignored, alternates=alternates, notes=notes
    )


def _closest_header(key: str, synonyms: dict[str, str]) -> str | None:
    """A field whose synonym is close to this header: a suggestion, never a mapping."""
    if len(key) < 4:
        return None
    match = closest(key, synonyms, cutoff=0.8)
    target = synonyms[match] if match else None
    return None if target in (None, "ignored_known") else target


def _keyword_field(key: str) -> str | None:
    for name, pattern in KEYWORD_RULES:
        if re.search(pattern, key):
            return name
    return None
