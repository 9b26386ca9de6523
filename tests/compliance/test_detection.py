"""Acceptance 2: what looks like campaign content. Roster creators' personal posts (no campaign
marker) are never flagged; neither are disclosed posts, posts outside the campaign dates, or
sponsored posts for other brands. Unit tests of the pure rules, then the same over HTTP."""

from datetime import UTC, date, datetime, timedelta

import pytest

from inviteflow.compliance import detection, services
from inviteflow.posts.models import Post
from inviteflow.tiktok import schemas
from tests.compliance.support import scan

MAY = detection.window(1, ["springlaunch"], date(2026, 5, 1), date(2026, 5, 31), UTC)
SUMMER = detection.window(2, ["summer", "springlaunch"], date(2026, 5, 20), date(2026, 6, 30), UTC)
BRAND = detection.Signals(
    handles=detection.brand_handles(["Acme Co.", "acme", "Sandbox Demo Brand"])
)


def video(caption: str = "", when: str = "2026-05-10 12:00:00", **fields) -> detection.PublicVideo:
    item = schemas.Post(video_id="7700000000000000001", caption=caption, create_time=when, **fields)
    return detection.public_video(item)


def markers(found: detection.Match | None) -> list[str] | None:
    return found.markers if found else None


@pytest.mark.parametrize(
    "caption, fields",
    [
        ("Sunday hike with the dog", {}),
        ("New running shoes! #ad #fitness", {}),  # sponsored, but not by us
        ("Thanks @globex for the gift #sponsored", {"mentioned_accounts": ["globex"]}),
        ("springlaunch vibes", {}),  # the word, not the hashtag
        ("#springlaunch is here", {"collaboration_status": "PAID_PARTNERSHIP"}),  # disclosed
    ],
)
def test_posts_without_an_undisclosed_campaign_marker_are_not_flagged(caption, fields):
    assert detection.match(video(caption, **fields), [MAY], BRAND) is None


def test_campaign_hashtags_and_brand_mentions_are_markers():
    assert markers(detection.match(video("Spring is here #SpringLaunch"), [MAY], BRAND)) == [
        "#springlaunch"
    ]
    tagged = video("Big thanks!", caption_hashtags=["springlaunch"], mentioned_accounts=["Acme"])
    assert markers(detection.match(tagged, [MAY], BRAND)) == ["#springlaunch", "@acme"]
    assert markers(detection.match(video("Gift from @acmeco"), [MAY], BRAND)) == ["@acmeco"]
    assert markers(
        detection.match(
            video(
                "hi",
                collaboration_status="CREATOR_EARNS_COMMISSION",
                mentioned_accounts=["sandboxdemobrand"],
            ),
            [MAY],
            BRAND,
        )
    ) == ["@sandboxdemobrand"]


def test_only_posts_inside_a_campaign_window_are_flagged():
    assert detection.match(video("#springlaunch", when="2026-04-30 23:59:59"), [MAY], BRAND) is None
    assert detection.match(video("#springlaunch", when="2026-06-01 00:00:00"), [MAY], BRAND) is None
    assert detection.match(video("#springlaunch", when="2026-05-31 23:59:59"), [MAY], BRAND)


def test_the_campaign_with_most_matching_hashtags_wins_then_the_latest():
    both = video("#summer #springlaunch", when="2026-05-25 10:00:00")
    assert detection.match(both, [MAY, SUMMER], BRAND).campaign_id == 2
    one = video("#springlaunch", when="2026-05-25 10:00:00")
    assert detection.match(one, [MAY, SUMMER], BRAND).campaign_id == 2  # later start
    assert (
        detection.match(
            video("@acme", when="2026-05-05 10:00:00"), [MAY, SUMMER], BRAND
        ).campaign_id
        == 1
    )


def test_brand_names_become_handles():
    assert detection.brand_handles(["Acme Co.", "  @Globex ", ""]) == {"acmeco", "globex"}
    assert detection.public_video(
        schemas.Post(
            video_id="1",
            create_time=str(
                int((datetime(2026, 5, 1, tzinfo=UTC) + timedelta(hours=1)).timestamp())
            ),
        )
    ).published_at == datetime(2026, 5, 1, 1, tzinfo=UTC)


def test_roster_creators_personal_posts_are_never_flagged(world):
    campaign = world.campaign({"ada": 1, "bob": 1})
    link = campaign.invite_links.get(creator__handle="bob")
    sandbox = world.sandbox
    for caption in (
        "Sunday hike",
        "My breakfast #foodie",
        "Gym day #ad #protein",
        "With @globex at the fair",
        "Spring launch party tonight",
    ):
        sandbox.publish("ada", caption=caption)
    world.publish(link, caption="Through the link #springlaunch")  # linked: disclosed
    sandbox.publish("bob", caption="Off duty", branded=True)  # branded, not ours
    assert scan(world, campaign)["found"] == 0
    assert not Post.objects.filter(compliance="at_risk").exists()
    sandbox.publish("ada", caption="Finally! #springlaunch")
    assert scan(world, campaign)["found"] == 1


# -- Brand names, @handles and disclosure keywords (issue 15, defect 10) ----------------------

SIGNALS = detection.Signals(
    names=("Demo Brand",),
    handles=frozenset({"demobrand"}),
    disclosures=frozenset(detection.DEFAULT_DISCLOSURES),
)


def signals(found: detection.Match | None) -> list[tuple[str, str]] | None:
    return [(s.kind, s.value) for s in found.signals] if found else None


def test_a_brand_name_in_the_caption_flags_a_post_and_says_so():
    found = detection.match(video("Demo Brand glow #sponsored"), [MAY], SIGNALS)
    assert signals(found) == [("brand_name", "Demo Brand"), ("disclosure", "#sponsored")]
    assert found.markers == ["Demo Brand", "#sponsored"]
    assert signals(detection.match(video("loving DEMO BRAND today"), [MAY], SIGNALS)) == [
        ("brand_name", "Demo Brand")
    ]
    assert signals(detection.match(video("glow #DemoBrand"), [MAY], SIGNALS)) == [
        ("brand_name", "Demo Brand")
    ]


def test_every_signal_that_fired_is_listed_campaign_hashtags_first():
    post = video("Demo Brand x @demobrand #springlaunch #ad", mentioned_accounts=["demobrand"])
    assert signals(detection.match(post, [MAY], SIGNALS)) == [
        ("campaign_hashtag", "#springlaunch"),
        ("brand_name", "Demo Brand"),
        ("brand_handle", "@demobrand"),
        ("disclosure", "#ad"),
    ]


@pytest.mark.parametrize(
    "caption",
    [
        "Gym day #ad #sponsored",  # a disclosure alone: another brand's post
        "Demo Brandon is my cousin",  # not the name as a word
        "my demobrand vibes",  # the handle-ised name as a word, not a hashtag or mention
    ],
)
def test_disclosure_keywords_or_look_alikes_alone_flag_nothing(caption):
    assert detection.match(video(caption), [MAY], SIGNALS) is None


def test_a_branded_post_without_campaign_hashtags_is_flagged_by_the_scan(world):
    """The defect: "Demo Brand glow #sponsored" went unnoticed. The workspace's name is a
    brand name by default; more names come from Settings → Compliance signals."""
    campaign = world.campaign({"ada": 1, "bob": 1})
    by_default = world.sandbox.publish("ada", caption="Acme glow #sponsored")["video_id"]
    assert scan(world, campaign)["found"] == 1
    finding = Post.objects.get(video_id=by_default).finding
    assert [(s["kind"], s["value"]) for s in finding.signals] == [
        ("brand_name", "Acme"),
        ("disclosure", "#sponsored"),
    ]
    services.save_signals(
        world.workspace, detection.Signals(("Demo Brand",), frozenset(), frozenset({"partner"}))
    )
    named = world.sandbox.publish("bob", caption="Demo Brand glow #partner")["video_id"]
    world.sandbox.publish("bob", caption="Acme again #sponsored")  # no longer a signal
    assert scan(world, campaign)["found"] == 1
    assert Post.objects.get(video_id=named).finding.markers == ["Demo Brand", "#partner"]
