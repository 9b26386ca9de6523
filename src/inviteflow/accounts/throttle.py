"""Login throttling glue for django-axes: whose account and which address a login attempt is.

Settings name these functions (AXES_USERNAME_CALLABLE, AXES_CLIENT_IP_CALLABLE); owners and
the `inviteflow unlock` command lift a lock through `unlock`.
"""

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def login_email(request: HttpRequest, credentials: dict | None) -> str:
    """Emails log in case-insensitively, so `Owner@X` and `owner@x` share one count."""
    raw = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(raw).strip().lower()


def client_address(request: HttpRequest) -> str:
    """The connection's address, or, behind TRUSTED_PROXY_COUNT proxies, the address the
    outermost trusted proxy saw (X-Forwarded-For entries to its left are the client's word)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def unlock(email: str) -> int:
    """Forget the failed logins of this account; returns how many records were removed."""
    return reset(username=email.strip().lower())


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The answer to a login attempt while its account or address is locked."""
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    context = {"cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


def locked_emails(emails: list[str]) -> set[str]:
    """Which of these accounts are locked out now (for owners' Settings → Members)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    failures = (
        AccessAttempt.objects.filter(
            username__in=[email.lower() for email in emails], attempt_time__gte=since
        )
        .values("username")
        .annotate(total=Sum("failures_since_start"))
    )
    limit = settings.AXES_FAILURE_LIMIT
    return {row["username"] for row in failures if row["total"] >= limit}
