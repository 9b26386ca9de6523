"""Insights test data: linked posts written straight to the database, and report entries
shaped as TikTok sends them (parsed by the real schema), recorded through the service."""

from datetime import UTC, datetime
from itertools import count

from inviteflow.campaigns.models import Campaign, CampaignCreator
from inviteflow.creators.models import Creator
from inviteflow.insights import services
from inviteflow.insights.services import PostRef
from inviteflow.links.models import InviteLink
from inviteflow.posts.models import Post
from inviteflow.tiktok.schemas import VideoMetrics
from tests.campaigns.factories import make_campaign

_ids = count(7_600_000_000_000_000_000)
AS_OF = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)


def next_id() -> str:
    return str(next(_ids))


def campaign_with_posts(workspace, posts: dict[str, int], **fields) -> Campaign:
    """A TikTok campaign whose creators (handle -> number of posts) each hold one link."""
    campaign = make_campaign(workspace, **{"tiktok_enabled": True, "countries": ["US"], **fields})
    for handle, n in posts.items():
        creator = Creator.objects.create(workspace=workspace, handle=handle, name=handle.title())
        CampaignCreator.objects.create(campaign=campaign, creator=creator)
        link = InviteLink.objects.create(
            workspace=workspace,
            campaign=campaign,
            creator=creator,
            sequence=1,
            status="active",
            tiktok_campaign_id=next_id(),
            url=f"https://sandbox.test/t/{handle}/",
        )
        for _ in range(n):
            add_post(link)
    return campaign


def add_post(link: InviteLink, **fields) -> Post:
    return Post.objects.create(
        workspace=link.workspace,
        campaign=link.campaign,
        creator=link.creator,
        invite_link=link,
        tiktok_campaign_id=link.tiktok_campaign_id,
        video_id=next_id(),
        linked_via="invite_link",
        review_state="published",
        found_by="webhook",
        published_at=AS_OF,
        **fields,
    )


def entry(video_id: str, views: int, **fields) -> dict:
    """A §7.3 VideoMetrics entry keeping TikTok's identities."""
    likes, comments, shares = views // 10, views // 100, views // 200
    base = {
        "video_info": {"video_id": video_id, "create_time": "2026-05-02 10:00:00"},
        "creator_info": {"handle_name": "someone"},
        "video_views": views,
        "video_views_organic": views - views // 4,
        "video_views_paid": views // 4,
        "reach": views * 3 // 4,
        "likes": likes,
        "comments": comments,
        "shares": shares,
        "favorites": views // 50,
        "engagement_count": likes + comments + shares,
        "engagement_rate": round((likes + comments + shares) / views, 4) if views else 0.0,
        "video_completion_rate": 0.3,
        "average_view_time": 8.0,
        "total_play_time": views * 8,
        "two_seconds_views": 0.8,
        "six_seconds_views": 0.5,
        "video_view_retention": [1.0, 0.8, 0.6, 0.5, 0.4, 0.3],
        "video_views_by_source": {"for_you": views - views // 5, "search": views // 5},
        "audience_genders_distribution": [
            {"gender": "FEMALE", "percentage": 0.6},
            {"gender": "MALE", "percentage": 0.4},
        ],
        "audience_age_distribution": [
            {"age": "18-24", "percentage": 0.5},
            {"age": "25-34", "percentage": 0.5},
        ],
        "audience_countries_distribution": [
            {"country": "US", "percentage": 0.7},
            {"country": "GB", "percentage": 0.3},
        ],
        "audience_device_distribution": [
            {"device": "ios", "percentage": 0.55},
            {"device": "android", "percentage": 0.45},
        ],
    }
    return {**base, **fields}


def metrics(video_id: str, views: int, **fields) -> VideoMetrics:
    return VideoMetrics.model_validate(entry(video_id, views, **fields))


def refs(posts) -> dict[str, PostRef]:
    return {post.video_id: PostRef(post.pk, post.creator_id) for post in posts}


def record(campaign: Campaign, posts, entries, region: str = "US", at: datetime = AS_OF):
    """Record one object's report, as the sync does after reading it from TikTok."""
    object_id = posts[0].tiktok_campaign_id
    return services.record_report(campaign, object_id, region, refs(posts), entries, at)


def report_everything(
    campaign: Campaign,
    views=lambda i: 1000 * (i + 1),
    region: str = "US",
    at: datetime = AS_OF,
    **fields,
) -> list[Post]:
    """Every post of the campaign reported, post i with views(i); one record per link."""
    posts = list(Post.objects.filter(campaign=campaign).order_by("id"))
    views_of = {post.pk: views(i) for i, post in enumerate(posts)}
    by_object: dict[str, list[Post]] = {}
    for post in posts:
        by_object.setdefault(post.tiktok_campaign_id, []).append(post)
    for group in by_object.values():
        record(
            campaign,
            group,
            [metrics(p.video_id, views_of[p.pk], **fields) for p in group],
            region,
            at,
        )
    return posts
