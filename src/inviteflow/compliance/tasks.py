"""Background entry points of compliance. All idempotent: safe to run twice or together.

Periodic: every connected workspace's scannable campaigns are scanned every
COMPLIANCE_SCAN_MINUTES (default 60), each scan followed by reconciliation of remedies
and a digest of the posts newly found at risk; digests that failed are retried.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django_tasks import task

from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.compliance import emails, remedies, scanning, services
from inviteflow.compliance.models import ComplianceScan, Digest
from inviteflow.core.scheduler import periodic
from inviteflow.tiktok.errors import TikTokError
from inviteflow.tiktok.models import TikTokConnection

log = logging.getLogger(__name__)

SCAN_MINUTES = settings.COMPLIANCE_SCAN_MINUTES


@task()
def scan_campaign(campaign_id: int) -> dict[str, object]:
    """Scan now: the campaign's roster, then its remedies."""
    campaign = Campaign.objects.select_related("workspace").filter(pk=campaign_id).first()
    if campaign is None:
        return {}
    states = services.scans_started([campaign])
    return _run(
        campaign.workspace, states, [campaign], lambda scan: scanning.scan_campaign(scan, campaign)
    )


@task()
def scan_workspace(workspace_id: int) -> dict[str, object]:
    """Every scannable campaign of the workspace, each creator read once."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return {}
    campaigns = list(scanning.scannable_campaigns(workspace))
    states = services.scans_started(campaigns)
    return _run(workspace, states, campaigns, scanning.scan_workspace)


def _run(
    workspace: Workspace,
    states: QuerySet[ComplianceScan],
    campaigns: list[Campaign],
    scan_creators: Callable[[scanning.Scan], object],
) -> dict[str, object]:
    scan, error = None, ""
    try:
        with remedies.tiktok_for(workspace) as tiktok:
            scan = scanning.Scan(workspace, tiktok.client, tiktok.account_id)
            scan_creators(scan)
            for campaign in campaigns:
                remedies.reconcile(campaign, tiktok)
    except remedies.Refused as exc:  # not connected
        error = exc.message
    except scanning.ScanAborted as exc:
        error = f"{exc}; the next scan goes on from there."
    except TikTokError as exc:
        error = f"TikTok answered {exc}; the next scan tries again."
    figures = _figures(scan)
    services.scans_finished(states, figures, error)
    services.open_digest(workspace)
    return {**figures, "error": error}


def _figures(scan: scanning.Scan | None) -> dict[str, int]:
    if scan is None:
        return {"creators_scanned": 0, "videos_seen": 0, "calls": 0, "found": 0}
    return {
        "creators_scanned": scan.creators_scanned,
        "videos_seen": scan.videos_seen,
        "calls": scan.calls,
        "found": scan.found,
    }


@task()
def scan_all() -> int:
    """Enqueue a scan of every connected workspace that has a campaign to scan."""
    connected = TikTokConnection.objects.filter(status=TikTokConnection.Status.CONNECTED)
    workspaces = [
        w
        for w in Workspace.objects.filter(pk__in=connected.values("workspace_id"))
        if scanning.scannable_campaigns(w).exists()
    ]
    for workspace in workspaces:
        scan_workspace.enqueue(workspace.pk)
    return len(workspaces)


@task()
def send_digest(digest_id: int) -> int:
    """Email one digest to the workspace's managers; claimed, so it goes once."""
    digest = Digest.objects.select_related("workspace").filter(pk=digest_id, sent_at=None).first()
    if digest is None or not services.claim_digest(digest):
        return 0
    try:
        recipients = emails.send_digest(digest)
    except Exception as exc:  # SMTP down: released, the periodic job tries again
        log.warning("compliance digest %s not sent: %r", digest.pk, exc)
        services.digest_failed(digest, repr(exc))
        return 0
    services.digest_sent(digest, recipients)
    return len(recipients)


@task()
def send_pending_digests() -> int:
    pending = list(
        Digest.objects.filter(sent_at=None, claimed_at=None).values_list("pk", flat=True)
    )
    for digest_id in pending:
        send_digest.enqueue(digest_id)
    return len(pending)


@periodic("compliance.scan_all", every_seconds=SCAN_MINUTES * 60)
def enqueue_scans() -> None:
    transaction.on_commit(scan_all.enqueue)


@periodic("compliance.send_pending_digests", every_seconds=600)
def enqueue_pending_digests() -> None:
    transaction.on_commit(send_pending_digests.enqueue)
