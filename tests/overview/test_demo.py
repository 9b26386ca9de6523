"""`inviteflow seed_demo --connect-sandbox URL` (what `make run` runs on every start): the demo
workspace gets a campaign in flight, made through the product's own services and tasks
against the sandbox over HTTP; running it again changes nothing; `--reset` starts over."""

from io import StringIO

import pytest
from django.core.management import call_command

from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.creators.models import Creator
from inviteflow.insights.models import PostInsights
from inviteflow.links.models import InviteLink
from inviteflow.outreach.models import OutboxMessage
from inviteflow.overview import demo
from inviteflow.posts.models import Post


@pytest.fixture
def one_thread(settings):
    """The test's transaction is not seen by other threads: the seed's pools run inline."""
    settings.LINK_PROVISIONING_CONCURRENCY = settings.COMPLIANCE_SCAN_CONCURRENCY = 1
    settings.INSIGHTS_SYNC_CONCURRENCY = settings.OUTREACH_SMTP_CONNECTIONS = 1


def seed(sandbox_url: str, *flags: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--connect-sandbox", sandbox_url, *flags, stdout=out)
    return out.getvalue()


def demo_state() -> dict[str, object]:
    """What the demo holds, for comparing two runs."""
    posts = Post.objects.filter(workspace__slug="demo")
    return {
        "creators": Creator.objects.filter(workspace__slug="demo").count(),
        "links": sorted(
            InviteLink.objects.filter(workspace__slug="demo").values_list("url", flat=True)
        ),
        "posts": sorted(posts.values_list("video_id", "linked_via", "compliance", "counts")),
        "insights": PostInsights.objects.filter(workspace__slug="demo").count(),
        "emails": sorted(
            OutboxMessage.objects.filter(workspace__slug="demo").values_list("to_email", "status")
        ),
    }


def test_the_demo_campaign_is_in_flight(db, live_sandbox, one_thread):
    printed = seed(live_sandbox.url)
    assert "Demo login: demo@inviteflow.local / " in printed
    campaign = Campaign.objects.get(workspace__slug="demo", name=demo.CAMPAIGN)
    assert campaign.status == "active" and campaign.tiktok_enabled

    # One invite link per creator, each its own campaign object in the sandbox.
    links = list(campaign.invite_links.all())
    assert len(links) == len(demo.CREATORS) and {link.status for link in links} == {"active"}
    objects = {c["campaign_id"] for c in live_sandbox.campaigns()["campaigns"]}
    assert {link.tiktok_campaign_id for link in links} <= objects

    # Posts through the links are attributed; one without the link is at risk; one is fixed.
    posts = Post.objects.filter(campaign=campaign).select_related("creator")
    through_links = sum(c.through_link for c in demo.CREATORS)
    assert posts.filter(linked_via="invite_link", counts=True).count() == through_links
    [at_risk] = posts.filter(compliance="at_risk")
    assert at_risk.creator.handle == demo.AT_RISK_HANDLE and at_risk.finding.takedown_at
    [fixed] = posts.filter(compliance="remediated")
    assert (fixed.creator.handle, fixed.linked_via, fixed.counts) == (
        demo.REMEDIATED_HANDLE,
        "campaign_code",
        True,
    )

    # Two days of sandbox time later, TikTok reported every linked post.
    linked = set(posts.exclude(linked_via="").values_list("pk", flat=True))
    reported = PostInsights.objects.filter(campaign=campaign, video_views__gt=0)
    assert set(reported.values_list("post_id", flat=True)) == linked

    # The invite emails (and the campaign code's) are in the Outbox, sent.
    emails = OutboxMessage.objects.filter(campaign=campaign)
    assert emails.count() == len(demo.CREATORS) + 1
    assert set(emails.values_list("status", flat=True)) == {"sent"}


def test_seeding_again_changes_nothing(db, live_sandbox, one_thread):
    seed(live_sandbox.url)
    before, objects = demo_state(), live_sandbox.stats()["campaign_objects_created"]
    live_sandbox.clear_stats()
    printed = seed(live_sandbox.url)
    assert "seeded" not in printed
    assert demo_state() == before
    assert live_sandbox.stats()["campaign_objects_created"] == objects
    assert live_sandbox.stats()["total_calls"] == 0  # not one TikTok call


def test_reset_starts_the_demo_over(db, live_sandbox, one_thread):
    seed(live_sandbox.url)
    first = Workspace.objects.get(slug="demo").pk
    before = demo_state()
    printed = seed(live_sandbox.url, "--reset")
    assert "Demo workspace deleted." in printed and "seeded" in printed
    assert Workspace.objects.get(slug="demo").pk != first
    after = demo_state()
    assert after["creators"] == before["creators"]
    assert len(after["posts"]) == len(before["posts"])  # the old demo's videos are gone too
    assert [p[2] for p in after["posts"]].count("at_risk") == 1
    assert Workspace.objects.filter(pk=first).exists() is False


def test_without_a_sandbox_only_the_workspace_and_login_are_made(db):
    printed = StringIO()
    call_command("seed_demo", stdout=printed)
    assert "Demo login:" in printed.getvalue()
    assert Workspace.objects.filter(slug="demo").exists()
    assert not Campaign.objects.filter(workspace__slug="demo").exists()


def test_a_deleted_demo_campaign_is_seeded_again_with_the_same_creators(
    db, live_sandbox, one_thread
):
    seed(live_sandbox.url)
    creators = sorted(Creator.objects.filter(workspace__slug="demo").values_list("pk", flat=True))
    Campaign.objects.filter(workspace__slug="demo").delete()
    assert "seeded" in seed(live_sandbox.url)
    assert Campaign.objects.filter(workspace__slug="demo", name=demo.CAMPAIGN).exists()
    again = sorted(Creator.objects.filter(workspace__slug="demo").values_list("pk", flat=True))
    assert again == creators
