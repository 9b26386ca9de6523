""" "Why is my post missing": each reason from what TikTok reports, then live against the
sandbox for the creator who posted without the link and the one who has not started."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from inviteflow.posts.diagnosis import LinkFacts, OurPost, PublicPost, Situation, reasons
from inviteflow.posts.models import MissingPosts

NOW = datetime(2025, 5, 10, 12, tzinfo=UTC)
ACTIVE = LinkFacts("active", "https://sandbox.test/t/abc/")
BASE = Situation(
    starts_on=date(2025, 5, 1),
    ends_on=date(2025, 5, 31),
    hashtags=["springlaunch"],
    links=[ACTIVE],
    posts=[],
    public=[],
    known_video_ids=set(),
    now=NOW,
    surface_delay=timedelta(hours=48),
)
PASS = {"result": "pass", "reason": "ok"}


def codes(**changes) -> list[str]:
    return [r["code"] for r in reasons(replace(BASE, **changes))]


def ours(video_id="1", linked=True, counts=True, compliance="compliant", **failing):
    checks = {"in_window": PASS, "content_type": PASS, "hashtags": PASS}
    checks |= {name: {"result": "fail", "reason": why} for name, why in failing.items()}
    return OurPost(video_id, linked, counts, compliance, checks, NOW - timedelta(days=3))


def public(video_id="9", hours_ago=5, tags=("springlaunch",), toggle=True):
    return PublicPost(video_id, NOW - timedelta(hours=hours_ago), list(tags), toggle)


def test_no_link_yet_or_a_failed_one():
    assert codes(links=[]) == ["no_link"]
    failed = reasons(replace(BASE, links=[LinkFacts("failed", "", "invalid handle")]))
    assert failed[0]["code"] == "no_link" and "invalid handle" in failed[0]["detail"]


def test_nothing_through_the_link_is_not_joined_and_some_posts_is_joined():
    assert codes() == ["not_joined"]
    assert codes(posts=[ours()]) == ["nothing_published"]


def test_a_linked_post_younger_than_the_delay_is_on_its_way():
    found = reasons(replace(BASE, public=[public(hours_ago=5)]))
    assert [r["code"] for r in found] == ["not_surfaced"] and found[0]["video_id"] == "9"
    assert "12 May 2025 07:00 UTC" in found[0]["detail"]  # published + 48 h


def test_a_linked_post_older_than_the_delay_is_linked_elsewhere():
    assert codes(public=[public(hours_ago=60)]) == ["linked_elsewhere"]


def test_a_post_we_already_have_is_not_missing():
    assert codes(public=[public()], known_video_ids={"9"}) == ["not_joined"]


def test_posted_without_the_link_needs_the_campaign_hashtags():
    assert codes(public=[public(toggle=False)]) == ["posted_without_link"]
    assert codes(public=[public(toggle=False, tags=("holiday",))]) == ["not_joined"]
    assert codes(posts=[ours(linked=False, counts=False, compliance="at_risk")]) == [
        "posted_without_link"
    ]


def test_posts_before_the_campaign_started_are_ignored():
    assert codes(public=[public(toggle=False, hours_ago=24 * 30)]) == ["not_joined"]


def test_attributed_posts_that_fail_a_check_say_which():
    found = reasons(
        replace(
            BASE,
            posts=[
                ours(
                    "1", counts=False, in_window="published 2 Jun 2025, after the campaign window"
                ),
                ours("2", counts=False, hashtags="missing #springlaunch"),
            ],
        )
    )
    assert [(r["code"], r["video_id"]) for r in found] == [
        ("outside_window", "1"),
        ("failed_requirements", "2"),
    ]
    assert "missing #springlaunch" in found[1]["detail"]


def test_the_most_actionable_reason_comes_first():
    assert codes(
        public=[public("8", toggle=False), public("9")],
        posts=[ours(counts=False, hashtags="missing")],
    ) == ["not_surfaced", "posted_without_link", "failed_requirements"]


def test_live_posted_without_the_link_and_not_started(world):
    campaign = world.campaign({"ada": 2, "bob": 1, "cy": 1})
    links = {link.creator.handle: link for link in campaign.invite_links.all()}
    world.publish(links["cy"])
    world.sandbox.publish("ada", caption="Spring is here #springlaunch")  # no invite link
    world.sandbox.publish("bob", caption="my holiday")  # personal post
    world.publish(links["ada"])
    world.deliver(world.sandbox.deliveries())

    world.sync(campaign)
    found = {
        m.creator.handle: [r["code"] for r in m.reasons]
        for m in MissingPosts.objects.filter(campaign=campaign)
    }
    assert found == {"ada": ["posted_without_link"], "bob": ["not_joined"]}
