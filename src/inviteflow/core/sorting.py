"""Sortable list columns: `?sort=field` / `?sort=-field`, from a whitelist per list.

An unknown or missing sort value keeps the list's default order (never an error); every
sorted list ends with the id, so rows that tie keep a stable order across pages.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.http import HttpRequest


@dataclass
class Column:
    """One sortable header: where clicking it goes and what it announces (aria-sort)."""

    href: str
    aria_sort: str  # "ascending", "descending" or "" when the list is not sorted by it


@dataclass
class Sort:
    value: str  # the active `sort` parameter ("name", "-name") or "" for the default order
    columns: dict[str, Column]


def sort_queryset(
    request: HttpRequest, queryset: QuerySet[Any], fields: dict[str, str]
) -> tuple[QuerySet[Any], Sort]:
    """`queryset` ordered by the request's `sort` (a key of `fields`, which maps each key to
    a model field path), and the header links for every key, other parameters kept."""
    value = request.GET.get("sort", "")
    key = value.removeprefix("-")
    if key not in fields:
        value = ""
    else:
        descending = value.startswith("-")
        field = F(fields[key])
        ordered = field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
        queryset = queryset.order_by(ordered, "-id" if descending else "id")
    return queryset, Sort(value, {name: _column(request, name, value) for name in fields})


def _column(request: HttpRequest, name: str, active: str) -> Column:
    params = request.GET.copy()
    params["sort"] = f"-{name}" if active == name else name
    aria = {name: "ascending", f"-{name}": "descending"}.get(active, "")
    return Column(href=f"{request.path}?{params.urlencode()}", aria_sort=aria)
