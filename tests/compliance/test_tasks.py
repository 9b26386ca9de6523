"""Background entry points: the scheduler scans every connected workspace with a campaign in
its window; a scan without a TikTok connection says so; reads run on a small thread pool
inside the shared rate limit."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from inviteflow.compliance import tasks
from inviteflow.compliance.models import ComplianceScan
from inviteflow.core.scheduler import REGISTRY
from inviteflow.posts.models import Post
from inviteflow.tiktok.models import TikTokConnection
from tests.campaigns.factories import make_campaign
from tests.compliance.support import BRANDED, scan


def test_the_scheduler_scans_connected_workspaces_with_live_campaigns(
    actors, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    live = {
        "starts_on": today - timedelta(days=1),
        "ends_on": today + timedelta(days=9),
        "tiktok_enabled": True,
    }
    make_campaign(actors.workspace, **live)
    make_campaign(actors.other_workspace, **live)  # not connected
    TikTokConnection.objects.create(workspace=actors.workspace, account_id="1", access_token="t")
    assert "compliance.scan_all" in REGISTRY and "compliance.send_pending_digests" in REGISTRY
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.scan_all.call() == 1
    [queued] = DBTaskResult.objects.filter(task_path__endswith="scan_workspace")
    assert queued.args_kwargs["args"] == [actors.workspace.pk]


def test_a_scan_without_tiktok_records_why(workspace):
    today = timezone.localdate()
    campaign = make_campaign(workspace, starts_on=today, ends_on=today, tiktok_enabled=True)
    result = tasks.scan_campaign.call(campaign.pk)
    assert "not connected to TikTok" in result["error"]
    state = ComplianceScan.objects.get(campaign=campaign)
    assert "not connected" in state.last_error and state.finished_at and not state.running


@pytest.mark.django_db(transaction=True)
def test_reads_run_on_a_thread_pool(world, settings):
    settings.COMPLIANCE_SCAN_CONCURRENCY = 3
    campaign = world.campaign({f"c{i}": 1 for i in range(5)})
    for i in range(5):
        world.sandbox.publish(f"c{i}", caption=BRANDED)
    result = scan(world, campaign)
    assert (result["creators_scanned"], result["found"]) == (5, 5)
    assert Post.objects.filter(compliance="at_risk").count() == 5
