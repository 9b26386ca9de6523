"""Defect 6 in the browser: the Posts card of the Campaign Details page said "pending" after
the links were ready, until a reload. It refreshes itself now, and stops once settled."""

import pytest

from inviteflow.links.models import InviteLink
from inviteflow.tiktok.models import TikTokConnection
from tests.conftest import PASSWORD
from tests.posts.factories import add_link, campaign_with

pytestmark = pytest.mark.browser


def test_the_posts_card_follows_links_becoming_ready_without_a_reload(page, actors):
    workspace = actors.workspace
    TikTokConnection.objects.create(workspace=workspace, account_id="1", access_token="t")
    campaign = campaign_with(workspace, {"ada": 2})
    link = add_link(campaign, "ada", status="pending", url="")
    page.goto("/login/")
    page.fill("input[name=username]", "manager@acme.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/w/acme/")

    page.goto(f"/w/acme/campaigns/{campaign.pk}/")
    card = page.locator("#post-progress[data-settled]")
    card.wait_for()
    assert "1: 0/10 pending" in card.inner_text()
    page.evaluate("window.notReloaded = true")

    # The worker gets TikTok's invite link.
    InviteLink.objects.filter(pk=link.pk).update(
        status="active", url="https://sandbox.test/t/ada1/"
    )
    page.locator("#post-progress[data-settled=true]").wait_for(timeout=10_000)
    assert "pending" not in page.locator("#post-progress").inner_text()
    assert page.evaluate("window.notReloaded") is True
