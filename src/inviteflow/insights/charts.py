"""Charts as inline SVG drawn on the server: no JavaScript, no CDN, readable offline.

Each chart is an `<svg role="img">` named by its `<title>` and summarised by its `<desc>`
(what a screen reader announces), with a `<title>` on every point or bar for pointer users,
and the same figures as rows for a data table beside it. Text is escaped; nothing from
TikTok reaches the markup unescaped.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from html import escape

from django.utils.safestring import SafeString, mark_safe

from inviteflow.insights import formats

WIDTH, HEIGHT = 480, 220  # a chart in a two-column grid; wide: across the page
WIDE = 960
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 52, 24, 14, 30
BAR_ROW, BAR_LABEL = 28, 110
FONT = 12
INK, MUTED, LINE, ACCENT = "#1b1d23", "#6b7080", "#e3e5ea", "#e8336b"
Format = Callable[[float], str]


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    summary: str
    svg: SafeString | None  # None: nothing to draw yet
    headers: tuple[str, str] = ("", "")
    rows: list[tuple[str, str]] = field(default_factory=list)
    wide: bool = False


def _svg(
    chart_id: str, title: str, summary: str, size: tuple[int, int], body: list[str]
) -> SafeString:
    width, height = size
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}"'
        f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text is escaped


def _text(x: float, y: float, text: str, anchor: str = "start", color: str = MUTED) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{color}"'
        f' font-size="{FONT}">{escape(text)}</text>'
    )


def nice_max(value: float) -> float:
    """The axis top: 1, 2, 2.5 or 5 × a power of ten, at or above `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


# -- Line charts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Axis:
    x_label: Format
    y_label: Format
    y_max: float | None = None  # fixed top (rates: 1.0); None = from the data
    width: int = WIDTH


@dataclass(frozen=True)
class Plot:
    """Where data lands in the drawing: x proportional over [low, high], y over [0, top]."""

    axis: Axis
    low: float
    high: float
    top: float

    def x(self, value: float) -> float:
        span = self.high - self.low
        share = (value - self.low) / span if span else 0.5
        return PAD_LEFT + share * (self.axis.width - PAD_LEFT - PAD_RIGHT)

    def y(self, value: float) -> float:
        return HEIGHT - PAD_BOTTOM - (value / self.top) * (HEIGHT - PAD_TOP - PAD_BOTTOM)


def line_chart(
    chart_id: str,
    title: str,
    points: Sequence[tuple[float, float]],
    axis: Axis,
    headers: tuple[str, str] = ("", ""),
) -> Chart:
    """A line through (x, y) points, x proportional (times as timestamps)."""
    rows = [(axis.x_label(x), axis.y_label(y)) for x, y in points]
    wide = axis.width > WIDTH
    if not points:
        return Chart(chart_id, title, "No figures yet.", None, headers, rows, wide)
    summary = _line_summary(points, axis)
    top = axis.y_max or nice_max(max(y for _, y in points))
    plot = Plot(axis, points[0][0], points[-1][0], top)
    body = _grid(plot) + _line(points, plot) + _x_labels(plot)
    svg = _svg(chart_id, title, summary, (axis.width, HEIGHT), body)
    return Chart(chart_id, title, summary, svg, headers, rows, wide)


def _line_summary(points: Sequence[tuple[float, float]], axis: Axis) -> str:
    (x0, y0), (x1, y1) = points[0], points[-1]
    if len(points) == 1:
        return f"One point: {axis.y_label(y0)} at {axis.x_label(x0)}."
    return (
        f"{len(points)} points from {axis.y_label(y0)} at {axis.x_label(x0)} "
        f"to {axis.y_label(y1)} at {axis.x_label(x1)}; highest "
        f"{axis.y_label(max(y for _, y in points))}."
    )


def _grid(plot: Plot) -> list[str]:
    parts = []
    for step in range(5):
        value = plot.top * step / 4
        y = plot.y(value)
        parts.append(
            f'<line x1="{PAD_LEFT}" x2="{plot.axis.width - PAD_RIGHT}" y1="{y:.1f}"'
            f' y2="{y:.1f}" stroke="{LINE}"/>'
        )
        parts.append(_text(PAD_LEFT - 6, y + 4, plot.axis.y_label(value), "end"))
    return parts


def _line(points: Sequence[tuple[float, float]], plot: Plot) -> list[str]:
    coords = [(plot.x(x), plot.y(y)) for x, y in points]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    parts = [f'<polyline points="{path}" fill="none" stroke="{ACCENT}" stroke-width="2"/>']
    if len(points) <= 60:  # dots with a tooltip each, while they stay readable
        for (x, y), (px, py) in zip(points, coords, strict=True):
            tip = f"{plot.axis.x_label(x)}: {plot.axis.y_label(y)}"
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{ACCENT}">'
                f"<title>{escape(tip)}</title></circle>"
            )
    return parts


def _x_labels(plot: Plot) -> list[str]:
    ticks = 4 if plot.axis.width <= WIDTH else 6
    xs = (
        [plot.low]
        if plot.low == plot.high
        else [plot.low + (plot.high - plot.low) * i / ticks for i in range(ticks + 1)]
    )
    y = HEIGHT - PAD_BOTTOM + 18
    anchors = ["start", *["middle"] * (len(xs) - 2), "end"] if len(xs) > 1 else ["middle"]
    labels, parts = [plot.axis.x_label(x) for x in xs], []
    for index, (x, label, anchor) in enumerate(zip(xs, labels, anchors, strict=True)):
        if index == 0 or label != labels[index - 1]:  # a short line repeats its label
            parts.append(_text(plot.x(x), y, label, anchor))
    return parts


# -- Bar charts -----------------------------------------------------------------------------


def bar_chart(
    chart_id: str,
    title: str,
    bars: Sequence[tuple[str, float]],
    value_label: Format,
    headers: tuple[str, str] = ("", ""),
    limit: int = 10,
) -> Chart:
    """Horizontal bars, largest first as given; at most `limit` (the rest is in the table)."""
    rows = [(label, value_label(value)) for label, value in bars]
    if not bars:
        return Chart(chart_id, title, "No figures yet.", None, headers, rows)
    shown = list(bars[:limit])
    summary = "; ".join(f"{label} {value_label(value)}" for label, value in shown) + "."
    height = PAD_TOP + BAR_ROW * len(shown) + 8
    top = max(value for _, value in shown) or 1.0
    body = [part for i, bar in enumerate(shown) for part in _bar(i, bar, top, value_label)]
    svg = _svg(chart_id, title, summary, (WIDTH, height), body)
    return Chart(chart_id, title, summary, svg, headers, rows)


def _bar(index: int, bar: tuple[str, float], top: float, value_label: Format) -> list[str]:
    label, value = bar
    y = PAD_TOP + index * BAR_ROW
    room = WIDTH - BAR_LABEL - 70
    length = max(1.0, room * value / top) if value > 0 else 0.0
    tip = f"{label}: {value_label(value)}"
    return [
        _text(BAR_LABEL - 8, y + 17, _clip(label, 16), "end", INK),
        f'<rect x="{BAR_LABEL}" y="{y + 4}" width="{length:.1f}" height="{BAR_ROW - 9}"'
        f' rx="3" fill="{ACCENT}"><title>{escape(tip)}</title></rect>',
        _text(BAR_LABEL + length + 6, y + 17, value_label(value)),
    ]


def _clip(label: str, most: int = 20) -> str:
    return label if len(label) <= most else label[: most - 1] + "…"


# -- The report's charts --------------------------------------------------------------------


def retention_chart(
    chart_id: str, title: str, points: Sequence[tuple[float, float]], x_label: Format
) -> Chart:
    """Share of viewers still watching; y is 0–100 %."""
    axis = Axis(x_label=x_label, y_label=lambda y: formats.percent(y, 0), y_max=1.0)
    return line_chart(chart_id, title, points, axis, ("Point", "Still watching"))


def views_over_time(chart_id: str, title: str, points: Sequence[tuple[float, float]]) -> Chart:
    """Views at each sync, across the page; x is a Unix timestamp (days, or hours when the
    line spans less than two days). The table gives the exact times."""
    short = len(points) > 1 and points[-1][0] - points[0][0] < 2 * 86400

    def when(x: float) -> str:
        moment = datetime.fromtimestamp(x, UTC)
        return moment.strftime("%-d %b %H:%M") if short else formats.day(moment)

    axis = Axis(x_label=when, y_label=formats.compact, width=WIDE)
    chart = line_chart(chart_id, title, points, axis, ("Time", "Video views"))
    rows = [(formats.moment(datetime.fromtimestamp(x, UTC)), formats.count(y)) for x, y in points]
    return replace(chart, rows=rows)
