"""The Campaign Details cards never say more than is known (issue 15, defect 6): each tells
*not checked yet*, *checking*, *paused until HH:MM (why)* and *checked at HH:MM* apart, and
refreshes itself (server-driven polling) until what it waits on is settled."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inviteflow.compliance.models import ComplianceScan, Remedy
from inviteflow.core.sync import request_run
from inviteflow.outreach.models import OutboxMessage, OutreachBatch
from inviteflow.posts import services as posts
from inviteflow.posts.diagnosis import reasons
from inviteflow.posts.models import CampaignSync, MissingPosts
from inviteflow.tiktok.models import TikTokConnection
from inviteflow.tiktok.ratelimit import get_limiter
from inviteflow.tiktok.work import work_state
from tests.compliance.support import flag_post
from tests.posts.factories import add_link, campaign_with
from tests.posts.test_missing import BASE, ours

pytestmark = pytest.mark.django_db
POLLING = 'hx-trigger="every 3s'


@pytest.fixture
def campaign(workspace):
    TikTokConnection.objects.create(workspace=workspace, account_id="1", access_token="t")
    return campaign_with(workspace, {"ada": 2, "bob": 1})


def card(client, name: str, campaign, **params) -> str:
    url = reverse(name, args=["acme", campaign.pk])
    return client.get(url, params, headers={"HX-Request": "true"}).content.decode()


def scan_of(campaign, **fields) -> ComplianceScan:
    return ComplianceScan.objects.create(workspace=campaign.workspace, campaign=campaign, **fields)


# -- The four states --------------------------------------------------------------------------


def test_never_asked_is_not_checked_yet(campaign):
    state = work_state(None, campaign.workspace)
    assert (state.phase, state.settled) == ("never", True)


def test_asked_for_or_running_is_checking_and_not_settled(
    campaign, django_capture_on_commit_callbacks
):
    scan = scan_of(campaign)
    request_run(scan, "compliance.scan_campaign", campaign.pk)
    assert work_state(scan, campaign.workspace).phase == "queued"
    scan.started_at = timezone.now()
    assert (
        work_state(scan, campaign.workspace).phase,
        work_state(scan, campaign.workspace).settled,
    ) == ("running", False)


def test_a_throttle_cool_down_pauses_until_it_ends_and_keeps_refreshing(campaign):
    scan = scan_of(campaign, finished_at=timezone.now(), last_error="Paused by TikTok's rate limit")
    get_limiter().start_cooldown(600)
    state = work_state(scan, campaign.workspace)
    assert (state.phase, state.why, state.settled) == ("paused", "TikTok's rate limit", False)
    assert timedelta(seconds=590) < state.paused_until - timezone.now() <= timedelta(seconds=600)


def test_without_a_connection_work_is_paused_until_someone_connects(campaign):
    TikTokConnection.objects.filter(workspace=campaign.workspace).update(status="revoked")
    state = work_state(scan_of(campaign), campaign.workspace)
    assert (state.phase, state.why, state.settled) == ("paused", "TikTok refused our access", True)


def test_a_finished_run_is_checked_at_its_time(campaign):
    done = timezone.now().replace(hour=9, minute=5)
    state = work_state(scan_of(campaign, started_at=done, finished_at=done), campaign.workspace)
    assert (state.phase, state.when, state.settled) == ("done", "09:05", True)
    failed = work_state(
        ComplianceScan(started_at=done, finished_at=done, last_error="TikTok answered 50002"),
        campaign.workspace,
    )
    assert (failed.phase, failed.why, failed.settled) == ("stopped", "TikTok answered 50002", True)


# -- Compliance -------------------------------------------------------------------------------


def test_compliance_says_not_checked_yet_before_any_scan(viewer_client, campaign):
    page = card(viewer_client, "compliance_summary", campaign)
    assert "not checked yet" in page and "nothing at risk" not in page


def test_compliance_says_paused_not_nothing_at_risk_while_scans_are_paused(viewer_client, campaign):
    now = timezone.now()
    scan_of(campaign, started_at=now, finished_at=now, last_error="Paused by TikTok's rate limit")
    get_limiter().start_cooldown(600)
    page = card(viewer_client, "compliance_summary", campaign)
    assert "scans paused" in page and "nothing at risk" not in page
    assert "Paused until" in page and POLLING in page  # it resumes by itself: keep looking


def test_compliance_says_nothing_at_risk_only_after_a_scan(viewer_client, campaign):
    now = timezone.now()
    scan_of(campaign, started_at=now - timedelta(minutes=1), finished_at=now)
    page = card(viewer_client, "compliance_summary", campaign)
    assert "nothing at risk" in page and f"Scanned at {timezone.localtime(now):%H:%M}" in page
    assert POLLING not in page


def test_a_running_scan_is_checking_and_the_panel_polls(viewer_client, campaign):
    scan_of(campaign, started_at=timezone.now())
    page = card(viewer_client, "compliance_summary", campaign)
    assert "checking…" in page and POLLING in page


# -- Remedies ---------------------------------------------------------------------------------


def remedy_with_email(campaign, status: str) -> Remedy:
    post = flag_post(campaign, "bob")
    batch = OutreachBatch.objects.create(
        workspace=campaign.workspace, campaign=campaign, template_name="Campaign code"
    )
    OutboxMessage.objects.create(
        workspace=campaign.workspace,
        campaign=campaign,
        batch=batch,
        idempotency_key="k1",
        to_email="bob@creators.test",
        subject="Your code",
        body="…",
        status=status,
    )
    return Remedy.objects.create(
        workspace=campaign.workspace,
        post=post,
        campaign=campaign,
        creator=post.creator,
        kind="campaign_code",
        detail="ABC123",
        actor_label="manager@acme.test",
        email_batch=batch,
        email_status="queued",
    )


def test_a_remedy_shows_its_email_as_the_outbox_has_it_now(viewer_client, campaign):
    remedy_with_email(campaign, OutboxMessage.Status.SENT)
    page = card(viewer_client, "compliance_campaign", campaign)
    remedies = page.split("Remedies sent")[1]
    assert ">sent</a>" in remedies and "queued" not in remedies
    assert POLLING not in page


def test_a_remedy_email_still_queued_keeps_the_panel_refreshing(viewer_client, campaign):
    remedy_with_email(campaign, OutboxMessage.Status.QUEUED)
    now = timezone.now()
    scan_of(campaign, started_at=now, finished_at=now)
    page = card(viewer_client, "compliance_campaign", campaign)
    assert ">queued</a>" in page.split("Remedies sent")[1] and POLLING in page


# -- Posts ------------------------------------------------------------------------------------


def test_the_posts_card_refreshes_until_links_are_ready(viewer_client, campaign):
    link = add_link(campaign, "ada", status="pending", url="")
    page = card(viewer_client, "campaign_progress", campaign)
    assert "1: 0/10 pending" in page and POLLING in page and "links being made" in page
    link.status, link.url = "active", "https://sandbox.test/t/ada1/"
    link.save()
    page = card(viewer_client, "campaign_progress", campaign)
    assert "1: 0/10" in page and "pending" not in page and POLLING not in page
    assert 'hx-trigger="links-provisioned from:body"' in page  # still follows the roster


def test_the_posts_card_polls_while_a_sync_runs(viewer_client, campaign):
    CampaignSync.objects.create(
        workspace=campaign.workspace, campaign=campaign, started_at=timezone.now()
    )
    page = card(viewer_client, "campaign_progress", campaign)
    assert "Syncing with TikTok…" in page and POLLING in page


def test_a_creator_with_posts_is_not_told_nothing_was_published():
    [reason] = reasons(replace(BASE, posts=[ours("1"), ours("2")]))
    assert (reason["code"], reason["label"]) == (
        "nothing_published",
        "Posted 2 posts, nothing new since 7 May",
    )


def test_a_diagnosis_older_than_the_creators_last_post_is_not_shown_as_current(
    viewer_client, campaign
):
    ada = campaign.roster.get(creator__handle="ada").creator
    posts.save_missing(
        campaign, ada.pk, [{"code": "not_joined", "label": "Not joined yet", "detail": "x"}]
    )
    MissingPosts.objects.filter(campaign=campaign).update(stale=True)  # a post arrived since
    page = card(viewer_client, "campaign_progress", campaign)
    row = page.split(f'id="progress-{ada.pk}"')[1].split("</tr>")[0]
    assert "New post since the last check" in row and "Not joined yet</span>" not in row
