"""Content-Security-Policy exceptions: the site-wide policy is in settings; a page that really
needs more says so here, by name, and nowhere else."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.http.response import HttpResponseBase

ViewT = TypeVar("ViewT", bound=Callable[..., HttpResponseBase])

# An email's HTML (a preview or a sent copy) is shown in a sandboxed srcdoc iframe, which
# inherits its page's policy. Emails style themselves inline; the sandbox (no scripts, an
# opaque origin) keeps that harmless, so these pages allow inline styles and nothing else.
shows_email_html = csp_update({"style-src": [UNSAFE_INLINE]})


def forms_may_lead_to(origin_of: Callable[[], str]) -> Callable[[ViewT], ViewT]:
    """The page's forms may also lead to `origin_of()`'s origin (read per request, as settings
    name it): a form whose answer redirects to another site, such as an OAuth consent screen,
    is held to form-action too."""

    def decorator(view: ViewT) -> ViewT:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> HttpResponseBase:
            return csp_update({"form-action": [origin_of()]})(view)(*args, **kwargs)

        return cast(ViewT, wrapped)

    return decorator


def images_may_come_from(sources_of: Callable[[], list[str]]) -> Callable[[ViewT], ViewT]:
    """The page may also show images from `sources_of()` (read per request, as settings name
    them): the posts list shows thumbnails from TikTok's CDN hosts."""

    def decorator(view: ViewT) -> ViewT:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> HttpResponseBase:
            return csp_update({"img-src": sources_of()})(view)(*args, **kwargs)

        return cast(ViewT, wrapped)

    return decorator
