"""Invite links are provisioned on the TikTok sandbox, over HTTP, one campaign object per link."""

from datetime import date

import pytest

from inviteflow.campaigns import services as campaigns
from inviteflow.creators.models import Creator
from inviteflow.links.models import InviteLink
from inviteflow.links.tasks import provision_links

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def spring_launch(workspace):
    return campaigns.create_campaign(
        workspace,
        name="Spring Launch",
        starts_on=date(2027, 5, 1),
        ends_on=date(2027, 5, 31),
        posts_required=1,
        hashtags="springlaunch",
    )


def creator(workspace, handle):
    return Creator.objects.create(workspace=workspace, name=handle.title(), handle=handle)


def sandbox_objects(live_sandbox):
    return {c["campaign_id"]: c for c in live_sandbox.campaigns()["campaigns"]}


def links_of(campaign, handle, status=None):
    links = campaign.invite_links.filter(creator__handle=handle)
    return links.filter(status=status) if status else links


def test_links_per_creator_follow_posts_required(
    tiktok_connected, live_sandbox, spring_launch, workspace
):
    ada, bob, cy = (creator(workspace, h) for h in ("ada", "bob", "cy"))
    campaigns.add_creators(spring_launch, [ada], posts_required=12)
    campaigns.add_creators(spring_launch, [bob], posts_required=10)
    campaigns.add_creators(spring_launch, [cy], posts_required=1)
    campaigns.update_campaign(spring_launch, tiktok_enabled=True)
    provision_links.call(spring_launch.pk)

    assert [links_of(spring_launch, h, "active").count() for h in ("ada", "bob", "cy")] == [2, 1, 1]
    objects = sandbox_objects(live_sandbox)
    links = list(spring_launch.invite_links.select_related("creator"))
    assert len({link.tiktok_campaign_id for link in links}) == 4 == len(objects)
    for link in links:
        obj = objects[link.tiktok_campaign_id]
        assert [c["handle"] for c in obj["creators"]] == [link.creator.handle]
        assert obj["invite_link"] == link.url and link.url.startswith(live_sandbox.url)
        assert obj["campaign_name"].startswith(f"Spring Launch - @{link.creator.handle} - ")
        assert obj["campaign_name"].isascii() and str(link.pk) not in obj["campaign_name"]

    entry = spring_launch.roster.get(creator=ada)
    campaigns.set_posts_required_override(entry, 25)
    provision_links.call(spring_launch.pk)
    assert links_of(spring_launch, "ada", "active").count() == 3
    assert len(sandbox_objects(live_sandbox)) == 5

    campaigns.remove_creator(spring_launch, bob)
    assert list(links_of(spring_launch, "bob").values_list("status", flat=True)) == ["retired"]
    assert len(sandbox_objects(live_sandbox)) == 5  # retired, never deleted


def test_nothing_is_provisioned_until_tiktok_is_enabled(
    tiktok_connected, live_sandbox, spring_launch, workspace
):
    campaigns.add_creators(spring_launch, [creator(workspace, "ada")])
    assert not InviteLink.objects.exists()


def test_invalid_handle_fails_with_an_explanation_and_retry_reuses_the_object(
    tiktok_connected, live_sandbox, spring_launch, workspace
):
    bad = creator(workspace, "invalid_ada")
    campaigns.add_creators(spring_launch, [bad])
    campaigns.update_campaign(spring_launch, tiktok_enabled=True)
    provision_links.call(spring_launch.pk)
    link = spring_launch.invite_links.get()
    assert link.status == "failed" and link.failure_code == "invalid_handle"
    assert (
        "@invalid_ada" in link.failure_message
        and "fix the creator's handle" in link.failure_message
    )

    bad.handle = "ada"
    bad.save()
    from inviteflow.links.services import retry_failed

    assert retry_failed(spring_launch) == 1
    provision_links.call(spring_launch.pk)
    link.refresh_from_db()
    assert link.status == "active"
    assert len(sandbox_objects(live_sandbox)) == 1


def test_not_connected_pauses_with_a_reason(live_sandbox, spring_launch, workspace):
    campaigns.add_creators(spring_launch, [creator(workspace, "ada")])
    campaigns.update_campaign(spring_launch, tiktok_enabled=True)
    provision_links.call(spring_launch.pk)
    from inviteflow.links.services import is_paused

    assert "not connected to TikTok" in is_paused(spring_launch)
    assert spring_launch.invite_links.get().status == "pending"
