"""Reconciling unknown outcomes: one sweep of TikTok's campaign list settles every link of the
workspace, and a sweep during which new objects appear never declares a link absent."""

from datetime import date

import pytest
from django.utils import timezone

from inviteflow.campaigns import services as campaigns
from inviteflow.creators.models import Creator
from inviteflow.links import provisioning
from inviteflow.links.models import InviteLink
from inviteflow.links.tasks import provision_links
from inviteflow.tiktok import names
from inviteflow.tiktok.connections import client_for

pytestmark = pytest.mark.django_db(transaction=True)


def tiktok_enabled_campaign(workspace, name, handles):
    campaign = campaigns.create_campaign(
        workspace, name=name, starts_on=date(2027, 5, 1), ends_on=date(2027, 5, 31)
    )
    creators = [Creator(workspace=workspace, name=h.title(), handle=h) for h in handles]
    campaigns.add_creators(campaign, Creator.objects.bulk_create(creators))
    campaigns.update_campaign(campaign, tiktok_enabled=True)
    return campaign


def answer_lost(link, client, account_id, *, tiktok_did_it):
    """The create call went out (intent recorded) and its answer never came back."""
    ref = names.new_ref()
    name = provisioning.tiktok_campaign_name(link, 1, ref)
    InviteLink.objects.filter(pk=link.pk).update(
        attempted_at=timezone.now(), tiktok_campaign_name=name, tiktok_ref=ref
    )
    if tiktok_did_it:
        description = provisioning.tiktok_campaign_description(link, ref)
        made = client.create_campaign(
            account_id, name, [link.creator.handle], campaign_description=description
        )
        return made.campaign_id
    return None


def test_one_sweep_settles_unknown_outcomes_of_every_campaign_in_the_workspace(
    tiktok_connected, live_sandbox, workspace
):
    spring = tiktok_enabled_campaign(workspace, "Spring", ["ada", "bo"])
    autumn = tiktok_enabled_campaign(workspace, "Autumn", ["cy", "di"])
    account = client_for(workspace)
    client, account_id = account.client, account.account_id
    with account:
        made = {
            link.pk: answer_lost(
                link, client, account_id, tiktok_did_it=link.creator.handle != "di"
            )
            for link in InviteLink.objects.select_related("campaign", "creator")
        }
    live_sandbox.clear_stats()
    objects_before = live_sandbox.stats()["campaign_objects_created"]

    provision_links.call(spring.pk)

    stats = live_sandbox.stats()
    assert stats["campaign_objects_created"] == objects_before, "found, not made again"
    assert live_sandbox.calls_to("/tto/tcm/campaign/") == 1, "one page settles both campaigns"
    for link in InviteLink.objects.exclude(creator__handle="di"):
        assert (link.status, link.tiktok_campaign_id) == ("active", made[link.pk])
        assert link.attempted_at is None
    di = InviteLink.objects.get(creator__handle="di")
    assert (di.status, di.attempted_at) == ("pending", None), "absent on TikTok: safe to create"

    provision_links.call(autumn.pk)
    assert live_sandbox.stats()["campaign_objects_created"] == objects_before + 1
    assert InviteLink.objects.filter(status="active").count() == 4


def test_sweep_that_sees_objects_appear_declares_nothing_absent(
    tiktok_connected, live_sandbox, workspace
):
    campaign = tiktok_enabled_campaign(workspace, "Busy", [f"busy_{i}" for i in range(7)])
    account = client_for(workspace)
    client, account_id = account.client, account.account_id
    links = list(InviteLink.objects.select_related("campaign", "creator").order_by("pk"))
    with account:
        for link in links[:6]:  # six objects: the list has two pages of five
            answer_lost(link, client, account_id, tiktok_did_it=True)
        answer_lost(links[6], client, account_id, tiktok_did_it=False)
        run = provisioning.Run(campaign, client, account_id)
        read_page = client.campaigns_page

        def elsewhere_creates_meanwhile(account, **query):
            if query.get("page") == 2:
                client.create_campaign(account, "Another campaign · @zed · 1/1", ["zed"])
            return read_page(account, **query)

        client.campaigns_page = elsewhere_creates_meanwhile
        assert provisioning.reconcile(run) == 0
        client.campaigns_page = read_page
        unsure = InviteLink.objects.get(pk=links[6].pk)
        assert unsure.attempted_at is not None, "outcome still unknown: the pages may have shifted"
        assert InviteLink.objects.filter(status="active").count() == 6, "found ones are settled"

        assert provisioning.reconcile(run) == 1
    assert InviteLink.objects.get(pk=links[6].pk).attempted_at is None


def test_names_sent_to_tiktok_are_ascii_short_and_carry_no_internal_id(workspace):
    campaign = tiktok_enabled_campaign(
        workspace, ("Été — Lancement « printemps » " * 4).strip(), ["zoë"]
    )
    link = campaign.invite_links.select_related("campaign", "creator").get()
    ref = names.new_ref()
    name = provisioning.tiktok_campaign_name(link, 1, ref)
    assert name.isascii() and len(name) <= 100 and name.endswith(ref)
    assert name.startswith("Ete Lancement printemps Ete") and f"{link.pk}" not in name.split()
    assert provisioning.tiktok_campaign_description(link, ref).startswith(ref)


def test_an_object_whose_name_tiktok_changed_is_still_found(
    tiktok_connected, live_sandbox, workspace
):
    campaign = tiktok_enabled_campaign(workspace, "Spring", ["ada", "bo"])
    account = client_for(workspace)
    ada, bo = campaign.invite_links.select_related("campaign", "creator").order_by("pk")
    with account:
        # TikTok kept only a trimmed, lower-cased name (the marker survives in the name) ...
        ref = names.new_ref()
        InviteLink.objects.filter(pk=ada.pk).update(
            attempted_at=timezone.now(),
            tiktok_campaign_name=f"Spring - @ada - {ref}",
            tiktok_ref=ref,
        )
        made_ada = account.client.create_campaign(
            account.account_id, f"spring {ref.lower()}", ["ada"]
        )
        # ... or dropped the marker from the name, keeping it in the description.
        ref = names.new_ref()
        InviteLink.objects.filter(pk=bo.pk).update(
            attempted_at=timezone.now(),
            tiktok_campaign_name=f"Spring - @bo - {ref}",
            tiktok_ref=ref,
        )
        made_bo = account.client.create_campaign(
            account.account_id, "Spring", ["bo"], campaign_description=f"{ref}. The brief"
        )
    provision_links.call(campaign.pk)

    ada.refresh_from_db()
    bo.refresh_from_db()
    assert (ada.tiktok_campaign_id, bo.tiktok_campaign_id) == (
        made_ada.campaign_id,
        made_bo.campaign_id,
    )
    assert ada.status == bo.status == "active"
    assert live_sandbox.calls_to("/tto/tcm/campaign/create/") == 2  # nothing made twice
