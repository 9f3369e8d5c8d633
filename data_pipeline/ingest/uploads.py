"""What untrusted input may do: uploaded files are checked before any parser sees them, and
the pages' query connection is cut off from the local file system.

Owns the upload size limit, the magic-byte type check, the zip/XLSX bomb and XML entity checks,
safe file names, the defusedxml check and `deny_file_access`. Never opens an upload with a
parser (calamine, openpyxl, pyogrio) itself, and never echoes file content in an error.
"""

from __future__ import annotations

import codecs
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

import duckdb

from data_pipeline.core.errors import InvalidFile, PipelineError
from data_pipeline.core.numbers import number

MAX_UPLOAD_BYTES = int(os.environ.get("DELTAGELSESATLAS_MAX_UPLOAD_MB", "200")) * 1024 * 1024


def max_upload_bytes() -> int:
    """The size limit, read when a file is checked (DELTAGELSESATLAS_MAX_UPLOAD_MB, default 200):
    the benchmarks raise it for their generated files (tools/bench.py), a server keeps its own."""
    return int(os.environ.get("DELTAGELSESATLAS_MAX_UPLOAD_MB", "200")) * 1024 * 1024


# A real 100 k-row survey XLSX is ~40 MB unpacked at a ratio near 10; bombs reach 1000+.
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 10_000
CHUNK = 1 << 20
# A survey has dozens of columns, a wide platform export a few hundred; 10 k columns in an
# 80 KB file held the write lock for minutes (issue 13, finding 11).
MAX_COLUMNS = 2_000
# A header line longer than this is not a header a person wrote.
MAX_HEADER_BYTES = 1 << 20

# Extension -> the containers its bytes may be. Everything else is refused.
EXPECTED: dict[str, tuple[str, ...]] = {
    ".csv": ("text",),
    ".txt": ("text",),
    ".tsv": ("text",),
    ".xlsx": ("xlsx",),
    ".json": ("json",),
    ".geojson": ("json",),
    ".topojson": ("json",),
    ".gpkg": ("sqlite",),
    ".zip": ("zip", "xlsx"),
}
ZIP_MAGIC = b"PK\x03\x04"
SQLITE_MAGIC = b"SQLite format 3\x00"
# Byte-order marks and the encoding each announces: the one table every sniffer reads.
UTF8_BOM = codecs.BOM_UTF8
BOMS = {UTF8_BOM: "utf-8-sig", codecs.BOM_UTF16_LE: "utf-16", codecs.BOM_UTF16_BE: "utf-16"}
# XLSX parts never need a DTD; one in an upload is an entity-expansion (billion laughs) attempt.
DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)


class UnsafeUpload(InvalidFile):
    """An upload refused before parsing: too big, mislabelled, a bomb or an XML DTD."""


@dataclass(frozen=True)
class CheckedUpload:
    path: Path
    container: str
    size: int


def sniff(head: bytes) -> str:
    """The container by magic bytes: xlsx, zip, sqlite, json, text or binary."""
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if b"\x00" in head and bom_encoding(head) != "utf-16":
        return "binary"
    if head.lstrip(UTF8_BOM + b" \t\r\n").startswith((b"{", b"[")):
        return "json"
    return "text"


def bom_encoding(head: bytes) -> str | None:
    """'utf-8-sig' or 'utf-16' when the bytes start with a byte-order mark, else None."""
    return next((encoding for bom, encoding in BOMS.items() if head.startswith(bom)), None)


def safe_name(name: str) -> str:
    """The last path part, stripped to letters, digits, '-', '_' and '.': no traversal."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    cleaned = re.sub(r"[^\w.\-]", "_", base, flags=re.UNICODE).lstrip(".")
    return cleaned[:120] or "upload"


def check_upload(path: str | Path, name: str | None = None) -> CheckedUpload:
    """Refuse an upload that is too big, not what its name says, or a zip/XML bomb.

    Reads the zip central directory (declared sizes) and streams XML parts with a byte cap;
    no spreadsheet or GIS parser touches the file here.
    """
    path = Path(path)
    size = path.stat().st_size
    limit = max_upload_bytes()
    if size > limit:
        raise UnsafeUpload(
            f"Filen er for stor ({size // (1024 * 1024)} MB; grænsen er "
            f"{limit // (1024 * 1024)} MB). / The file is too large."
        )
    if size == 0:
        raise UnsafeUpload("Filen er tom. / The file is empty.")
    with open(path, "rb") as handle:
        container = sniff(handle.read(64))
    if container == "zip":
        container = check_archive(path)
    suffix = Path(safe_name(name or path.name)).suffix.lower()
    allowed = EXPECTED.get(suffix)
    if allowed is None:
        raise UnsafeUpload(
            f"Filtypen '{suffix or '?'}' understøttes ikke. / File type not supported."
        )
    if container == "json" and "text" in allowed:
        container = "text"  # a CSV may start with '[' in its first header; fine as text
    if container not in allowed:
        raise UnsafeUpload(
            f"Filen hedder {suffix}, men indholdet er {container}. / "
            f"The file is named {suffix} but its content is {container}."
        )
    if container == "text":
        check_columns(path)
    return CheckedUpload(path=path, container=container, size=size)


def too_many_columns(count: int) -> UnsafeUpload:
    return UnsafeUpload(
        f"Filen har {number(count)} kolonner; grænsen er {number(MAX_COLUMNS)}. / "
        f"The file has {number(count)} columns; the limit is {number(MAX_COLUMNS)}."
    )


def check_columns(path: Path) -> None:
    """Refuse a text file whose header line is absurdly long or has more than MAX_COLUMNS
    columns, before any parser (or the write lock) sees it."""
    with open(path, "rb") as handle:
        head = handle.read(MAX_HEADER_BYTES + 1)
    line = re.split(rb"[\r\n]", head, maxsplit=1)[0]
    if len(line) > MAX_HEADER_BYTES:
        raise UnsafeUpload(
            "Filens første linje er over 1 MB lang; det er ikke en kolonneoverskrift. / "
            "The file's first line is over 1 MB long; that is not a header."
        )
    # Counting separators overestimates when quoted headers hold them; the limit is generous.
    count = 1 + max(line.count(sep) for sep in (b",", b";", b"\t", b"|"))
    if count > MAX_COLUMNS:
        raise too_many_columns(count)


def check_archive(path: Path) -> str:
    """'xlsx' or 'zip' for a safe archive; UnsafeUpload for a bomb, traversal or DTD."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnsafeUpload("Arkivet er ødelagt. / The archive is damaged.") from exc
    with archive:
        members = archive.infolist()
        _check_declared_sizes(members, path.stat().st_size)
        names = {m.filename for m in members}
        for member in members:
            _check_member_name(member.filename)
        budget = [MAX_UNCOMPRESSED_BYTES]  # for all parts together, counted while streaming
        for member in members:
            if member.filename.lower().endswith((".xml", ".rels", ".vml")):
                _check_xml_member(archive, member, budget)
    return "xlsx" if "[Content_Types].xml" in names and "xl/workbook.xml" in names else "zip"


def _check_declared_sizes(members: list[zipfile.ZipInfo], packed: int) -> None:
    if len(members) > MAX_MEMBERS:
        raise UnsafeUpload("Arkivet har for mange filer. / The archive holds too many files.")
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnsafeUpload(
            "Arkivet fylder for meget udpakket (mulig zip-bombe). / "
            "The archive unpacks too large (possible zip bomb)."
        )
    for member in members:
        if member.file_size > CHUNK and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise UnsafeUpload(
                "Arkivet er pakket mistænkeligt hårdt (mulig zip-bombe). / "
                "The archive is compressed suspiciously hard (possible zip bomb)."
            )
    if total > CHUNK and total > MAX_RATIO * max(packed, 1):
        raise UnsafeUpload(
            "Arkivet er pakket mistænkeligt hårdt (mulig zip-bombe). / "
            "The archive is compressed suspiciously hard (possible zip bomb)."
        )


def _check_member_name(name: str) -> None:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", name):
        raise UnsafeUpload(
            "Arkivet indeholder en ugyldig sti. / The archive holds an invalid path."
        )


def _check_xml_member(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: list[int] | None = None
) -> None:
    """Stream the part: refuse a DTD, and stop when the parts together unpack beyond the limit
    or beyond MAX_RATIO times the packed size, whatever the directory declared."""
    tail = b""
    read = 0
    budget = budget if budget is not None else [MAX_UNCOMPRESSED_BYTES]
    ratio_cap = max(CHUNK, MAX_RATIO * max(member.compress_size, 1))
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(CHUNK):
                read += len(chunk)
                budget[0] -= len(chunk)
                if budget[0] < 0 or read > ratio_cap:
                    raise UnsafeUpload(
                        "Arkivet fylder for meget udpakket (mulig zip-bombe). / "
                        "The archive unpacks too large (possible zip bomb)."
                    )
                window = tail + chunk
                if any(marker in window for marker in DTD_MARKERS):
                    raise UnsafeUpload(
                        "Regnearket indeholder en XML-DTD (mulig XML-bombe). / "
                        "The workbook holds an XML DTD (possible XML bomb)."
                    )
                tail = window[-32:]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise UnsafeUpload("Arkivet er ødelagt. / The archive is damaged.") from exc
    except NotImplementedError as exc:  # an unusual compression method
        raise UnsafeUpload("Arkivet bruger en ukendt pakning. / Unknown compression.") from exc


def store_upload(data: bytes, name: str, directory: str | Path) -> CheckedUpload:
    """Write an upload under a safe name inside `directory`, then check it; refused = deleted."""
    limit = max_upload_bytes()
    if len(data) > limit:
        raise UnsafeUpload(
            f"Filen er for stor; grænsen er {limit // (1024 * 1024)} MB. / The file is too large."
        )
    directory = Path(directory).resolve()
    target = (directory / safe_name(name)).resolve()
    if target.parent != directory:  # belt and braces: safe_name already drops every '/'
        raise UnsafeUpload("Ugyldigt filnavn. / Invalid file name.")
    target.write_bytes(data)
    try:
        return check_upload(target, name)
    except UnsafeUpload:
        target.unlink(missing_ok=True)
        raise


# --- the process ------------------------------------------------------------------------------


class UnsafeSetup(PipelineError):
    """The process is not set up safely (e.g. openpyxl without defusedxml); refuse to start."""


def ensure_defusedxml() -> None:
    """openpyxl parses XML through defusedxml only when it is installed and not switched off."""
    try:
        import defusedxml  # noqa: F401
        from openpyxl.xml import DEFUSEDXML
    except ImportError as exc:
        raise UnsafeSetup(
            "defusedxml mangler; installer requirements.txt. / defusedxml is missing."
        ) from exc
    if not DEFUSEDXML:
        raise UnsafeSetup(
            "openpyxl bruger ikke defusedxml (OPENPYXL_DEFUSEDXML er slået fra). / "
            "openpyxl is not using defusedxml (OPENPYXL_DEFUSEDXML is off)."
        )


def deny_file_access(con: duckdb.DuckDBPyConnection) -> None:
    """After loading, the database can no longer read or write local files or the network:
    read_csv('/etc/passwd'), COPY ... TO and ATTACH are refused for every cursor. DuckDB
    allows switching this off only once per database instance, so it is set when not set."""
    enabled = con.execute("SELECT current_setting('enable_external_access')").fetchone()[0]
    if enabled:
        con.execute("SET enable_external_access = false")
