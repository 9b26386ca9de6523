"""Campaign codes live in TikTok's legacy order API, which may not take a TikTok One account
(contract §13). When it answers 40001, 40002 or 41001, the campaign-code button gives way to an
explanation and the linking request stays available; nothing is left half-made."""

import pytest
from django.urls import reverse

from inviteflow.compliance.models import CampaignCode, CodeAvailability
from tests.compliance.support import BRANDED, post_of, scan, with_emails


def reconfigure(world, **knobs):
    runtime = world.sandbox.app.runtime
    runtime.config = runtime.config.replace(**knobs)


@pytest.fixture
def at_risk(world):
    campaign = world.campaign({"ada": 1})
    with_emails(campaign)
    video = world.sandbox.publish("ada", caption=BRANDED)["video_id"]
    scan(world, campaign)
    return post_of(video)


@pytest.mark.parametrize(
    ("knobs", "code"),
    [
        ({"legacy_orders_offline": True}, 41001),
        ({"legacy_orders_accept_tto_account": False}, 40001),
    ],
)
def test_a_refused_order_api_replaces_the_button_with_an_explanation(
    world, api, manager_client, at_risk, knobs, code
):
    reconfigure(world, **knobs)
    refused = api.post(f"/posts/{at_risk.pk}/campaign-code")
    assert (refused.status_code, refused.json()["code"]) == (409, "codes_unavailable")
    assert "linking request" in refused.json()["message"]
    assert CodeAvailability.objects.get().code == code
    assert not CampaignCode.objects.exclude(attempted_at=None).exists()  # no intent left

    panel = manager_client.get(reverse("compliance_campaign", args=["acme", at_risk.campaign_id]))
    html = panel.content.decode()
    assert "Send campaign code" not in html and "does not offer campaign codes" in html
    assert "Send linking request" in html
    again = api.post(f"/posts/{at_risk.pk}/campaign-code")  # no second call to TikTok
    assert again.json()["code"] == "codes_unavailable"
    linked = api.post(f"/posts/{at_risk.pk}/link-request", json={})
    assert linked.status_code == 200 and linked.json()["status"] == "in_review"
