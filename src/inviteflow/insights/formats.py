"""How figures read: on the page, in charts and in exports' human columns."""

from datetime import UTC, datetime


def count(value: float | None) -> str:
    """1234567 -> "1,234,567"; missing -> "–"."""
    return "–" if value is None else f"{round(value):,}"


def compact(value: float | None) -> str:
    """1234567 -> "1.2M": axis labels."""
    if value is None:
        return "–"
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= limit:
            return f"{value / limit:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def percent(value: float | None, places: int = 1) -> str:
    """0.1234 -> "12.3 %"."""
    return "–" if value is None else f"{value * 100:.{places}f} %"


def seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def moment(value: datetime | None) -> str:
    """An "as of" time, in UTC like TikTok's own report times."""
    if value is None:
        return "never"
    return value.astimezone(UTC).strftime("%-d %b %Y %H:%M UTC")


def as_of(value: datetime | None) -> str:
    """When figures were last reported: "as of 3 May 2026 12:00 UTC", or "never"."""
    return "never" if value is None else f"as of {moment(value)}"


def day(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%-d %b")
