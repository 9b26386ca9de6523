"""Posts through a retired invite link (issue #15, defect 7). TikTok cannot switch a link
off, so a creator taken off the roster, or deleted, may still publish through theirs: the
post is recorded on the link's campaign and creator, flagged for a manager's decision and
not counted until then — never dropped. Through the sandbox, webhooks and reconciliation
both."""

from inviteflow.campaigns import services as campaigns
from inviteflow.creators import services as creators
from inviteflow.creators.models import Creator
from inviteflow.links.models import InviteLink
from inviteflow.overview.queries import overview_of
from inviteflow.posts import queries, services
from inviteflow.posts.models import Post


def _roster_of_two(world):
    campaign = world.campaign({"ada": 1, "bob": 1})
    ada = Creator.objects.get(workspace=world.workspace, handle="ada")
    return campaign, ada, campaign.invite_links.get(creator=ada)


def test_a_post_after_leaving_the_roster_is_recorded_and_flagged(world):
    campaign, ada, link = _roster_of_two(world)
    with world.on_commit(execute=True):
        campaigns.remove_creator(campaign, ada)
    link.refresh_from_db()
    assert link.status == InviteLink.Status.RETIRED

    (video_id,) = world.publish(link)
    world.deliver(world.sandbox.deliveries())

    post = Post.objects.get(video_id=video_id)
    assert (post.campaign_id, post.creator_id, post.invite_link_id) == (
        campaign.pk,
        ada.pk,
        link.pk,
    )
    assert post.decision_needed == services.THROUGH_RETIRED_LINK
    assert not post.counts and not post.awaiting_checks
    assert queries.totals(campaign)["needs_decision"] == 1


def test_a_post_through_a_deleted_creators_link_is_recorded_and_flagged(world):
    campaign, ada, link = _roster_of_two(world)
    with world.on_commit(execute=True):
        creators.delete_creator(ada)

    (video_id,) = world.publish(link)  # the link still works on TikTok
    world.deliver(world.sandbox.deliveries())

    post = Post.objects.select_related("creator").get(video_id=video_id)
    assert post.creator.handle == "ada" and post.campaign_id == campaign.pk
    assert post.decision_needed and not post.counts


def test_reconciliation_flags_a_post_whose_webhooks_were_lost(world):
    campaign, ada, link = _roster_of_two(world)
    with world.on_commit(execute=True):
        campaigns.remove_creator(campaign, ada)
    (video_id,) = world.publish(link)
    world.sandbox.deliveries()  # lost
    world.sandbox.advance(49)  # TikTok lists linked videos after about 48 h

    world.sync(campaign)

    assert Post.objects.get(video_id=video_id).decision_needed == services.THROUGH_RETIRED_LINK


def test_posts_through_live_links_need_no_decision(world):
    campaign, ada, link = _roster_of_two(world)
    (video_id,) = world.publish(link)
    world.deliver(world.sandbox.deliveries())
    assert Post.objects.get(video_id=video_id).decision_needed == ""


def test_a_flagged_post_is_on_the_overview_until_decided(world, actors):
    campaign, ada, link = _roster_of_two(world)
    with world.on_commit(execute=True):
        campaigns.remove_creator(campaign, ada)
    (video_id,) = world.publish(link)
    world.deliver(world.sandbox.deliveries())

    attention = overview_of(world.workspace).attention
    (item,) = [a for a in attention if a.kind == "needs_decision"]
    assert "retired invite link" in item.text and item.url.endswith("?state=needs_decision")

    with world.on_commit(execute=True):
        services.decide_count(
            Post.objects.get(video_id=video_id), "count", "Agreed before she left", actors.manager
        )
    post = Post.objects.get(video_id=video_id)
    assert post.counts and post.decision_needed == ""
    assert post.count_decisions.get().settled == services.THROUGH_RETIRED_LINK
    assert not [a for a in overview_of(world.workspace).attention if a.kind == "needs_decision"]
