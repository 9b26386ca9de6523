"""Recovery costs what the unsure work costs, not what the account's history costs.

The TikTok account already holds 3,000 campaign objects (600 list pages at TikTok's 5 a page).
Links whose create had an unknown outcome are settled by reading only the slice of the list
where their objects can be, whichever way the list is ordered; when the list is in no creation
order, or no link of ours anchors the slice, the whole list is read, as before.
"""

import threading
import time
from collections import Counter
from datetime import date

import pytest
from django.db.models import Q

from inviteflow.campaigns import services as campaigns
from inviteflow.creators.models import Creator
from inviteflow.links import provisioning
from inviteflow.links.models import InviteLink
from inviteflow.links.tasks import provision_links
from inviteflow.tiktok.connections import client_for
from tests.links.test_reconciliation import answer_lost
from tests.sandbox_fixtures import ACCOUNT_ID
from tiktok_sandbox.ids import new_id

pytestmark = pytest.mark.django_db(transaction=True)
HISTORY = 3000
FULL_READ_PAGES = HISTORY // 5


def add_history(live_sandbox, count: int) -> None:
    """Objects the account made before inviteflow (one every 90 s until an hour ago), written
    straight into the sandbox's store: creating them over HTTP would take minutes."""
    now = live_sandbox.app.runtime.now_ms()
    for i in range(count):
        created = now - 3_600_000 - (count - i) * 90_000
        live_sandbox.app.runtime.store.insert_campaign(
            {
                "campaign_id": new_id(created),
                "account_id": ACCOUNT_ID,
                "campaign_type": "CAMPAIGN",
                "channel_type": "API_LITE_CAMPAIGN",
                "campaign_name": f"Older campaign {i}",
                "advertiser_ids": [],
                "country_codes": ["US"],
                "invite_token": f"old{i}",
                "invite_link": f"{live_sandbox.url}/t/old{i}/",
                "posts_per_creator": 10,
                "send_notification": 0,
                "auth_days": 30,
                "create_ms": created,
                "update_ms": created,
            }
        )


def campaign_with_unsure_links(workspace, confirmed: int, unsure: int):
    """`confirmed` links made normally, then `unsure` creates whose answers were lost, half of
    them done by TikTok."""
    campaign = campaigns.create_campaign(
        workspace, name="Autumn", starts_on=date(2027, 9, 1), ends_on=date(2027, 9, 30)
    )
    handles = [f"maker_{i}" for i in range(confirmed + unsure)]
    creators = Creator.objects.bulk_create(
        [Creator(workspace=workspace, name=h, handle=h) for h in handles]
    )
    campaigns.add_creators(campaign, creators[:confirmed])
    campaigns.update_campaign(campaign, tiktok_enabled=True)
    provision_links.call(campaign.pk)
    campaigns.add_creators(campaign, creators[confirmed:])
    account = client_for(workspace)
    lost = InviteLink.objects.filter(campaign=campaign, status="pending")
    with account:
        for i, link in enumerate(lost.select_related("campaign", "creator")):
            answer_lost(link, account.client, account.account_id, tiktok_did_it=i % 2 == 0)
    return campaign


def settle(campaign) -> dict[str, int]:
    return provision_links.call(campaign.pk)


def assert_exactly_once(live_sandbox, campaign) -> None:
    mine = [c for c in live_sandbox.campaigns()["campaigns"] if "Autumn" in c["campaign_name"]]
    per_handle = Counter(c["creators"][0]["handle"] for c in mine)
    links = InviteLink.objects.filter(campaign=campaign)
    assert set(per_handle.values()) == {1}
    assert len(per_handle) == links.count() == links.filter(status="active").count()


@pytest.mark.parametrize(
    "live_sandbox",
    [{"campaign_list_order": "oldest_first"}, {"campaign_list_order": "newest_first"}],
    indirect=True,
    ids=["oldest-first", "newest-first"],
)
def test_recovery_reads_a_slice_of_a_long_history(tiktok_connected, live_sandbox, workspace):
    add_history(live_sandbox, HISTORY)
    campaign = campaign_with_unsure_links(workspace, confirmed=10, unsure=12)

    result = settle(campaign)

    print(f"\nlist pages read to settle 12 unsure links: {result['lookup_calls']}")
    assert result["lookup_calls"] <= 20, f"{result['lookup_calls']} pages, not {FULL_READ_PAGES}"
    assert result["created"] == 6, "the 6 TikTok never made are created; the 6 it made are found"
    assert_exactly_once(live_sandbox, campaign)


@pytest.mark.parametrize(
    "live_sandbox", [{"campaign_list_order": "scrambled"}], indirect=True, ids=["scrambled"]
)
def test_a_list_in_no_creation_order_is_read_whole(tiktok_connected, live_sandbox, workspace):
    add_history(live_sandbox, 200)
    campaign = campaign_with_unsure_links(workspace, confirmed=4, unsure=6)

    result = settle(campaign)

    pages = -(-(200 + 4 + 3) // 5)
    assert result["lookup_calls"] >= pages, "no order to slice by: every page is read"
    assert result["created"] == 3
    assert_exactly_once(live_sandbox, campaign)


def test_without_an_anchor_the_list_is_read_whole(tiktok_connected, live_sandbox, workspace):
    add_history(live_sandbox, 200)
    campaign = campaign_with_unsure_links(workspace, confirmed=0, unsure=6)

    result = settle(campaign)

    assert result["lookup_calls"] >= -(-(200 + 3) // 5)
    assert result["created"] == 3
    assert_exactly_once(live_sandbox, campaign)


def test_a_live_run_keeps_its_claims_past_the_claim_time(
    tiktok_connected, live_sandbox, workspace, settings
):
    """Claims last LINK_CLAIM_SECONDS but a live run renews them: another worker never takes
    links still being worked on, however long the run."""
    settings.LINK_CLAIM_SECONDS = 1
    settings.LINK_PROVISIONING_CONCURRENCY = 1
    live_sandbox.faults(latency_ms=250)
    campaign = campaigns.create_campaign(
        workspace, name="Slow", starts_on=date(2027, 9, 1), ends_on=date(2027, 9, 30)
    )
    creators = Creator.objects.bulk_create(
        [Creator(workspace=workspace, name=f"s{i}", handle=f"slow_{i}") for i in range(10)]
    )
    campaigns.add_creators(campaign, creators)
    campaigns.update_campaign(campaign, tiktok_enabled=True)  # its task is left queued
    account = client_for(workspace)
    taken_by_other: list[int] = []

    def another_worker_tries() -> None:
        other = provisioning.Run(campaign, account.client, account.account_id)
        taken_by_other.extend(
            link.pk for link in provisioning.claim(other, Q(campaign=campaign), False, 100)
        )

    with account:
        run = provisioning.Run(campaign, account.client, account.account_id)
        rival = threading.Timer(1.8, another_worker_tries)
        rival.start()
        started = time.monotonic()
        provisioning.provision_campaign(run)
        rival.join()
    assert time.monotonic() - started > 2.5, "the run outlived its claim time several times"
    assert taken_by_other == [], "renewed claims kept the other worker off"
    assert run.created == 10
