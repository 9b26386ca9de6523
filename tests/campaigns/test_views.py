"""Campaign pages through HTTP, as each actor sees them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inviteflow.campaigns import services
from inviteflow.campaigns.models import Campaign, CampaignCreator
from tests.campaigns.factories import make_campaign, make_creator, make_creators

FORM = {
    "name": "Spring Launch",
    "starts_on": "2025-05-01",
    "ends_on": "2025-05-31",
    "content_type": "video",
    "posts_required": "12",
    "hashtags": "#SpringLaunch, ad",
    "countries": "us, gb",
    "brief": "Show the product.",
    "tiktok_enabled": "on",
    "status": "draft",
}


def url(name: str, *args) -> str:
    return reverse(name, args=["acme", *args])


@pytest.fixture
def campaign(workspace) -> Campaign:
    return make_campaign(workspace)


@pytest.fixture
def rostered(workspace, campaign) -> Campaign:
    """Spring Launch with Ada and Bo on its roster."""
    services.add_creators(
        campaign,
        [
            make_creator(workspace, "ada", "Ada Lovelace"),
            make_creator(workspace, "bo", "Bo Diddley"),
        ],
    )
    return campaign


def snapshot(campaign: Campaign) -> tuple:
    """What a refused request must leave untouched."""
    fresh = Campaign.objects.get(pk=campaign.pk)
    roster = sorted(fresh.roster.values_list("creator__handle", "posts_required_override"))
    return fresh.name, fresh.status, fresh.posts_required, roster


# -- List ------------------------------------------------------------------------------------


def test_empty_list_invites_managers_to_create_one(manager_client, viewer_client):
    page = manager_client.get(url("campaign_list")).content.decode()
    assert "No campaigns yet" in page and url("campaign_create") in page
    assert url("campaign_create") not in viewer_client.get(url("campaign_list")).content.decode()


def test_list_filters_by_status_and_paginates(viewer_client, workspace):
    make_campaign(workspace, name="Live one", status="active")
    for i in range(55):
        make_campaign(workspace, name=f"Draft {i:02d}")
    active = viewer_client.get(url("campaign_list"), {"status": "active"}).content.decode()
    assert "Live one" in active and "Draft 00" not in active
    first = viewer_client.get(url("campaign_list")).content.decode()
    assert "Page 1 of 2" in first and "56 in all" in first
    assert (
        "No completed campaigns"
        in viewer_client.get(url("campaign_list"), {"status": "completed"}).content.decode()
    )


def test_list_shows_only_this_workspaces_campaigns(viewer_client, actors):
    make_campaign(actors.other_workspace, name="Globex secret")
    assert "Globex secret" not in viewer_client.get(url("campaign_list")).content.decode()


# -- Create and edit -------------------------------------------------------------------------


def test_create_campaign(manager_client, workspace):
    response = manager_client.post(url("campaign_create"), FORM)
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("campaign_detail", campaign.pk)
    assert campaign.workspace == workspace
    assert (campaign.hashtags, campaign.countries) == (["springlaunch", "ad"], ["US", "GB"])
    assert campaign.tiktok_enabled is True


def test_create_form_shows_each_error_next_to_its_field(manager_client):
    bad = {
        **FORM,
        "name": "",
        "ends_on": "2025-04-01",
        "countries": "US, XX",
        "hashtags": "ok, #no-dash",
        "posts_required": "0",
    }
    response = manager_client.post(url("campaign_create"), bad)
    assert response.status_code == 200
    errors = {f: response.context["form"].errors[f] for f in response.context["form"].errors}
    assert errors == {
        "name": ["required"],
        "ends_on": ["ends before it starts (2025-04-01 is before 2025-05-01)"],
        "countries": ["'XX' is not an ISO 3166 country code"],
        "hashtags": ["'#no-dash' is not a hashtag: use 1–100 letters, digits or underscores"],
        "posts_required": ["must be a whole number from 1 to 100, not 0"],
    }
    page = response.content.decode()
    assert "&#x27;XX&#x27; is not an ISO 3166 country code" in page and 'value="US, XX"' in page
    assert not Campaign.objects.exists()


def test_create_form_uses_date_inputs(manager_client):
    page = manager_client.get(url("campaign_create")).content.decode()
    assert page.count('type="date"') == 2


def test_edit_campaign(manager_client, campaign):
    page = manager_client.get(url("campaign_edit", campaign.pk)).content.decode()
    assert 'value="springlaunch"' in page and 'value="US, GB"' in page
    response = manager_client.post(
        url("campaign_edit", campaign.pk), {**FORM, "name": "Spring Launch II", "status": "active"}
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.status) == ("Spring Launch II", "active")


def test_edit_offers_only_allowed_statuses(manager_client, campaign):
    services.update_campaign(campaign, status="active")
    choices = manager_client.get(url("campaign_edit", campaign.pk)).context["form"]["status"]
    assert [value for value, _ in choices.field.choices] == ["active", "completed"]


# -- Campaign Details page -------------------------------------------------------------------


def test_details_page_summarises_requirements_and_roster(viewer_client, rostered):
    services.update_campaign(rostered, brief="Unbox it.", tiktok_enabled=True)
    page = viewer_client.get(url("campaign_detail", rostered.pk)).content.decode()
    for expected in (
        "1 May 2025",
        "31 May 2025",
        "Video",
        "#springlaunch",
        "United Kingdom",
        "Unbox it.",
        "enabled",
        "Draft",
        "Ada Lovelace",
        "@bo",
    ):
        assert expected in page


def test_viewer_sees_no_write_controls(viewer_client, rostered):
    response = viewer_client.get(url("campaign_detail", rostered.pk))
    page = response.content.decode()
    assert response.status_code == 200 and "Ada Lovelace" in page
    for control in (
        url("campaign_edit", rostered.pk),
        url("roster_add", rostered.pk),
        "posts_required_override",
        "Remove",
    ):
        assert control not in page


def test_manager_sees_write_controls(manager_client, rostered):
    page = manager_client.get(url("campaign_detail", rostered.pk)).content.decode()
    ada = rostered.roster.get(creator__handle="ada").creator_id
    for control in (
        url("campaign_edit", rostered.pk),
        url("roster_add", rostered.pk),
        url("roster_override", rostered.pk, ada),
        url("roster_remove", rostered.pk, ada),
    ):
        assert control in page


def test_roster_search_and_pagination(viewer_client, workspace, campaign):
    services.add_creators(campaign, make_creators(workspace, 60))
    first = viewer_client.get(url("campaign_detail", campaign.pk)).context["roster"]
    assert (len(first.items), first.count, first.num_pages) == (50, 60, 2)
    found = viewer_client.get(url("campaign_detail", campaign.pk), {"q": "@creator_7"})
    assert [e.creator.handle for e in found.context["roster"].items] == ["creator_7"]


def test_roster_search_over_htmx_returns_only_the_roster(viewer_client, rostered):
    response = viewer_client.get(
        url("campaign_detail", rostered.pk), {"q": "ada"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert page.startswith('<div id="roster"') and "Ada Lovelace" in page and "@bo" not in page


def test_details_page_query_count_does_not_grow_with_the_roster(
    viewer_client, workspace, django_assert_max_num_queries
):
    small, big = make_campaign(workspace, name="Small"), make_campaign(workspace, name="Big")
    services.add_creators(small, make_creators(workspace, 5, prefix="few"))
    services.add_creators(big, make_creators(workspace, 60, prefix="many"))
    services.set_posts_required_override(big.roster.first(), 3)
    with CaptureQueriesContext(connection) as baseline:
        assert viewer_client.get(url("campaign_detail", small.pk)).status_code == 200
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        assert viewer_client.get(url("campaign_detail", big.pk)).status_code == 200


# -- Adding creators -------------------------------------------------------------------------


def test_picker_lists_only_creators_not_on_the_roster(manager_client, workspace, rostered):
    make_creator(workspace, "cy", "Cy Twombly")
    picker = manager_client.get(url("roster_add", rostered.pk)).context["picker"]
    assert [c.handle for c in picker.items] == ["cy"]


def test_picker_searches_and_paginates(manager_client, workspace, campaign):
    make_creators(workspace, 120)
    picker = manager_client.get(url("roster_add", campaign.pk)).context["picker"]
    assert (len(picker.items), picker.count, picker.num_pages) == (50, 120, 3)
    response = manager_client.get(
        url("roster_add", campaign.pk), {"q": "creator119@"}, headers={"HX-Request": "true"}
    )
    assert response.content.decode().startswith('<div id="picker">')
    assert [c.handle for c in response.context["picker"].items] == ["creator_119"]


def test_add_ticked_creators(manager_client, workspace, campaign):
    ada, bo, _ = make_creators(workspace, 3)
    ticked = {"creators": [ada.pk, bo.pk], "posts_required": "4"}
    response = manager_client.post(url("roster_add", campaign.pk), ticked, follow=True)
    assert "Added 2 creators." in response.content.decode()
    assert sorted(campaign.roster.values_list("creator_id", "posts_required_override")) == [
        (ada.pk, 4),
        (bo.pk, 4),
    ]


def test_add_pasted_handles(manager_client, workspace, rostered):
    make_creator(workspace, "cy"), make_creator(workspace, "di.ana")
    response = manager_client.post(
        url("roster_add", rostered.pk), {"handles": "@Cy\nDi.Ana, @ada"}, follow=True
    )
    assert "Added 2 creators (1 already on the roster)." in response.content.decode()
    assert set(rostered.roster.values_list("creator__handle", flat=True)) == {
        "ada",
        "bo",
        "cy",
        "di.ana",
    }


def test_unknown_pasted_handles_are_named_and_nothing_is_added(manager_client, workspace, campaign):
    make_creator(workspace, "cy")
    response = manager_client.post(
        url("roster_add", campaign.pk), {"handles": "cy\n@ghost, @nobody_here"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "No creator in this workspace has these handles: @ghost, @nobody_here." in page
    assert "cy\n@ghost, @nobody_here" in page  # the paste is kept for fixing
    assert not campaign.roster.exists()


def test_another_workspaces_creator_cannot_be_ticked(manager_client, actors, campaign):
    theirs = make_creator(actors.other_workspace, "eve")
    ours = make_creator(actors.workspace, "ada")
    response = manager_client.post(
        url("roster_add", campaign.pk), {"creators": [ours.pk, theirs.pk]}
    )
    assert f"These creators are not in this workspace: {theirs.pk}." in response.content.decode()
    assert not campaign.roster.exists()


def test_handles_of_another_workspace_are_unknown(manager_client, actors, campaign):
    make_creator(actors.other_workspace, "eve")
    response = manager_client.post(url("roster_add", campaign.pk), {"handles": "eve"})
    assert "@eve" in response.content.decode()
    assert not campaign.roster.exists()


def test_add_with_nothing_chosen_says_so(manager_client, campaign):
    response = manager_client.post(url("roster_add", campaign.pk), {"handles": " \n"})
    assert "Tick creators in the list or paste their handles." in response.content.decode()


def test_add_refuses_a_bad_posts_required(manager_client, workspace, campaign):
    make_creator(workspace, "cy")
    response = manager_client.post(
        url("roster_add", campaign.pk), {"handles": "cy", "posts_required": "101"}
    )
    assert response.context["form"].errors["posts_required"] == [
        "must be a whole number from 1 to 100, not 101"
    ]
    assert not campaign.roster.exists()


# -- Remove and override ---------------------------------------------------------------------


def test_remove_creator(manager_client, rostered):
    ada = rostered.roster.get(creator__handle="ada").creator
    response = manager_client.post(
        url("roster_remove", rostered.pk, ada.pk), {"q": "a", "page": "1"}
    )
    assert response["Location"] == url("campaign_detail", rostered.pk) + "?q=a&page=1"
    assert list(rostered.roster.values_list("creator__handle", flat=True)) == ["bo"]


def test_remove_over_htmx_returns_an_empty_row(manager_client, rostered):
    ada = rostered.roster.get(creator__handle="ada").creator
    response = manager_client.post(
        url("roster_remove", rostered.pk, ada.pk), headers={"HX-Request": "true"}
    )
    assert (response.status_code, response.content) == (200, b"")
    assert rostered.roster.count() == 1


def test_remove_someone_not_on_the_roster_is_404(manager_client, workspace, rostered):
    stranger = make_creator(workspace, "cy")
    assert manager_client.post(url("roster_remove", rostered.pk, stranger.pk)).status_code == 404


def test_override_with_plain_post(manager_client, rostered):
    ada = rostered.roster.get(creator__handle="ada").creator
    response = manager_client.post(
        url("roster_override", rostered.pk, ada.pk), {"posts_required_override": "20"}, follow=True
    )
    assert "@ada now owes 20 posts." in response.content.decode()
    assert CampaignCreator.objects.get(creator=ada).posts_required == 20


def test_override_over_htmx_returns_the_row(manager_client, rostered):
    ada = rostered.roster.get(creator__handle="ada").creator
    response = manager_client.post(
        url("roster_override", rostered.pk, ada.pk),
        {"posts_required_override": "7"},
        headers={"HX-Request": "true"},
    )
    row = response.content.decode()
    assert row.strip().startswith(f'<tr id="roster-{ada.pk}">') and 'value="7"' in row
    cleared = manager_client.post(
        url("roster_override", rostered.pk, ada.pk),
        {"posts_required_override": ""},
        headers={"HX-Request": "true"},
    )
    assert 'value=""' in cleared.content.decode()
    assert CampaignCreator.objects.get(creator=ada).posts_required_override is None


def test_bad_override_is_explained_and_changes_nothing(manager_client, rostered):
    ada = rostered.roster.get(creator__handle="ada").creator
    row = manager_client.post(
        url("roster_override", rostered.pk, ada.pk),
        {"posts_required_override": "0"},
        headers={"HX-Request": "true"},
    )
    assert "must be a whole number from 1 to 100, not &#x27;0&#x27;" in row.content.decode()
    page = manager_client.post(
        url("roster_override", rostered.pk, ada.pk), {"posts_required_override": "500"}, follow=True
    )
    assert "Posts required for @ada: must be a whole number" in page.content.decode()
    assert CampaignCreator.objects.get(creator=ada).posts_required_override is None


# -- Access: the viewer may not write; another workspace gets 404 ------------------------------


def write_requests(campaign: Campaign) -> list[tuple[str, str, dict]]:
    ada = campaign.roster.get(creator__handle="ada").creator_id
    return [
        ("post", url("campaign_create"), FORM),
        ("post", url("campaign_edit", campaign.pk), {**FORM, "name": "Hijacked"}),
        ("post", url("roster_add", campaign.pk), {"handles": "ada, bo"}),
        ("post", url("roster_remove", campaign.pk, ada), {}),
        ("post", url("roster_override", campaign.pk, ada), {"posts_required_override": "99"}),
    ]


def test_viewer_cannot_write(viewer_client, rostered):
    before = snapshot(rostered)
    for method, path, data in write_requests(rostered):
        assert getattr(viewer_client, method)(path, data).status_code == 403, path
    for path in (
        url("campaign_create"),
        url("campaign_edit", rostered.pk),
        url("roster_add", rostered.pk),
    ):
        assert viewer_client.get(path).status_code == 403, path
    assert snapshot(rostered) == before and Campaign.objects.count() == 1


def test_outsider_gets_404_everywhere(outsider_client, rostered):
    before = snapshot(rostered)
    for path in (
        url("campaign_list"),
        url("campaign_create"),
        url("campaign_detail", rostered.pk),
        url("campaign_edit", rostered.pk),
        url("roster_add", rostered.pk),
    ):
        assert outsider_client.get(path).status_code == 404, path
    for method, path, data in write_requests(rostered):
        assert getattr(outsider_client, method)(path, data).status_code == 404, path
    assert snapshot(rostered) == before and Campaign.objects.count() == 1


def test_another_workspaces_campaign_is_404_in_your_own_workspace(outsider_client, rostered):
    """The outsider owns globex: acme's campaign id under /w/globex/ must not resolve."""
    before = snapshot(rostered)
    ada = rostered.roster.get(creator__handle="ada").creator_id

    def theirs(name, *args):
        return reverse(name, args=["globex", rostered.pk, *args])

    for path in (theirs("campaign_detail"), theirs("campaign_edit"), theirs("roster_add")):
        assert outsider_client.get(path).status_code == 404, path
    for path, data in (
        (theirs("campaign_edit"), {**FORM, "name": "Hijacked"}),
        (theirs("roster_add"), {"handles": "ada"}),
        (theirs("roster_remove", ada), {}),
        (theirs("roster_override", ada), {"posts_required_override": "99"}),
    ):
        assert outsider_client.post(path, data).status_code == 404, path
    assert snapshot(rostered) == before
