"""Filters that write figures the way the report does (insights.formats)."""

from datetime import datetime
from typing import Any

from django import template

from inviteflow.insights import formats
from inviteflow.insights.figures import Figure

register = template.Library()


@register.filter
def show(figure: Figure, value: Any) -> str:
    """{{ figure|show:value }}: the value written as the figure's kind."""
    return figure.show(value)


@register.filter
def count(value: float | None) -> str:
    return formats.count(value)


@register.filter
def percent(value: float | None) -> str:
    return formats.percent(value)


@register.filter
def seconds(value: float | None) -> str:
    return formats.seconds(value)


@register.filter
def moment(value: datetime | None) -> str:
    return formats.moment(value)


@register.filter
def as_of(value: datetime | None) -> str:
    return formats.as_of(value)


@register.filter
def raw(value: Any) -> str:
    """A machine-readable value for data-value attributes ("" when missing)."""
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)
