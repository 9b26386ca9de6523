"""TikTok on day one: the whole loop against the sandbox's default profile and its strict one
(contract §13: bounds of 10, `campaign_name` required when adding creators, `invite_link`
absent from the create answer and listed a few seconds later, non-ASCII dropped from names,
campaign-code objects not in the TTO list).

Links 12 / 10 / 1 get TikTok's own URL exactly once, posts published through them are
attributed, an unlinked post is fixed with a campaign code, and insights are read.
"""

import time
from collections.abc import Iterator

import pytest

from inviteflow.campaigns import services as campaigns
from inviteflow.campaigns.models import Campaign
from inviteflow.creators.models import Creator
from inviteflow.insights.models import PostInsights
from inviteflow.insights.tasks import sync_campaign_insights
from inviteflow.links.models import InviteLink
from inviteflow.links.tasks import provision_links
from inviteflow.posts.models import Post
from inviteflow.tiktok.connections import connect_with_token
from tests.compliance.support import BRANDED, post_of, scan, with_emails
from tests.posts.conftest import World, immediate_tasks, serve_sandbox  # noqa: F401
from tests.posts.support import FAST, Sandbox
from tiktok_sandbox.config import SandboxConfig

LINK_WAIT_S = 20.0


@pytest.fixture(params=["default", "strict"])
def profiled_sandbox(request, settings) -> Iterator[Sandbox]:
    # One thread each: the test's database transaction is not shared with other threads.
    settings.LINK_PROVISIONING_CONCURRENCY = settings.COMPLIANCE_SCAN_CONCURRENCY = 1
    settings.INSIGHTS_SYNC_CONCURRENCY = 1
    yield from serve_sandbox(settings, SandboxConfig(profile=request.param, **FAST))


@pytest.fixture
def day_one(actors, profiled_sandbox, immediate_tasks, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        connect_with_token(actors.workspace, profiled_sandbox.account_id, profiled_sandbox.token)
    return World(profiled_sandbox, actors.workspace, django_capture_on_commit_callbacks)


def provision(world: World, campaign: Campaign) -> list[InviteLink]:
    """Run provisioning as the worker does until every link has TikTok's URL (the strict
    sandbox lists it a few seconds after the create answer)."""
    deadline = time.monotonic() + LINK_WAIT_S
    while True:
        provision_links.call(campaign.pk)
        links = list(
            campaign.invite_links.select_related("creator").order_by("creator__handle", "sequence")
        )
        if all(link.status == "active" for link in links) or time.monotonic() > deadline:
            return links
        time.sleep(0.5)


def test_the_whole_loop_works_on_both_profiles(day_one, api, settings):
    world = day_one
    campaign = world.campaign({}, name="Été Launch — ünïcode", tiktok_enabled=False)
    for handle, posts in {"ada": 12, "bob": 10, "cy": 1}.items():
        creator = Creator.objects.create(workspace=world.workspace, handle=handle, name=handle)
        campaigns.add_creators(campaign, [creator], posts_required=posts)
    with_emails(campaign)
    campaigns.update_campaign(campaign, tiktok_enabled=True)  # links planned; provisioned below
    links = provision(world, campaign)

    # Links 12 / 10 / 1: TikTok's own URL on each, one TikTok object each, never twice.
    assert [(link.creator.handle, link.status) for link in links] == [
        ("ada", "active"),
        ("ada", "active"),
        ("bob", "active"),
        ("cy", "active"),
    ]
    objects = {
        c["campaign_id"]: c
        for c in world.sandbox.http.get("/sandbox/campaigns").json()["campaigns"]
        if not c.get("campaign_code")
    }
    assert len(objects) == 4
    for link in links:
        assert objects[link.tiktok_campaign_id]["invite_link"] == link.url != ""
        assert objects[link.tiktok_campaign_id]["campaign_name"].isascii()

    # Posts through the links are attributed (webhooks, then a sync for what they missed).
    ada_link = links[0]
    world.publish(ada_link, 2)
    world.publish(links[2])
    world.deliver(world.sandbox.deliveries())
    world.sync(campaign)
    linked = Post.objects.filter(campaign=campaign, linked_via="invite_link")
    assert linked.count() == 3
    assert InviteLink.objects.get(pk=ada_link.pk).posts_used == 2

    # Cy publishes without the link; a scan flags it; a campaign code fixes it.
    video = world.sandbox.publish("cy", caption=BRANDED)["video_id"]
    scan(world, campaign)
    assert post_of(video).compliance == "at_risk"
    with world.on_commit(execute=True):
        answer = api.post(f"/posts/{post_of(video).pk}/campaign-code")
    assert answer.status_code == 200, answer.json()
    applied = world.sandbox.http.post(
        "/sandbox/apply-code",
        json={"video_id": video, "campaign_code": answer.json()["campaign_code"]},
    )
    assert applied.status_code == 200, applied.text
    world.deliver(world.sandbox.deliveries())
    scan(world, campaign)  # the code's orders name the video, listed object or not
    fixed = post_of(video)
    assert (fixed.linked_via, fixed.compliance) == ("campaign_code", "remediated")

    # Two days on, TikTok reports the linked posts: every one gets its figures.
    world.sandbox.advance(49)
    result = sync_campaign_insights.call(campaign.pk)
    assert result["error"] == "", result
    reported = set(PostInsights.objects.filter(campaign=campaign).values_list("post_id", flat=True))
    assert reported == set(
        Post.objects.filter(campaign=campaign).exclude(linked_via="").values_list("pk", flat=True)
    )
    assert all(
        insights.video_views > 0 for insights in PostInsights.objects.filter(campaign=campaign)
    )
