"""Reading a creators CSV into valid rows, per-row errors and duplicates.

Pure functions over bytes and sets: no database here, so the rules are easy to test and the
service decides what to store. A problem with the file as a whole (encoding, header, size)
raises ValidationError({"file": reason}); a problem with a row is reported with its line.
"""

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from inviteflow.creators.validation import CreatorFields, field_problems

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
COLUMN_ALIASES = {
    "name": "name",
    "email": "email",
    "e_mail": "email",
    "handle": "handle",
    "tiktok": "handle",
    "tiktok_handle": "handle",
    "notes": "notes",
}
REQUIRED_COLUMNS = ("name", "handle")

Row = dict[str, Any]


@dataclass
class ParsedCsv:
    rows: list[Row] = field(default_factory=list)  # line, name, email, handle, notes
    errors: list[Row] = field(default_factory=list)  # line, field, reason, value


def file_error(reason: str) -> ValidationError:
    return ValidationError({"file": reason})


def parse_creators_csv(content: bytes) -> ParsedCsv:
    """Valid rows and per-row errors; raises a file-level ValidationError for a bad file."""
    text = _decode(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        columns = _columns(next(reader, None))
        parsed = ParsedCsv()
        for line, record in _records(reader):
            _check_row(parsed, line, columns, record)
    except csv.Error as exc:
        raise file_error(f"line {reader.line_num}: not readable as CSV ({exc})") from exc
    return parsed


def _decode(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise file_error(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        text = content.decode("utf-8-sig")  # a BOM (Excel's "CSV UTF-8") is dropped
    except UnicodeDecodeError as exc:
        raise file_error("must be UTF-8 text (in Excel: Save As → CSV UTF-8)") from exc
    if not text.strip():
        raise file_error("is empty")
    if "\x00" in text:  # PostgreSQL stores no NUL: refused on SQLite too
        raise file_error("contains a NUL character (\\u0000): not a text file")
    return text


def _delimiter(text: str) -> str:
    """Commas, or semicolons/tabs when the header clearly uses those (European Excel)."""
    header = text.split("\n", 1)[0]
    return max([",", ";", "\t"], key=header.count) if header.count(",") == 0 else ","


def _columns(header: list[str] | None) -> dict[str, int]:
    """Canonical column name → position; columns may come in any order, unknown ones are
    ignored, a missing or repeated known column makes the whole file unusable."""
    columns: dict[str, int] = {}
    for position, title in enumerate(header or []):
        canonical = COLUMN_ALIASES.get("_".join(title.strip().lower().replace("-", " ").split()))
        if canonical in columns:
            raise file_error(f"the header has two '{canonical}' columns")
        if canonical:
            columns[canonical] = position
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise file_error(
            f"the header row has no {' or '.join(repr(m) for m in missing)} column "
            "(expected columns: name, email, handle (or tiktok), notes)"
        )
    return columns


def _records(reader: Any) -> Any:
    """(line where the record starts, cells) for each non-blank record, at most MAX_ROWS."""
    count = 0
    while True:
        line = reader.line_num + 1
        record = next(reader, None)
        if record is None:
            return
        if not any(cell.strip() for cell in record):
            continue
        count += 1
        if count > MAX_ROWS:
            raise file_error(f"has more than {MAX_ROWS:,} rows; split it into smaller files")
        yield line, record


def _check_row(parsed: ParsedCsv, line: int, columns: dict[str, int], record: list[str]) -> None:
    values = {
        name: record[pos].strip() if pos < len(record) else "" for name, pos in columns.items()
    }
    fields = CreatorFields.normalised(**values)
    problems = field_problems(fields)
    for name, reason in problems.items():
        parsed.errors.append(
            {"line": line, "field": name, "reason": reason, "value": values.get(name, "")[:200]}
        )
    if not problems:
        parsed.rows.append({"line": line, **fields.as_dict()})


def split_duplicates(rows: list[Row], existing: set[str]) -> tuple[list[Row], list[Row]]:
    """Rows to import, and rows skipped because their handle is already in the workspace or
    appeared earlier in the file (the first occurrence is the one imported)."""
    unique: list[Row] = []
    duplicates: list[Row] = []
    first_line: dict[str, int] = {}
    for row in rows:
        handle = row["handle"]
        if handle in existing:
            duplicates.append(duplicate(row, f"@{handle} is already in this workspace"))
        elif handle in first_line:
            reason = f"@{handle} is repeated in this file (first on line {first_line[handle]})"
            duplicates.append(duplicate(row, reason))
        else:
            first_line[handle] = row["line"]
            unique.append(row)
    return unique, duplicates


def with_email_warnings(rows: list[Row], existing: dict[str, str]) -> list[Row]:
    """The rows, those whose email another creator has (`existing`: email → handle in the
    workspace, or an earlier row) marked with an `email_warning`. They are still imported:
    an agency may share one inbox between creators, but outreach then sends it one email each."""
    first: dict[str, Row] = {}
    marked: list[Row] = []
    for row in rows:
        email, reason = row["email"], ""
        if email in existing:
            reason = f"{email} is also the email of @{existing[email]}, already in this workspace"
        elif email in first:
            earlier = first[email]
            reason = f"{email} is also the email of @{earlier['handle']} (line {earlier['line']})"
        elif email:
            first[email] = row
        marked.append({**row, "email_warning": reason} if reason else row)
    return marked


def duplicate(row: Row, reason: str) -> Row:
    return {"line": row["line"], "name": row["name"], "handle": row["handle"], "reason": reason}
