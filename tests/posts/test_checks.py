"""Acceptance 2 and the requirement checks: a post outside the date window is attributed but
flagged and not counted; missing hashtags and the wrong content type likewise; a creator
whose link is used up by posts that don't count gets another link."""

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from inviteflow.campaigns.models import Campaign
from inviteflow.core import enqueue
from inviteflow.links.models import InviteLink
from inviteflow.links.services import PROVISION_LINKS
from inviteflow.posts import checks
from inviteflow.posts.models import MissingPosts, Post

MAY = {
    "starts_on": date(2025, 5, 1),
    "ends_on": date(2025, 5, 31),
    "hashtags": ["springlaunch"],
    "content_type": "video",
}


def facts(day=date(2025, 5, 3), tags=("springlaunch",), described=True, kind="video"):
    moment = datetime(day.year, day.month, day.day, 23, 30, tzinfo=UTC) if day else None
    return checks.PostFacts(moment, list(tags), kind, described)


def results(campaign_fields=None, **post) -> dict[str, str]:
    campaign = Campaign(**{**MAY, **(campaign_fields or {})})
    return {name: c["result"] for name, c in checks.check(campaign, facts(**post)).items()}


def test_a_post_inside_the_window_with_the_hashtags_passes():
    assert results() == {"in_window": "pass", "content_type": "pass", "hashtags": "pass"}
    assert results(day=date(2025, 5, 31))["in_window"] == "pass"  # ends_on is included


def test_each_failing_requirement_says_why():
    campaign = Campaign(**MAY)
    late = checks.check(campaign, facts(day=date(2025, 6, 1), tags=("other",)))
    assert late["in_window"] == {
        "result": "fail",
        "reason": "published 1 Jun 2025, after the campaign window (1 May 2025 – 31 May 2025)",
    }
    assert late["hashtags"] == {"result": "fail", "reason": "missing #springlaunch"}
    assert results(day=date(2025, 4, 30))["in_window"] == "fail"
    assert results({"content_type": "photo"})["content_type"] == "fail"
    assert results({"content_type": "any"})["content_type"] == "pass"
    assert not checks.counts(late, linked=True, compliance="compliant")


def test_checks_wait_for_tiktok_to_describe_the_post():
    found = results(day=None, described=False)
    assert found == {"in_window": "pending", "content_type": "pass", "hashtags": "pending"}
    assert results({"hashtags": []}, described=False)["hashtags"] == "pass"


def test_only_linked_posts_that_are_not_at_risk_count():
    passing = checks.check(Campaign(**MAY), facts())
    assert checks.counts(passing, linked=True, compliance="remediated")
    assert not checks.counts(passing, linked=False, compliance="compliant")
    assert not checks.counts(passing, linked=True, compliance="at_risk")


def test_a_post_outside_the_date_window_is_attributed_flagged_and_not_counted(world, api):
    today = timezone.localdate()
    campaign = world.campaign(
        {"ada": 1}, starts_on=today + timedelta(days=5), ends_on=today + timedelta(days=30)
    )
    link = campaign.invite_links.get()
    world.publish(link)
    world.deliver(world.sandbox.deliveries())

    post = Post.objects.get()
    assert (post.campaign, post.creator, post.invite_link) == (campaign, link.creator, link)
    assert post.checks["in_window"]["result"] == "fail" and not post.counts
    assert "before the campaign window" in post.checks["in_window"]["reason"]
    link.refresh_from_db()
    assert link.posts_used == 1

    item = api.get(f"/campaigns/{campaign.pk}/posts").json()["items"][0]
    assert item["counts"] is False and item["checks"]["in_window"]["result"] == "fail"
    world.sync(campaign)
    reasons = MissingPosts.objects.get(campaign=campaign).reasons
    assert reasons[0]["code"] == "outside_window" and reasons[0]["video_id"] == post.video_id


def test_changing_the_requirements_rechecks_posts_at_the_next_sync(world):
    campaign = world.campaign({"ada": 1})
    world.publish(campaign.invite_links.get(), caption="no tags here")
    world.deliver(world.sandbox.deliveries())
    assert not Post.objects.get().counts
    Campaign.objects.filter(pk=campaign.pk).update(hashtags=[])
    world.sync(campaign)
    assert Post.objects.get().counts


def test_a_creator_whose_link_is_used_up_by_posts_that_dont_count_gets_another(world, monkeypatch):
    queued, enqueue_now = [], enqueue._enqueue

    def hold_provisioning(name, args, run_after):  # the new link is not provisioned here
        if name == PROVISION_LINKS:
            queued.append(args[0])
        else:
            enqueue_now(name, args, run_after)

    monkeypatch.setattr(enqueue, "_enqueue", hold_provisioning)
    campaign = world.campaign({"ada": 3})
    link = campaign.invite_links.get()
    world.publish(link, 2)
    world.publish(link, 8, caption="forgot the hashtag")
    world.deliver(world.sandbox.deliveries())

    assert Post.objects.filter(counts=True).count() == 2
    links = list(InviteLink.objects.filter(campaign=campaign).order_by("sequence"))
    assert [(x.sequence, x.status, x.posts_used) for x in links] == [
        (1, "exhausted", 10),
        (2, "pending", 0),
    ]
    assert queued == [campaign.pk]
