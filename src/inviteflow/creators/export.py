"""Creators as CSV: the columns the import reads (name, handle, email, notes), so an export
can be edited and imported again. Text a spreadsheet would run as a formula is neutralised."""

import csv
import io
from collections.abc import Iterable

from inviteflow.creators.models import Creator

COLUMNS = ["name", "handle", "email", "notes"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def creators_csv(creators: Iterable[Creator]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for creator in creators:
        writer.writerow([_safe(str(getattr(creator, column))) for column in COLUMNS])
    return out.getvalue()
