"""Post attribution pages and the TikTok webhook receiver.

Workspace pages: a campaign's per-creator progress (what the Campaign Details page loads
into its Posts section), its posts, and Sync now. Campaigns come through
get_for_workspace (another workspace's id is a 404); Sync now needs the manager role.

The receiver is public: TikTok signs each delivery with the app secret, and the path
carries the workspace's unguessable token. A bad signature is refused (401) before
anything is read from or written to the database.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from inviteflow.accounts.access import (
    WorkspaceRequest,
    campaign_for,
    get_for_workspace,
    workspace_view,
)
from inviteflow.accounts.models import Role
from inviteflow.campaigns.models import Campaign
from inviteflow.campaigns.queries import roster_of
from inviteflow.core.htmx import render_page_or_partial
from inviteflow.core.pagination import paginate
from inviteflow.core.policy import images_may_come_from
from inviteflow.core.sorting import sort_queryset
from inviteflow.links.models import InviteLink
from inviteflow.posts import media, queries, services, webhooks
from inviteflow.posts.models import Post, WebhookEndpoint
from inviteflow.tiktok.work import work_state

SECTION = "campaigns"
PROGRESS_PAGE_SIZE = 50
POSTS_PAGE_SIZE = 50
POSTS_SORTABLE = {
    "published": "published_at",
    "creator": "creator__handle",
    "linked": "linked_via",
    "state": "review_state",
    "counts": "counts",
}


def _campaign(request: WorkspaceRequest, campaign_id: int) -> Campaign:
    return campaign_for(request, campaign_id)  # a client: only its named campaigns


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@workspace_view(role=Role.CLIENT)
def campaign_progress(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """Per-creator progress (3/12), links, and why posts are missing; totals; Sync now."""
    return _progress(request, _campaign(request, campaign_id))


def _progress(request: WorkspaceRequest, campaign: Campaign) -> HttpResponse:
    """Refreshes itself while a sync is on its way or links are still being made (their
    tags show here), until both are settled."""
    page = paginate(request, roster_of(campaign), per_page=PROGRESS_PAGE_SIZE)
    sync = queries.sync_state(campaign)
    work = work_state(sync, campaign.workspace)
    links_pending = campaign.invite_links.filter(status=InviteLink.Status.PENDING).exists()
    context = {
        "section": SECTION,
        "campaign": campaign,
        "page": page,
        "progress": queries.progress_of(campaign, page.items),
        "totals": queries.totals(campaign),
        "sync": sync,
        "work": work,
        "links_pending": links_pending,
        "settled": work.settled and not links_pending,
    }
    return render_page_or_partial(
        request, "posts/progress.html", "posts/htmx/progress.html", context
    )


@images_may_come_from(media.thumbnail_sources)
@workspace_view(role=Role.CLIENT)
def campaign_posts(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """The campaign's posts, filtered by creator and state; each with its checks."""
    campaign = _campaign(request, campaign_id)
    creator_id = _int_or_none(request.GET.get("creator"))
    state = request.GET.get("state", "")
    posts, sort = sort_queryset(
        request, queries.posts_of(campaign, creator_id=creator_id, state=state), POSTS_SORTABLE
    )
    context = {
        "section": SECTION,
        "campaign": campaign,
        "state": state,
        "creator_id": creator_id,
        "states": [(value, value.replace("_", " ")) for value in queries.POST_STATES],
        "page": paginate(request, posts, per_page=POSTS_PAGE_SIZE),
        "sort": sort,
    }
    return render_page_or_partial(request, "posts/list.html", "posts/htmx/post_rows.html", context)


@require_POST
@workspace_view()
def campaign_sync(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """Sync now: reconcile with TikTok in the background; HTMX gets the section back."""
    campaign = _campaign(request, campaign_id)
    services.request_sync(campaign)
    if request.htmx:
        return _progress(request, campaign)
    messages.success(request, f"Sync of “{campaign.name}” with TikTok queued.")
    return redirect("campaign_detail", slug=request.workspace.slug, campaign_id=campaign.pk)


@require_POST
@workspace_view()
def count_decision(request: WorkspaceRequest, post_id: int) -> HttpResponse:
    """Count anyway / Don't count, with a reason (manager role: workspace_view's write
    role); back to the post in its campaign's list either way (post/redirect/get)."""
    posts = Post.objects.select_related("campaign", "creator")
    post = get_for_workspace(posts, request.workspace, pk=post_id)
    decision = request.POST.get("decision", "")
    try:
        services.decide_count(post, decision, request.POST.get("reason", ""), request.user)
    except ValidationError as exc:
        problems = "; ".join(f"{field}: {' '.join(m)}" for field, m in exc.message_dict.items())
        messages.error(request, f"Nothing decided for video {post.video_id}. {problems}")
    else:
        label = Post.CountDecision(decision).label
        messages.success(request, f"“{label}” recorded for @{post.creator.handle}'s post.")
    return redirect(_back_to(request, post))


def _back_to(request: WorkspaceRequest, post: Post) -> str:
    """The post in the list the form came from, with its filters: the manager lands where
    they were."""
    url = reverse("campaign_posts", args=[request.workspace.slug, post.campaign_id])
    kept = {key: request.POST[key] for key in ("state", "creator", "sort") if request.POST.get(key)}
    return f"{url}{'?' + urlencode(kept) if kept else ''}#post-{post.pk}"


@csrf_exempt
@require_POST
def tiktok_webhook(request: HttpRequest, token: str) -> HttpResponse:
    """Verify, store, answer 200; processing happens in a task enqueued on commit."""
    body = request.body
    signature = request.headers.get("X-Open-Signature", "")
    if not webhooks.signature_valid(settings.TIKTOK_APP_SECRET, body, signature):
        return JsonResponse(
            {"code": "bad_signature", "message": "X-Open-Signature does not match the body."},
            status=401,
        )
    endpoint = WebhookEndpoint.objects.filter(token=token).select_related("workspace").first()
    if endpoint is None:
        return JsonResponse({"code": "not_found", "message": "Unknown webhook."}, status=404)
    try:
        event = services.record_webhook(endpoint.workspace, body)
    except webhooks.Unreadable as exc:  # 400: TikTok's retries could not fix it either
        return JsonResponse({"code": "unreadable", "message": str(exc)}, status=400)
    return JsonResponse({"received": True, "duplicate": event is None})
