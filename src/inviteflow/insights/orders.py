"""Metrics of posts linked through a campaign code whose object TikTok's TTO campaign list never
showed (whether it does is unknown, contract §13): read from the legacy order report,
`/tcm/report/get/v2/`, by the code's orders (S1). That report has no `Country-Code`: its one
global figure is recorded under the campaign's first region.
"""

import logging
from collections import defaultdict
from typing import Protocol

from django.conf import settings
from django.utils import timezone

from inviteflow.campaigns.models import Campaign
from inviteflow.compliance.models import CodeOrder
from inviteflow.insights import services
from inviteflow.insights.models import PostInsights
from inviteflow.insights.services import PostRef
from inviteflow.posts.models import Post
from inviteflow.tiktok import errors
from inviteflow.tiktok.client import TikTokClient

log = logging.getLogger(__name__)


def plan(campaign: Campaign, region: str) -> list[tuple[str, list[str], dict[str, PostRef]]]:
    """(code, its order ids, the posts of its creators) for every code with such posts."""
    posts_by_creator: dict[int, dict[str, PostRef]] = defaultdict(dict)
    for post_id, video_id, creator_id in _unlisted_code_posts(campaign, region):
        posts_by_creator[creator_id][video_id] = PostRef(post_id, creator_id)
    orders = CodeOrder.objects.filter(
        campaign_code__campaign=campaign, creator_id__in=list(posts_by_creator)
    ).exclude(order_id="")
    by_code: dict[str, tuple[list[str], dict[str, PostRef]]] = defaultdict(lambda: ([], {}))
    for code, order_id, creator_id in orders.values_list(
        "campaign_code__code", "order_id", "creator_id"
    ):
        order_ids, posts = by_code[code]
        order_ids.append(order_id)
        posts.update(posts_by_creator[creator_id])
    return [(code, order_ids, posts) for code, (order_ids, posts) in by_code.items()]


def _unlisted_code_posts(campaign: Campaign, region: str) -> list[tuple[int, str, int]]:
    final = PostInsights.objects.filter(campaign=campaign, country_code=region, final=True)
    return list(
        Post.objects.filter(
            campaign=campaign, linked_via=Post.LinkedVia.CAMPAIGN_CODE, tiktok_campaign_id=""
        )
        .exclude(pk__in=final.values("post_id"))
        .values_list("id", "video_id", "creator_id")
    )


class Reading(Protocol):
    """The insights sync under way (sync.Run)."""

    campaign: Campaign
    client: TikTokClient
    account_id: str

    def add(self, recorded: services.Recorded) -> None: ...
    def note_failure(self, label: str, region: str, exc: errors.TikTokError) -> None: ...


def read(run: Reading, region: str) -> None:
    """Every code's legacy report, recorded like a TTO report; errors noted, not raised."""
    for code, order_ids, posts in plan(run.campaign, region):
        label = f"code {code}"
        try:
            videos = list(
                run.client.order_report(
                    run.account_id, order_ids, page_size=settings.TIKTOK_ORDER_PAGE_SIZE
                )
            )
        except errors.TikTokError as exc:
            log.warning("legacy order report of %s: %r", label, exc)
            run.note_failure(label, region, exc)
            continue
        run.add(services.record_report(run.campaign, label, region, posts, videos, timezone.now()))
