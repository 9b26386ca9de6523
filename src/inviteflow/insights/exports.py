"""The campaign report as CSV and XLSX: totals first, then one row per post.

Both carry the page's totals (figures.TOTALS from the same rollup), as plain numbers: counts
as integers, rates as 0–1 ratios (XLSX formats them as percentages), times in seconds. The CSV
has no cell formats, so its numbers are rounded to what the XLSX shows. Posts
are streamed from the database in chunks, so 20,000 posts need no more memory than 2,000.
Text cells that a spreadsheet would run as a formula are neutralised.
"""

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from inviteflow.insights import figures, rollups
from inviteflow.insights.models import PostInsights

CHUNK = 2000
Sheet = Any  # openpyxl's write-only worksheet
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
POST_HEADERS = [
    "Video ID",
    "Creator",
    "Handle",
    "Published",
    "Region",
    *[figure.label for figure in figures.METRIC_COLUMNS],
    "As of",
    "Final",
]
NUMBER_FORMATS = {"percent": "0.00%", "seconds": "0.0", "count": "#,##0", "duration": "#,##0"}
CSV_PLACES = {"percent": 4, "seconds": 1, "count": 0, "duration": 0}  # as NUMBER_FORMATS show
POST_KINDS = ["", "", "", "", "", *[figure.kind for figure in figures.METRIC_COLUMNS], "", ""]


def filename(report: rollups.Report, extension: str) -> str:
    stem = "".join(ch if ch.isalnum() else "-" for ch in report.campaign.name.lower()).strip("-")
    return f"{stem or 'campaign'}-report-{report.region}.{extension}"


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _time(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def heading_rows(report: rollups.Report) -> list[list[Any]]:
    return [
        ["Campaign report", _safe(report.campaign.name)],
        ["Region", report.region],
        ["As of (UTC)", _time(report.as_of)],
        ["Exported at (UTC)", _time(timezone.now())],
    ]


def post_row(insights: PostInsights) -> list[Any]:
    post, creator = insights.post, insights.creator
    metrics = [getattr(insights, figure.key) for figure in figures.METRIC_COLUMNS]
    return [
        post.video_id,
        _safe(creator.name),
        _safe(creator.handle),
        _time(post.published_at),
        insights.country_code,
        *metrics,
        _time(insights.as_of),
        "yes" if insights.final else "no",
    ]


def post_rows(report: rollups.Report) -> Iterator[list[Any]]:
    posts = rollups.by_post(report.campaign, report.region)
    for insights in posts.iterator(chunk_size=CHUNK):
        yield post_row(insights)


# -- CSV ------------------------------------------------------------------------------------


def _as_shown(value: Any, kind: str) -> Any:
    """A CSV cell: the number rounded as the XLSX cell format shows it; "" when missing."""
    if value is None:
        return ""
    if not isinstance(value, float) or kind not in CSV_PLACES:
        return value
    places = CSV_PLACES[kind]
    return round(value, places) if places else round(value)


class _Line:
    """A file-like that hands back what csv.writer writes, for streaming."""

    def write(self, text: str) -> str:
        return text


def csv_lines(report: rollups.Report) -> Iterator[str]:
    writer = csv.writer(_Line())
    for row in heading_rows(report):
        yield writer.writerow(row)
    yield writer.writerow([])
    yield writer.writerow(["Totals"])
    yield writer.writerow(["Metric", "Value"])
    for figure, value in figures.total_rows(report.totals):
        yield writer.writerow([figure.label, _as_shown(value, figure.kind)])
    yield writer.writerow([])
    yield writer.writerow(["Posts"])
    yield writer.writerow(POST_HEADERS)
    for row in post_rows(report):
        yield writer.writerow(
            [_as_shown(value, kind) for value, kind in zip(row, POST_KINDS, strict=True)]
        )


# -- XLSX -----------------------------------------------------------------------------------


def xlsx_bytes(report: rollups.Report) -> bytes:
    book = Workbook(write_only=True)
    _totals_sheet(book.create_sheet("Totals"), report)
    _posts_sheet(book.create_sheet("Posts"), report)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(sheet: Sheet, value: Any, kind: str = "") -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if kind in NUMBER_FORMATS and value is not None:
        cell.number_format = NUMBER_FORMATS[kind]
    return cell


def _totals_sheet(sheet: Sheet, report: rollups.Report) -> None:
    for row in heading_rows(report):
        sheet.append(row)
    sheet.append([])
    sheet.append(["Metric", "Value"])
    for figure, value in figures.total_rows(report.totals):
        sheet.append([figure.label, _cell(sheet, value, figure.kind)])


def _posts_sheet(sheet: Sheet, report: rollups.Report) -> None:
    sheet.append(POST_HEADERS)
    for row in post_rows(report):
        sheet.append(
            [_cell(sheet, value, kind) for value, kind in zip(row, POST_KINDS, strict=True)]
        )
