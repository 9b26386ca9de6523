"""One view, two renderings: the full page, or only its partial for HTMX requests."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page_or_partial(
    request: HttpRequest, page: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    template = partial if getattr(request, "htmx", False) else page
    return render(request, template, context)
