"""Login throttling glue for django-axes: whose account a login attempt is, and unlocking.

Settings name `login_email` (AXES_USERNAME_CALLABLE; the address is core.clients); owners and
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
