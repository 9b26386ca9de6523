"""Reconciliation: read what TikTok reports and bring posts in line, so a lost webhook never
loses a post. The only module of the app that calls TikTok; writes go through services.

Per campaign: the `video_ids` of every TikTok campaign object behind its invite links
(§5.4; linked videos appear there about 48 h after publishing), then the public post list
for posts not yet described (caption, hashtags, publish time: §4.3), then "why is my post
missing" for creators who still owe posts. TikTok calls happen outside transactions.
"""

import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.posts import diagnosis, queries, resolvers, services
from inviteflow.posts.models import MissingPosts, Post
from inviteflow.tiktok import errors, schemas
from inviteflow.tiktok.client import TikTokClient

log = logging.getLogger(__name__)

PUBLIC_POSTS_MAX = 100  # "why is my post missing" looks at the creator's last 100 posts at most
TIKTOK_CAMPAIGN_TYPE = "CAMPAIGN"  # every invite link's object (issue 4)


def surface_delay() -> timedelta:
    """How long TikTok takes to report a linked post (contract §10: about 48 h)."""
    return timedelta(hours=settings.ATTRIBUTION_SURFACE_DELAY_HOURS)


@dataclass
class Sync:
    campaign: Campaign
    client: TikTokClient
    account_id: str
    videos_seen: int = 0
    posts_added: int = 0
    # Reads TikTok refused (40002…): the other creators went on; the sync's status shows them.
    refused: list[errors.TikTokError] = field(default_factory=list)


def sync_campaign(sync: Sync, missing_max_age: timedelta) -> Sync:
    reconcile_video_ids(sync)
    services.recheck(sync.campaign)  # dates, hashtags or content type may have changed
    services.settle(sync.campaign)
    describe_posts(sync.campaign, sync.client, sync.account_id, sync.refused)
    diagnose(sync, missing_max_age)
    return sync


# -- Linked videos --------------------------------------------------------------------------


def reconcile_video_ids(sync: Sync) -> None:
    """Every video TikTok lists on the campaign's link objects becomes (or stays) a post."""
    workspace = sync.campaign.workspace
    objects = sync.campaign.invite_links.exclude(tiktok_campaign_id="")
    reported = reported_videos(
        sync.client, sync.account_id, list(objects.values_list("tiktok_campaign_id", flat=True))
    )
    sync.videos_seen = len(reported)
    linked = _linked_video_ids(workspace, list(reported))
    for video_id, object_id in reported.items():
        if video_id in linked:
            continue
        target = resolvers.resolve(workspace, sync.account_id, object_id, video_id)
        if target is not None:
            services.attribute(workspace, target, video_id, Post.FoundBy.RECONCILIATION)
            sync.posts_added += 1


def reported_videos(client: TikTokClient, account_id: str, object_ids: list[str]) -> dict[str, str]:
    """video id → TikTok campaign object id, for the given objects (§5.4; the client splits
    the ids and pages as TikTok allows)."""
    found: dict[str, str] = {}
    if not object_ids:
        return found  # no filter would list every object of the account
    for obj in client.campaigns(
        account_id, campaign_ids=object_ids, campaign_type=TIKTOK_CAMPAIGN_TYPE
    ):
        for video_id in obj.video_ids:
            found.setdefault(video_id, obj.campaign_id)
    return found


def _linked_video_ids(workspace: Workspace, video_ids: list[str]) -> set[str]:
    linked: set[str] = set()
    for chunk in _chunks(video_ids, 500):
        posts = Post.objects.filter(workspace=workspace, video_id__in=chunk).exclude(linked_via="")
        linked.update(posts.values_list("video_id", flat=True))
    return linked


# -- Descriptions ---------------------------------------------------------------------------


def describe_posts(
    campaign: Campaign,
    client: TikTokClient,
    account_id: str,
    refused: list[errors.TikTokError] | None = None,
) -> int:
    """Caption, hashtags and publish time for posts TikTok has not described yet; reads TikTok
    refused are added to `refused` (else only logged: the next sync describes them)."""
    pending = Post.objects.filter(campaign=campaign, details_fetched_at__isnull=True)
    by_handle: dict[str, list[str]] = defaultdict(list)
    for handle, video_id in pending.values_list("creator__handle", "video_id"):
        by_handle[handle].append(video_id)
    described: list[Post] = []
    for handle, video_ids in by_handle.items():
        items = _public_posts(client, account_id, handle, video_ids, refused)
        described += services.describe(campaign.workspace, items)
    if described:
        services.settle(
            campaign, {post.invite_link_id for post in described if post.invite_link_id}
        )
    return len(described)


def _public_posts(
    client: TikTokClient,
    account_id: str,
    handle: str,
    video_ids: list[str],
    refused: list[errors.TikTokError] | None,
) -> list[schemas.Post]:
    """Posts not yet public (in review, taken down) are simply not returned."""
    try:
        return list(client.creator_videos(account_id, handle, video_ids=video_ids))
    except (errors.InvalidParams, errors.NotFound) as exc:
        log.info("public posts of @%s: %r", handle, exc)
        if isinstance(exc, errors.InvalidParams) and refused is not None:
            refused.append(exc)
        return []


# -- Why is my post missing -----------------------------------------------------------------


def diagnose(sync: Sync, max_age: timedelta) -> int:
    """Refresh the reasons of creators who still owe posts (older than `max_age`)."""
    campaign = sync.campaign
    owing = queries.owing(campaign)
    services.forget_missing(campaign, [row.entry.creator_id for row in owing])
    fresh = set(
        MissingPosts.objects.filter(
            campaign=campaign, stale=False, checked_at__gt=timezone.now() - max_age
        ).values_list("creator_id", flat=True)
    )
    stale = [row for row in owing if row.entry.creator_id not in fresh]
    for row in stale:
        services.save_missing(campaign, row.entry.creator_id, _reasons(sync, row))
    return len(stale)


def _reasons(sync: Sync, row: queries.CreatorProgress) -> list[dict[str, str]]:
    campaign, creator = sync.campaign, row.entry.creator
    links = [
        diagnosis.LinkFacts(link.status, link.url, link.failure_message)
        for link in campaign.invite_links.filter(creator=creator).order_by("sequence")
    ]
    situation = diagnosis.Situation(
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        hashtags=campaign.hashtags,
        links=links,
        posts=_our_posts(campaign, creator.pk),
        public=[],
        known_video_ids=set(
            Post.objects.filter(workspace=campaign.workspace, creator=creator).values_list(
                "video_id", flat=True
            )
        ),
        now=timezone.now(),
        surface_delay=surface_delay(),
    )
    if any(link.url for link in links):  # without a link, nothing can be linked yet
        since = datetime.combine(campaign.starts_on, time.min, timezone.get_current_timezone())
        situation = replace(situation, public=recent_public(sync, creator.handle, since))
    return diagnosis.reasons(situation)


def _our_posts(campaign: Campaign, creator_id: int) -> list[diagnosis.OurPost]:
    return [
        diagnosis.OurPost(
            post.video_id,
            post.is_linked,
            post.counts,
            post.compliance,
            post.checks,
            post.published_at,
        )
        for post in Post.objects.filter(campaign=campaign, creator_id=creator_id)
    ]


def recent_public(sync: Sync, handle: str, since: datetime) -> list[diagnosis.PublicPost]:
    """The creator's public posts, newest first, back to `since` (bounded)."""
    found: list[diagnosis.PublicPost] = []
    try:
        for page in _public_pages(sync, handle):
            found += [_public(item) for item in page]
            oldest = found[-1].published_at if found else None
            if oldest is not None and oldest < since:
                break
    except (errors.InvalidParams, errors.NotFound) as exc:
        log.info("recent posts of @%s: %r", handle, exc)
        if isinstance(exc, errors.InvalidParams):
            sync.refused.append(exc)
    return found


def _public_pages(sync: Sync, handle: str) -> Iterator[list[schemas.Post]]:
    cursor, read = None, 0
    while read < PUBLIC_POSTS_MAX:
        page = sync.client.creator_videos_page(sync.account_id, handle, cursor=cursor)
        read += len(page.posts)
        yield page.posts
        if not (page.page_info.has_more and page.posts) or page.page_info.cursor == cursor:
            return
        cursor = page.page_info.cursor


def _public(item: schemas.Post) -> diagnosis.PublicPost:
    return diagnosis.PublicPost(
        video_id=item.video_id,
        published_at=services.parse_create_time(item.create_time),
        hashtags=services.hashtags_of(item),
        toggle_on=item.collaboration_status == diagnosis.PAID_PARTNERSHIP,
    )


# -- Webhook subscription -------------------------------------------------------------------


def callback_url(token: str) -> str:
    return settings.SITE_URL + reverse("tiktok_webhook", args=[token])


def ensure_subscription(
    workspace: Workspace, client: TikTokClient, account_id: str, *, replace: bool = False
) -> str:
    """Exactly one live TCM_VIDEOS subscription to this workspace's callback URL.

    On (re)connect (`replace`), subscriptions made with an older token are removed first:
    TikTok silently stops one whose token was revoked. Otherwise an existing one is kept,
    so a retried call never subscribes twice.
    """
    endpoint = services.endpoint_for(workspace)
    url = callback_url(endpoint.token)
    ours = [s for s in client.subscriptions() if s.callback_url == url]
    if replace:
        for subscription in ours:
            client.unsubscribe(subscription.subscription_id)
        ours = []
    current = [s for s in ours if s.subscription_detail.tto_tcm_account_id in ("", account_id)]
    subscription_id = current[0].subscription_id if current else client.subscribe(account_id, url)
    services.record_subscription(endpoint, account_id, subscription_id)
    return subscription_id


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
