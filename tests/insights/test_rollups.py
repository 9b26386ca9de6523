"""Recording reports and rolling them up: totals are sums, rates are weighted by views,
distributions are weighted and sum to 1, history is kept, posts TikTok stops reporting
keep their last figures and turn final."""

from datetime import timedelta

import pytest

from inviteflow.insights import rollups
from inviteflow.insights.models import Breakdown, CampaignSnapshot, MetricSnapshot, PostInsights
from inviteflow.insights.services import record_campaign_totals
from inviteflow.posts.models import Post
from tests.insights.support import (
    AS_OF,
    campaign_with_posts,
    metrics,
    record,
    report_everything,
)


@pytest.fixture
def campaign(workspace):
    return campaign_with_posts(workspace, {"ada": 2, "bob": 1})


def test_a_snapshot_per_post_per_sync_and_latest_values(campaign):
    report_everything(campaign)
    report_everything(campaign, views=lambda i: 5000 + i, at=AS_OF + timedelta(hours=6))
    assert MetricSnapshot.objects.count() == 6
    latest = PostInsights.objects.order_by("post_id")
    assert [row.video_views for row in latest] == [5000, 5001, 5002]
    assert {row.as_of for row in latest} == {AS_OF + timedelta(hours=6)}
    assert {row.first_reported_at for row in latest} == {AS_OF}
    # per TikTok campaign object (ada's link, bob's link) and bucket: replaced, not added
    assert Breakdown.objects.filter(dimension="gender").count() == 2 * 2


def test_unchanged_figures_are_confirmed_not_rewritten(campaign):
    report_everything(campaign)
    breakdown_ids = set(Breakdown.objects.values_list("id", flat=True))
    later = AS_OF + timedelta(hours=6)
    report_everything(campaign, at=later)  # TikTok has not refreshed: same figures
    assert set(Breakdown.objects.values_list("id", flat=True)) == breakdown_ids
    assert set(PostInsights.objects.values_list("as_of", flat=True)) == {later}
    assert MetricSnapshot.objects.count() == 3  # unchanged figures are not stored twice
    report_everything(campaign, views=lambda i: 9, at=later + timedelta(hours=6))
    assert not breakdown_ids & set(Breakdown.objects.values_list("id", flat=True))


def test_totals_are_sums_and_rates_weighted_by_views(campaign):
    posts = list(Post.objects.filter(campaign=campaign).order_by("id"))
    ada1, ada2, bob = posts
    record(
        campaign,
        [ada1, ada2],
        [
            metrics(ada1.video_id, 1000, video_completion_rate=0.1, average_view_time=4.0),
            metrics(ada2.video_id, 3000, video_completion_rate=0.5, average_view_time=10.0),
        ],
    )
    record(
        campaign,
        [bob],
        [metrics(bob.video_id, 6000, video_completion_rate=None, average_view_time=20.0)],
    )
    totals = rollups.totals(campaign, "US")
    assert totals["posts"] == 3 and totals["video_views"] == 10_000
    assert totals["likes"] == 100 + 300 + 600
    assert totals["engagement_count"] == sum(
        v // 10 + v // 100 + v // 200 for v in (1000, 3000, 6000)
    )
    # completion rate over the two posts that reported one, weighted by their views
    assert totals["video_completion_rate"] == pytest.approx((0.1 * 1000 + 0.5 * 3000) / 4000)
    assert totals["average_view_time"] == pytest.approx((4 * 1000 + 10 * 3000 + 20 * 6000) / 1e4)
    assert totals["engagement_rate"] == pytest.approx(totals["engagement_count"] / 10_000)
    assert totals["as_of"] == AS_OF


def test_distributions_weighted_by_views_sum_to_one(campaign):
    small, big = list(Post.objects.filter(campaign=campaign).order_by("id"))[:2]
    record(
        campaign,
        [small, big],
        [
            metrics(
                small.video_id,
                1000,
                audience_genders_distribution=[
                    {"gender": "FEMALE", "percentage": 1.0},
                    {"gender": "MALE", "percentage": 0.0},
                ],
            ),
            metrics(
                big.video_id,
                3000,
                audience_genders_distribution=[
                    {"gender": "FEMALE", "percentage": 0.2},
                    {"gender": "MALE", "percentage": 0.8},
                ],
            ),
        ],
    )
    found = rollups.breakdowns(campaign, "US")
    gender = {bucket.key: bucket.share for bucket in found["gender"]}
    assert gender["FEMALE"] == pytest.approx((1.0 * 1000 + 0.2 * 3000) / 4000)
    for dimension in ("gender", "age", "country", "device"):
        assert sum(bucket.share for bucket in found[dimension]) == pytest.approx(1.0)
    sources = {bucket.key: bucket.views for bucket in found["source"]}
    assert sources == {"for_you": 800 + 2400, "search": 200 + 600}
    retention = [bucket.share for bucket in found["retention"]]
    assert len(retention) == 11 and retention[0] == pytest.approx(1.0)
    assert retention[-1] == pytest.approx(0.3)


def test_a_post_tiktok_stops_reporting_turns_final_and_keeps_its_figures(campaign):
    ada1, ada2, _ = list(Post.objects.filter(campaign=campaign).order_by("id"))
    record(campaign, [ada1, ada2], [metrics(ada1.video_id, 1000), metrics(ada2.video_id, 2000)])
    later = AS_OF + timedelta(days=1)
    result = record(campaign, [ada1, ada2], [metrics(ada2.video_id, 2500)], at=later)
    assert (len(result.posts), result.finalized) == (1, 1)
    gone = PostInsights.objects.get(post=ada1)
    assert gone.final and gone.final_at == later
    assert (gone.video_views, gone.as_of) == (1000, AS_OF)
    assert MetricSnapshot.objects.filter(post=ada1).count() == 1
    totals = rollups.totals(campaign, "US")
    assert totals["video_views"] == 3500 and totals["final_posts"] == 1
    assert totals["oldest_as_of"] == AS_OF and totals["as_of"] == later
    sources = rollups.breakdowns(campaign, "US")["source"]  # the final post still counts
    assert sum(bucket.views for bucket in sources) == 3500


def test_videos_a_report_names_but_we_do_not_know_are_ignored(campaign):
    ada1 = Post.objects.filter(campaign=campaign).first()
    result = record(campaign, [ada1], [metrics(ada1.video_id, 10), metrics("999", 10)])
    assert len(result.posts) == 1 and PostInsights.objects.count() == 1


def test_regions_are_kept_apart(campaign):
    campaign.countries = ["US", "GB"]
    campaign.save()
    report_everything(campaign, region="US")
    report_everything(campaign, views=lambda i: 1, region="GB")
    assert rollups.regions(campaign) == ["US", "GB"]
    assert rollups.totals(campaign, "US")["video_views"] == 6000
    assert rollups.totals(campaign, "GB")["video_views"] == 3


def test_campaign_totals_after_each_sync_are_the_views_over_time(campaign):
    report_everything(campaign)
    record_campaign_totals(campaign, ["US"])
    report_everything(campaign, views=lambda i: 10_000, at=AS_OF + timedelta(hours=6))
    record_campaign_totals(campaign, ["US"])
    points = [(s.posts, s.video_views) for s in CampaignSnapshot.objects.order_by("taken_at")]
    assert points == [(3, 6000), (3, 30_000)]


def test_per_creator_and_per_post_tables(campaign):
    report_everything(campaign)  # ada: 1000 + 2000, bob: 3000
    creators = [rollups.with_rates(row) for row in rollups.by_creator(campaign, "US")]
    assert [(row["posts"], row["video_views"]) for row in creators] == [(2, 3000), (1, 3000)]
    assert all(row["video_completion_rate"] == pytest.approx(0.3) for row in creators)
    assert [row.video_views for row in rollups.by_post(campaign, "US")] == [3000, 2000, 1000]


def test_linked_posts_not_reported_yet_are_counted_as_waiting(campaign):
    assert rollups.report(campaign).waiting == 3
    report_everything(campaign)
    assert rollups.report(campaign).waiting == 0
