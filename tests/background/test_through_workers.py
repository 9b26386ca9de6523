"""The background work end to end through real `inviteflow worker` processes and a real
scheduler, on whichever task backend the run uses: `make test` runs these on the database
backend (SQLite and PostgreSQL) and again on RQ (PostgreSQL + Redis).

Links are made exactly once on TikTok under 20 % errors and a killed worker; outreach is sent
exactly once by two workers; posts published through the links are attributed; insights read.
"""

import time
from collections import Counter
from datetime import date

import pytest
from django.conf import settings

from inviteflow.campaigns import services as campaigns
from inviteflow.core.enqueue import enqueue_on_commit
from inviteflow.creators.models import Creator
from inviteflow.insights.models import PostInsights
from inviteflow.insights.services import SYNC_CAMPAIGN_INSIGHTS
from inviteflow.links.models import InviteLink
from inviteflow.outreach import services as outreach
from inviteflow.outreach.models import OutboxMessage
from inviteflow.posts.models import Post
from inviteflow.posts.services import SYNC_CAMPAIGN_POSTS
from tests.processes import kill_machine

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.background_work]
# Claims expire fast here so that recovery fits a test; the two-group test uses the defaults.
FAST_RECOVERY = {"LINK_CLAIM_SECONDS": "6", "LINK_PROVISIONING_CONCURRENCY": "2"}


def wait_for(condition, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.2)
    return time.monotonic() - started


def roster_campaign(workspace, handles: list[str], **fields):
    campaign = campaigns.create_campaign(
        workspace,
        name="Through Workers",
        starts_on=date.today(),
        ends_on=date(2099, 1, 31),
        **fields,
    )
    creators = Creator.objects.bulk_create(
        [
            Creator(workspace=workspace, name=h.title(), handle=h, email=f"{h}@example.com")
            for h in handles
        ]
    )
    campaigns.add_creators(campaign, creators)
    return campaign


def objects_on_tiktok(live_sandbox) -> list[dict]:
    return live_sandbox.campaigns()["campaigns"]


def test_links_exactly_once_under_errors_and_a_killed_worker(
    tiktok_connected, live_sandbox, workspace, start_worker, start_scheduler
):
    live_sandbox.faults(error_rate=0.2, latency_ms=30)
    handles = [f"maker_{i}" for i in range(30)]
    campaign = roster_campaign(workspace, handles, posts_required=12)  # two links each
    start_scheduler(**FAST_RECOVERY)
    doomed = start_worker(**FAST_RECOVERY)
    start_worker(**FAST_RECOVERY)
    campaigns.update_campaign(campaign, tiktok_enabled=True)  # enqueues provisioning

    wait_for(lambda: len(objects_on_tiktok(live_sandbox)) >= 15, 60, "provisioning to start")
    kill_machine(doomed)
    assert len(objects_on_tiktok(live_sandbox)) < 60, "killed too late to prove anything"

    pending = InviteLink.objects.filter(campaign=campaign, status="pending")
    wait_for(lambda: not pending.exists(), 120, "every link to be settled")
    per_handle = Counter(c["creators"][0]["handle"] for c in objects_on_tiktok(live_sandbox))
    assert per_handle == Counter({h: 2 for h in handles}), "each link once, none twice"
    links = InviteLink.objects.filter(campaign=campaign)
    assert links.filter(status="active").count() == 60
    assert len(set(links.values_list("tiktok_campaign_id", flat=True))) == 60


def test_outreach_is_sent_exactly_once_by_two_workers(workspace, smtp, start_worker):
    handles = [f"reader_{i}" for i in range(40)]
    campaign = roster_campaign(workspace, handles)
    template = outreach.create_template(
        workspace, name="Hello", subject="Hello {{ creator.name }}", body="Hi {{ creator.name }}!"
    )
    smtp_env = {"EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}", "OUTREACH_SMTP_CONNECTIONS": "2"}
    start_worker(**smtp_env)
    start_worker(**smtp_env)

    batch = outreach.send_outreach(campaign, template, Creator.objects.filter(handle__in=handles))

    sent = OutboxMessage.objects.filter(batch=batch, status="sent")
    wait_for(lambda: sent.count() == 40, 60, "the 40 emails to be sent")
    assert smtp.recipients() == sorted(f"{h}@example.com" for h in handles)


def test_posts_are_attributed_and_insights_read_by_workers(
    tiktok_connected, live_sandbox, workspace, start_worker
):
    handles = ["ada", "bob", "cy"]
    campaign = roster_campaign(workspace, handles, posts_required=2, countries=["US"])
    start_worker()
    campaigns.update_campaign(campaign, tiktok_enabled=True)
    links = InviteLink.objects.filter(campaign=campaign)
    wait_for(lambda: links.filter(status="active").count() == 3, 60, "the links")
    for link in links.select_related("creator"):
        for _ in range(2):
            live_sandbox.publish(link.creator.handle, invite_link=link.url)
    live_sandbox.advance(49)  # TikTok surfaces linked videos after about 48 h

    enqueue_on_commit(SYNC_CAMPAIGN_POSTS, campaign.pk, True)
    posts = Post.objects.filter(campaign=campaign, invite_link__isnull=False)
    wait_for(lambda: posts.count() == 6, 60, "the 6 posts to be attributed")
    assert Counter(posts.values_list("creator__handle", flat=True)) == {h: 2 for h in handles}

    enqueue_on_commit(SYNC_CAMPAIGN_INSIGHTS, campaign.pk)
    insights = PostInsights.objects.filter(campaign=campaign)
    wait_for(lambda: insights.count() == 6, 60, "insights of the 6 posts")
    assert all(row.video_views for row in insights)


def test_the_backend_under_test_is_the_one_configured():
    """The RQ pass really runs on RQ (scripts/test.sh sets TASKS_BACKEND=rq)."""
    expected = "django_tasks_rq.RQBackend" if settings.TASKS_BACKEND == "rq" else "django_tasks_db"
    assert settings.TASKS["default"]["BACKEND"].startswith(expected)


def test_a_long_provisioning_does_not_delay_a_small_send(
    tiktok_connected, live_sandbox, workspace, smtp, start_worker
):
    """Queues: TikTok work waits on TikTok's pace; an email send beside it does not wait."""
    live_sandbox.faults(latency_ms=300)
    big = roster_campaign(workspace, [f"crowd_{i}" for i in range(200)])
    small = roster_campaign(workspace, ["ada", "bob", "cy"])
    template = outreach.create_template(
        workspace, name="Hello", subject="Hello {{ creator.name }}", body="Hi {{ creator.name }}!"
    )
    start_worker("--queues", "tiktok", LINK_PROVISIONING_CONCURRENCY="1")
    start_worker("--queues", "email,default", EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}")
    campaigns.update_campaign(big, tiktok_enabled=True)
    wait_for(lambda: len(objects_on_tiktok(live_sandbox)) >= 3, 30, "provisioning to start")

    outreach.send_outreach(small, template, Creator.objects.filter(handle__in=["ada", "bob", "cy"]))
    took = wait_for(lambda: len(smtp.messages) == 3, 30, "the 3 emails")

    assert InviteLink.objects.filter(campaign=big, status="pending").exists(), (
        "the emails went out while the provisioning was still running"
    )
    assert took < 15
