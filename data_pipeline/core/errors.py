"""Typed errors that speak to the user: each carries enough to say what went wrong and where.

Messages are written bilingual ("Dansk. / English."), because the CLI prints them as they are;
the app shows one language of them (`in_language`). Every message is scrubbed on its way out (`public_message`): no row beyond the offending value,
no server path.
"""

from __future__ import annotations

import re

# DuckDB's CSV errors quote the whole offending line ("Original Line: 40;Mand;...;e-mail;...")
# and the options it tried; a citizen's row must never reach a message.
_ROW_ECHO = re.compile(r"(Original Line|Possible fixes|Possible Solution|  file=)\b.*", re.DOTALL)
# An absolute path (/tmp/..., /home/..., C:\...) becomes its last part; URLs are left alone.
_POSIX_PATH = re.compile(r"(?<![\w:/.])/(?:[^\s'\"/:,;()]+/)+([^\s'\"/:,;()]*)")
_WINDOWS_PATH = re.compile(r"\b[A-Za-z]:\\(?:[^\s'\"\\:,;()]+\\)+([^\s'\"\\:,;()]*)")
MAX_MESSAGE = 2_000
_CONTACT_VALUE = re.compile(r"[^@\s]+@[^@\s]+\.\w{2,}|\+?\d[\d \-]{6,}\d")
HEADERS_SHOWN = 12
HEADER_CHARS = 40


def public_message(text: str) -> str:
    """A message fit for a user: row echoes cut, paths reduced to file names, length capped."""
    text = _ROW_ECHO.sub("", str(text)).rstrip()
    text = _POSIX_PATH.sub(lambda m: m.group(1) or "…", text)
    text = _WINDOWS_PATH.sub(lambda m: m.group(1) or "…", text)
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


# Where a bilingual line turns English: " / " before a capital letter (the English sentence).
_LANGUAGE_SPLIT = re.compile(r"(?<=\S) / (?=[A-Z])")


def in_language(text: str, lang: str) -> str:
    """One language of a message written "Dansk. / English." (line by line): the Danish part
    for "da", the English part for "en". A line without the separator is kept as it is, so a
    message written in one language passes through unchanged."""
    lines = []
    for line in str(text).split("\n"):
        parts = _LANGUAGE_SPLIT.split(line, maxsplit=1)
        lines.append(parts[-1] if lang == "en" else parts[0])
    return "\n".join(lines)


def headers_text(headers) -> str:
    """The headers found, for a refusal: a few, each cut short. A headerless file's first row
    is data (a name, an e-mail), so it is never quoted whole."""
    headers = list(headers)
    shown = [
        "'…'"  # an e-mail or a phone number is a citizen's answer, not a header
        if _CONTACT_VALUE.search(str(h))
        else f"'{h}'"
        if len(str(h)) <= HEADER_CHARS
        else f"'{str(h)[: HEADER_CHARS - 1]}…'"
        for h in headers[:HEADERS_SHOWN]
    ]
    if len(headers) > HEADERS_SHOWN:
        shown.append(f"… (+{len(headers) - HEADERS_SHOWN})")
    return ", ".join(shown)


class PipelineError(Exception):
    """Base class; `exit_code` follows the CLI contract (2 invalid input, 1 internal)."""

    exit_code = 1

    def __str__(self) -> str:
        return public_message(super().__str__())


class InvalidFile(PipelineError):
    """A file refused as a whole (missing column, unreadable format, wrong kind).

    `mapping_template` (optional) is a mapping file to fill in that would let the file load:
    the CLI writes it with `--write-mapping FILE`.
    """

    exit_code = 2

    def __init__(self, message: str, mapping_template: dict | None = None):
        super().__init__(message)
        self.mapping_template = mapping_template


class DatabaseError(PipelineError):
    """The database cannot be opened or migrated safely."""

    exit_code = 2
