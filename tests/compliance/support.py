"""Helpers for compliance tests: scan a campaign as the worker does, find posts, remedies."""

from inviteflow.campaigns.models import Campaign
from inviteflow.creators.models import Creator
from inviteflow.posts.models import Post

BRANDED = "Loving the new range #springlaunch #ad"


def scan(world, campaign: Campaign) -> dict:
    """Scan now, run as the worker runs it (tasks and on-commit hooks executed)."""
    from inviteflow.compliance.tasks import scan_campaign

    with world.on_commit(execute=True):
        return scan_campaign.call(campaign.pk)


def with_emails(campaign: Campaign) -> None:
    for creator in Creator.objects.filter(campaign_entries__campaign=campaign):
        creator.email = f"{creator.handle}@creators.test"
        creator.save(update_fields=["email"])


def post_of(video_id: str) -> Post:
    return Post.objects.select_related("finding").get(video_id=video_id)


def link_request_id(world, video_id: str) -> str:
    answer = world.sandbox.http.get("/sandbox/link-requests", params={"video_id": video_id})
    [request] = answer.json()["link_requests"]
    return request["link_request_id"]


def calls(world, endpoint: str = "/tto/tcm/creator/public/video/list/") -> int:
    """Calls the sandbox answered on an endpoint (default: the creator public post list)."""
    stats = world.sandbox.http.get("/sandbox/stats").json()["by_endpoint"]
    return stats.get(endpoint, {}).get("total", 0)


_videos = iter(range(7_600_000_000_000_000_000, 7_700_000_000_000_000_000))


def flag_post(campaign: Campaign, handle: str, hours_ago: float = 5) -> Post:
    """A post found at risk, written as the scan writes it (no TikTok needed)."""
    from datetime import timedelta

    from django.utils import timezone

    from inviteflow.compliance import detection, services

    creator = Creator.objects.get(workspace=campaign.workspace, handle=handle)
    video = detection.PublicVideo(
        str(next(_videos)),
        timezone.now() - timedelta(hours=hours_ago),
        ("springlaunch",),
        frozenset(),
        False,
        "New in! #springlaunch",
    )
    hashtag = detection.Signal(detection.CAMPAIGN_HASHTAG, "#springlaunch")
    assert services.flag(campaign.workspace, campaign, creator.pk, video, [hashtag])
    return Post.objects.get(video_id=video.video_id)
