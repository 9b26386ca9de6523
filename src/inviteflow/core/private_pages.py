"""Pages behind an unguessable address and no login: a creator's own page, a shared report.

The address is the key, so such a page is read-only, never cached, kept out of search
engines, and never sent on as a Referer.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

PRIVATE_HEADERS = {"X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "no-referrer"}


def private_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @require_safe
    @never_cache
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        for header, value in PRIVATE_HEADERS.items():
            response[header] = value
        return response

    return wrapper
