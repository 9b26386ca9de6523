"""The scan reads only what is new: a first read goes back to the start of the creator's
earliest campaign window in pages of 10 (the client's size); the next stops at the newest post read before (one
call when nothing is new); a creator whose campaigns now reach further back is read again.
Each creator is read once per scan, against all their campaigns."""

from datetime import timedelta

from django.utils import timezone

from inviteflow.campaigns.models import CampaignCreator
from inviteflow.compliance import scanning
from inviteflow.compliance.models import ComplianceScan, ScanCursor
from inviteflow.posts.models import Post
from tests.campaigns.factories import make_campaign
from tests.compliance.support import calls, flag_post, scan


def publish_many(world, handle: str, count: int, caption: str = "Daily life") -> list[str]:
    return [world.sandbox.publish(handle, caption=caption)["video_id"] for _ in range(count)]


def test_first_scan_pages_back_then_next_scans_cost_one_call(world):
    campaign = world.campaign({"ada": 1, "bob": 1})
    publish_many(world, "ada", 45)
    flagged = publish_many(world, "ada", 1, "#springlaunch day")[0]
    result = scan(world, campaign)
    assert (result["calls"], result["videos_seen"], result["found"]) == (5 + 1, 46, 1)
    assert calls(world) == 5 + 1 + 1  # ada 5 pages, bob 1, then the takedown check of the post
    cursor = ScanCursor.objects.get(creator__handle="ada")
    assert cursor.newest_video_id == flagged

    assert scan(world, campaign)["calls"] == 2  # nothing new: one call per creator
    newer = publish_many(world, "bob", 2, "More #springlaunch")
    result = scan(world, campaign)
    assert (result["calls"], result["videos_seen"], result["found"]) == (2, 2, 2)
    assert set(Post.objects.filter(compliance="at_risk").values_list("video_id", flat=True)) == {
        flagged,
        *newer,
    }
    state = ComplianceScan.objects.get(campaign=campaign)
    assert state.finished_at and not state.running and state.creators_scanned == 2


def test_a_campaign_reaching_further_back_reads_the_creator_again(world):
    campaign = world.campaign({"ada": 1})
    publish_many(world, "ada", 3)
    scan(world, campaign)
    assert scan(world, campaign)["calls"] == 1
    earlier = make_campaign(
        world.workspace,
        name="Winter",
        tiktok_enabled=True,
        starts_on=timezone.localdate() - timedelta(days=30),
        ends_on=timezone.localdate() + timedelta(days=5),
        hashtags=["winter"],
    )
    CampaignCreator.objects.create(campaign=earlier, creator=campaign.roster.get().creator)
    old = ScanCursor.objects.get().covered_since
    scan(world, earlier)
    assert ScanCursor.objects.get().covered_since < old


def test_one_read_per_creator_flags_for_the_right_campaign(world):
    spring = world.campaign({"ada": 1})
    summer = make_campaign(
        world.workspace,
        name="Summer",
        tiktok_enabled=True,
        hashtags=["summer"],
        starts_on=spring.starts_on,
        ends_on=spring.ends_on,
    )
    CampaignCreator.objects.create(campaign=summer, creator=spring.roster.get().creator)
    video = world.sandbox.publish("ada", caption="Hello #summer")["video_id"]
    scan(world, spring)  # Scan now on Spring reads Ada once, for both campaigns
    assert Post.objects.get(video_id=video).campaign == summer
    assert scan(world, summer)["found"] == 0


def test_campaigns_outside_their_window_or_without_tiktok_are_not_scanned(world):
    today = timezone.localdate()
    live = world.campaign({"ada": 1})
    make_campaign(
        world.workspace,
        name="Old",
        tiktok_enabled=True,
        starts_on=today - timedelta(days=60),
        ends_on=today - timedelta(days=4),
    )
    make_campaign(
        world.workspace, name="Offline", tiktok_enabled=False, starts_on=today, ends_on=today
    )
    make_campaign(
        world.workspace,
        name="Later",
        tiktok_enabled=True,
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=9),
    )
    assert list(scanning.scannable_campaigns(world.workspace)) == [live]


def test_a_creator_tiktok_does_not_know_is_skipped_and_recorded(world):
    campaign = world.campaign({"ada": 1})
    invalid = world.campaign({"invalid_zed": 1}, name="Other")
    CampaignCreator.objects.create(campaign=campaign, creator=invalid.roster.get().creator)
    result = scan(world, campaign)
    assert result["creators_scanned"] == 1 and result["error"] == ""
    assert not ScanCursor.objects.filter(creator__handle="invalid_zed").exists()


def test_a_refused_takedown_check_shows_on_the_scan(world):
    """A 40002 on the takedown check is no longer only logged: the scan's status shows it."""
    campaign = world.campaign({"invalid_ada": 1})
    flag_post(campaign, "invalid_ada")
    result = scan(world, campaign)
    assert "40002" in result["error"] and "invalid_ada" in result["error"]
    assert "40002" in ComplianceScan.objects.get(campaign=campaign).last_error
