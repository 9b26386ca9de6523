"""Deleting a creator (issue #15, defect 7): the confirmation names the campaigns and live
invite links it touches; afterwards the creator is gone from every list and the API, every
link of theirs is retired, and their posts stay on their campaigns."""

import pytest

from inviteflow.campaigns.models import Campaign, CampaignCreator
from inviteflow.creators import services
from inviteflow.creators.models import Creator
from inviteflow.links.models import InviteLink
from inviteflow.posts.models import Post
from tests.creators.factories import add_creator
from tests.outreach.factories import add_campaign, add_link, roster
from tests.posts.factories import add_post

pytestmark = pytest.mark.django_db
TAGS = ("springlaunch", "ad")


@pytest.fixture
def ada(workspace) -> Creator:
    """Ada on two campaigns: Spring Launch (TikTok on, two links, one post) and Summer
    Teaser (TikTok off, one link from before it was switched off)."""
    spring = add_campaign(workspace)
    (ada,) = roster(spring, "ada", links=2)
    Campaign.objects.filter(pk=spring.pk).update(tiktok_enabled=True)  # links already made
    add_post(InviteLink.objects.get(campaign=spring, creator=ada, sequence=1), hashtags=TAGS)
    summer = add_campaign(workspace, name="Summer Teaser")
    roster(summer, "bob", links=0)
    CampaignCreator.objects.create(campaign=summer, creator=ada)
    add_link(summer, ada)
    return ada


def url(name: str, **kwargs) -> str:
    from django.urls import reverse

    return reverse(name, kwargs={"slug": "acme", **kwargs})


def test_delete_hides_the_creator_retires_every_link_and_keeps_posts(ada):
    services.delete_creator(ada)

    assert not Creator.objects.filter(pk=ada.pk).exists()
    assert Creator.with_deleted.get(pk=ada.pk).deleted_at is not None
    assert not CampaignCreator.objects.filter(creator_id=ada.pk).exists()
    statuses = set(InviteLink.objects.filter(creator_id=ada.pk).values_list("status", flat=True))
    assert statuses == {"retired"}  # the TikTok-off campaign's link too
    post = Post.objects.get(creator_id=ada.pk)
    assert post.counts and post.creator.handle == "ada"  # history kept, still readable


def test_delete_leaves_other_creators_alone(ada, workspace):
    services.delete_creator(ada)
    bob = Creator.objects.get(workspace=workspace, handle="bob")
    assert CampaignCreator.objects.filter(creator=bob).exists()


def test_a_deleted_creators_handle_can_be_added_again(ada, workspace):
    services.delete_creator(ada)
    again = add_creator(workspace, "ada")
    assert again.pk != ada.pk
    assert list(Creator.objects.filter(workspace=workspace, handle="ada")) == [again]


def test_confirmation_names_the_campaigns_and_live_links(manager_client, ada):
    InviteLink.objects.filter(creator=ada, sequence=2).update(status="retired")
    page = manager_client.get(url("creator_delete", creator_id=ada.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Spring Launch" in html and "Summer Teaser" in html
    assert "https://www.tiktok.com/t/ada-1/" in html
    assert "https://www.tiktok.com/t/ada-2/" not in html  # already retired: not live
    assert html.count('class="impact-link"') == 2


def test_confirmation_of_a_creator_on_no_campaign(manager_client, workspace):
    lone = add_creator(workspace, "lone")
    html = manager_client.get(url("creator_delete", creator_id=lone.pk)).content.decode()
    assert "on no campaign" in html


def test_deleting_through_the_page_redirects_and_hides(manager_client, ada):
    response = manager_client.post(url("creator_delete", creator_id=ada.pk))
    assert response.status_code == 302
    listed = manager_client.get(url("creator_list")).content.decode()
    assert "their invite links are retired" in listed  # the message, after the redirect
    assert url("creator_edit", creator_id=ada.pk) not in listed
    assert manager_client.get(url("creator_delete", creator_id=ada.pk)).status_code == 404


def test_outsider_cannot_see_the_confirmation_nor_delete(outsider_client, ada):
    assert outsider_client.get(url("creator_delete", creator_id=ada.pk)).status_code == 404
    assert outsider_client.post(url("creator_delete", creator_id=ada.pk)).status_code == 404
    assert Creator.objects.filter(pk=ada.pk).exists()
    assert InviteLink.objects.filter(creator=ada, status="active").count() == 3


def test_api_delete_answers_204_then_the_creator_is_404(api, ada):
    assert api.delete(f"/creators/{ada.pk}").status_code == 204
    assert api.get(f"/creators/{ada.pk}").status_code == 404
    assert api.delete(f"/creators/{ada.pk}").status_code == 404
    assert ada.pk not in [c["id"] for c in api.get("/creators").json()["items"]]
    assert Post.objects.filter(creator_id=ada.pk).count() == 1


def test_the_deleted_creators_own_page_is_gone(ada, client):
    from inviteflow.outreach import services as outreach
    from inviteflow.outreach.models import CreatorPage

    address = outreach.page_urls([ada])[ada.pk]
    token = outreach.ensure_pages([ada])[ada.pk].token
    assert client.get(address).status_code == 200
    services.delete_creator(ada)
    assert CreatorPage.find(token) is None
    assert client.get(address).status_code == 404


def test_the_report_keeps_a_deleted_creators_figures(api, manager_client, workspace):
    from tests.insights.support import campaign_with_posts, report_everything

    campaign = campaign_with_posts(workspace, {"ada": 2, "bob": 1})
    report_everything(campaign)
    services.delete_creator(Creator.objects.get(workspace=workspace, handle="ada"))

    rows = api.get(f"/campaigns/{campaign.pk}/report/creators").json()["items"]
    assert sorted(row["handle"] for row in rows) == ["ada", "bob"]
    report = manager_client.get(url("campaign_report", campaign_id=campaign.pk))
    assert report.status_code == 200 and "@ada" in report.content.decode()
