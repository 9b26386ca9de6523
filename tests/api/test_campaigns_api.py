"""/api/v1/campaigns and its roster, through HTTP with API keys."""

import pytest

from inviteflow.campaigns import services
from inviteflow.campaigns.models import Campaign, CampaignCreator
from tests.campaigns.factories import make_campaign, make_creator

BODY = {
    "name": "Spring Launch",
    "starts_on": "2025-05-01",
    "ends_on": "2025-05-31",
    "content_type": "video",
    "posts_required": 12,
    "hashtags": ["#SpringLaunch", "ad"],
    "countries": ["us", "GB"],
    "brief": "Show the product.",
    "tiktok_enabled": True,
}
CAMPAIGN_FIELDS = {
    "id",
    "name",
    "brief",
    "starts_on",
    "ends_on",
    "content_type",
    "posts_required",
    "hashtags",
    "countries",
    "tiktok_enabled",
    "status",
    "created_at",
}
ROSTER_FIELDS = {
    "creator_id",
    "name",
    "handle",
    "posts_required",
    "posts_required_override",
    "added_at",
}


@pytest.fixture
def campaign(workspace) -> Campaign:
    return make_campaign(workspace)


@pytest.fixture
def ada(workspace):
    return make_creator(workspace, "ada", "Ada Lovelace")


@pytest.fixture
def rostered(campaign, ada) -> Campaign:
    services.add_creators(campaign, [ada], posts_required=3)
    return campaign


def field_errors(response) -> dict[str, str]:
    body = response.json()
    assert response.status_code == 422 and body["code"] == "invalid", body
    return {e["field"]: e["reason"] for e in body["errors"]}


def snapshot(campaign: Campaign) -> tuple:
    fresh = Campaign.objects.get(pk=campaign.pk)
    roster = sorted(fresh.roster.values_list("creator_id", "posts_required_override"))
    return fresh.name, fresh.status, fresh.posts_required, roster


# -- Campaigns -------------------------------------------------------------------------------


def test_create_campaign(api, workspace):
    response = api.post("/campaigns", json=BODY)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == CAMPAIGN_FIELDS
    assert (body["hashtags"], body["countries"]) == (["springlaunch", "ad"], ["US", "GB"])
    assert (body["status"], body["starts_on"], body["tiktok_enabled"]) == (
        "draft",
        "2025-05-01",
        True,
    )
    assert Campaign.objects.get(pk=body["id"]).workspace == workspace


def test_create_names_every_bad_field(api):
    response = api.post(
        "/campaigns",
        json={
            **BODY,
            "ends_on": "2025-04-30",
            "countries": ["XX"],
            "posts_required": 101,
            "hashtags": ["no-dash"],
        },
    )
    assert field_errors(response) == {
        "ends_on": "ends before it starts (2025-04-30 is before 2025-05-01)",
        "countries": "'XX' is not an ISO 3166 country code",
        "posts_required": "must be a whole number from 1 to 100, not 101",
        "hashtags": "'no-dash' is not a hashtag: use 1–100 letters, digits or underscores",
    }
    assert "countries: 'XX' is not an ISO 3166 country code" in response.json()["message"]
    assert not Campaign.objects.exists()


def test_create_with_wrong_shapes_is_422(api):
    body = {k: v for k, v in BODY.items() if k != "name"}
    errors = field_errors(
        api.post("/campaigns", json={**body, "starts_on": "soon", "content_type": "story"})
    )
    assert set(errors) == {"name", "starts_on", "content_type"}
    assert not Campaign.objects.exists()


def test_list_campaigns_with_status_filter_and_pages(api, workspace, actors):
    make_campaign(workspace, name="Live", status="active")
    for i in range(3):
        make_campaign(workspace, name=f"Draft {i}")
    make_campaign(actors.other_workspace, name="Globex secret")
    body = api.get("/campaigns?limit=2&offset=1").json()
    assert (len(body["items"]), body["count"]) == (2, 4)
    active = api.get("/campaigns?status=active").json()
    assert [c["name"] for c in active["items"]] == ["Live"] and active["count"] == 1
    assert set(field_errors(api.get("/campaigns?status=paused"))) == {"status"}
    assert api.get("/campaigns?limit=0").status_code == 422


def test_get_campaign(api, campaign):
    body = api.get(f"/campaigns/{campaign.pk}").json()
    assert set(body) == CAMPAIGN_FIELDS and body["name"] == "Spring Launch"


def test_patch_changes_only_the_fields_sent(api, campaign):
    response = api.patch(
        f"/campaigns/{campaign.pk}", json={"status": "active", "posts_required": 25}
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["posts_required"]) == ("active", 25)
    campaign.refresh_from_db()
    assert (campaign.name, campaign.status, campaign.posts_required) == (
        "Spring Launch",
        "active",
        25,
    )


def test_patch_refuses_bad_values_and_changes_nothing(api, campaign):
    before = snapshot(campaign)
    assert field_errors(api.patch(f"/campaigns/{campaign.pk}", json={"ends_on": "2025-01-01"})) == {
        "ends_on": "ends before it starts (2025-01-01 is before 2025-05-01)"
    }
    assert field_errors(api.patch(f"/campaigns/{campaign.pk}", json={"name": ""})) == {
        "name": "required"
    }
    assert field_errors(api.patch(f"/campaigns/{campaign.pk}", json={"status": "completed"})) == {
        "status": "cannot go from draft to completed; from draft it can go to active"
    }
    assert snapshot(campaign) == before


def test_unknown_campaign_is_404(api):
    response = api.get("/campaigns/999999")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


# -- Roster ----------------------------------------------------------------------------------


def test_list_roster(api, rostered, ada):
    body = api.get(f"/campaigns/{rostered.pk}/creators").json()
    assert body["count"] == 1 and set(body["items"][0]) == ROSTER_FIELDS
    item = body["items"][0]
    assert (item["creator_id"], item["name"], item["handle"]) == (ada.pk, "Ada Lovelace", "ada")
    assert (item["posts_required"], item["posts_required_override"]) == (3, 3)


def test_add_to_roster_then_again(api, campaign, ada):
    path = f"/campaigns/{campaign.pk}/creators"
    first = api.post(path, json={"creator_id": ada.pk})
    assert first.status_code == 201
    assert (first.json()["posts_required"], first.json()["posts_required_override"]) == (12, None)
    again = api.post(path, json={"creator_id": ada.pk})
    assert again.status_code == 200 and again.json()["creator_id"] == ada.pk
    changed = api.post(path, json={"creator_id": ada.pk, "posts_required": 30})
    assert (changed.status_code, changed.json()["posts_required"]) == (200, 30)
    assert CampaignCreator.objects.get().posts_required_override == 30


def test_add_to_roster_with_a_bad_posts_required(api, campaign, ada):
    response = api.post(
        f"/campaigns/{campaign.pk}/creators", json={"creator_id": ada.pk, "posts_required": 0}
    )
    assert field_errors(response) == {
        "posts_required": "must be a whole number from 1 to 100, not 0"
    }
    assert not campaign.roster.exists()


def test_adding_another_workspaces_creator_is_404(api, campaign, actors):
    eve = make_creator(actors.other_workspace, "eve")
    response = api.post(f"/campaigns/{campaign.pk}/creators", json={"creator_id": eve.pk})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not campaign.roster.exists()


def test_remove_from_roster(api, rostered, ada):
    path = f"/campaigns/{rostered.pk}/creators/{ada.pk}"
    assert api.delete(path).status_code == 204
    assert not rostered.roster.exists()
    again = api.delete(path)
    assert again.status_code == 404 and again.json()["code"] == "not_on_roster"


# -- Access: read-only keys, other workspaces, no key --------------------------------------------


def write_calls(campaign: Campaign, creator_id: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("post", "/campaigns", BODY),
        ("patch", f"/campaigns/{campaign.pk}", {"name": "Hijacked", "posts_required": 99}),
        (
            "post",
            f"/campaigns/{campaign.pk}/creators",
            {"creator_id": creator_id, "posts_required": 9},
        ),
        ("delete", f"/campaigns/{campaign.pk}/creators/{creator_id}", None),
    ]


def call(client, method: str, path: str, body: dict | None):
    send = getattr(client, method)
    return send(path, json=body) if body is not None else send(path)


def test_read_only_key_reads_but_cannot_write(readonly_api, rostered, ada):
    before = snapshot(rostered)
    assert readonly_api.get(f"/campaigns/{rostered.pk}").status_code == 200
    assert readonly_api.get(f"/campaigns/{rostered.pk}/creators").status_code == 200
    for method, path, body in write_calls(rostered, ada.pk):
        response = call(readonly_api, method, path, body)
        assert (response.status_code, response.json()["code"]) == (403, "read_only_key"), path
    assert snapshot(rostered) == before and Campaign.objects.count() == 1


def test_another_workspaces_key_gets_404_and_changes_nothing(outsider_api, rostered, ada):
    before = snapshot(rostered)
    for path in (f"/campaigns/{rostered.pk}", f"/campaigns/{rostered.pk}/creators"):
        response = outsider_api.get(path)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), path
    assert outsider_api.get("/campaigns").json() == {"items": [], "count": 0}
    for method, path, body in write_calls(rostered, ada.pk)[1:]:
        assert call(outsider_api, method, path, body).status_code == 404, path
    assert snapshot(rostered) == before


def test_no_key_is_401(rostered):
    from tests.conftest import ApiClient

    assert ApiClient(None).get(f"/campaigns/{rostered.pk}").status_code == 401
    assert ApiClient("ifk_unknown").get("/campaigns").status_code == 401
