"""Health check and the landing page."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from inviteflow.accounts.models import Membership


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the web app, the database and the task backend are usable."""
    checks = {"database": _database_ok(), "tasks": _task_backend_ok()}
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "error",
        **{k: "ok" if v else "error" for k, v in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _task_backend_ok() -> bool:
    try:
        from django_tasks import task_backends

        task_backends["default"]  # noqa: B018 — instantiating checks the configuration
        return True
    except Exception:
        return False


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Straight into the user's only workspace; a chooser when there are several."""
    memberships = list(
        Membership.objects.filter(user_id=request.user.pk or 0)
        .select_related("workspace")
        .order_by("workspace__name")
    )
    if len(memberships) == 1:
        return redirect("campaign_list", slug=memberships[0].workspace.slug)
    return render(request, "core/home.html", {"memberships": memberships})
