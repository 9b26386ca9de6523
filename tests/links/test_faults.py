"""TikTok failing under us — errors, and timeouts after the work was done — never yields a
second TikTok campaign object for a link."""

from collections import Counter
from datetime import date

import pytest

from inviteflow.campaigns import services as campaigns
from inviteflow.creators.models import Creator
from inviteflow.links.models import InviteLink
from inviteflow.links.tasks import provision_links

pytestmark = pytest.mark.django_db(transaction=True)


def test_errors_and_timeouts_still_create_each_link_exactly_once(
    tiktok_connected, live_sandbox, workspace, settings
):
    settings.TIKTOK_TIMEOUT_S = 0.5
    live_sandbox.faults(error_rate=0.2, timeout_rate=0.15, timeout_sleep_s=1)
    campaign = campaigns.create_campaign(
        workspace,
        name="Fault Week",
        starts_on=date(2027, 5, 1),
        ends_on=date(2027, 5, 31),
    )
    creators = [Creator(workspace=workspace, name=f"C {i}", handle=f"fault_{i}") for i in range(30)]
    campaigns.add_creators(campaign, Creator.objects.bulk_create(creators))
    campaigns.update_campaign(campaign, tiktok_enabled=True)

    for _ in range(6):  # the task re-enqueues itself while outcomes are unknown
        provision_links.call(campaign.pk)
        if not InviteLink.objects.filter(status="pending").exists():
            break

    live_sandbox.faults(error_rate=0, timeout_rate=0)
    objects = live_sandbox.campaigns()["campaigns"]
    assert Counter(c["creators"][0]["handle"] for c in objects) == Counter(
        f"fault_{i}" for i in range(30)
    )
    assert InviteLink.objects.filter(status="active").count() == 30
    stats = live_sandbox.stats()
    assert stats["campaign_objects_created"] == 30
    assert stats["by_code"].get("50000", 0) > 0 and stats["by_code"].get("50002", 0) > 0
    listed = live_sandbox.calls_to("/tto/tcm/campaign/")
    assert listed > 0, "unknown outcomes were reconciled against TikTok's campaign list"
