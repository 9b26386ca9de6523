"""Health, readiness and metrics endpoints, the landing page and the favicon."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from inviteflow.accounts.models import Membership
from inviteflow.core import metrics, status
from inviteflow.core.clients import client_address


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the web app, the database and the task backend are usable."""
    checks = {"database": _database_ok(), "tasks": _task_backend_ok()}
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "error",
        **{k: "ok" if v else "error" for k, v in checks.items()},
        "backend": settings.TASKS_BACKEND,
    }
    return JsonResponse(body, status=200 if healthy else 503)


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database, Redis (when configured) and the task backend answer; else 503
    naming the ones that failed. For load balancers and orchestrators; /healthz stays cheap."""
    checks = status.readiness()
    failed = [name for name, result in checks.items() if result != "ok"]
    body = {
        "status": "error" if failed else "ok",
        "backend": settings.TASKS_BACKEND,
        "failed": failed,
        "checks": checks,
    }
    return JsonResponse(body, status=503 if failed else 200)


@require_GET
def prometheus_metrics(request: HttpRequest) -> HttpResponse:
    """This machine's counters and the installation's gauges, for METRICS_ALLOWED_IPS only."""
    address = client_address(request)
    if not metrics.reader_allowed(address, forwarded=_forwarded_untrusted(request)):
        message = f"{address or 'this address'} may not read the metrics (METRICS_ALLOWED_IPS)"
        return JsonResponse({"code": "forbidden", "message": message}, status=403)
    body = metrics.exposition([status.InstallationCollector()])
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


def _forwarded_untrusted(request: HttpRequest) -> bool:
    """Relayed by a proxy we were not told to trust: the real client is unknown."""
    return bool(request.headers.get("X-Forwarded-For")) and settings.TRUSTED_PROXY_COUNT == 0


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
    """Straight into the overview of the user's only workspace; a chooser when there are
    several."""
    memberships = list(
        Membership.objects.filter(user_id=request.user.pk or 0)
        .select_related("workspace")
        .order_by("workspace__name")
    )
    if len(memberships) == 1:
        return redirect("overview", slug=memberships[0].workspace.slug)
    return render(request, "core/home.html", {"memberships": memberships})


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (JSON, the API docs)."""
    return redirect(static("inviteflow/favicon.svg"), permanent=True)
